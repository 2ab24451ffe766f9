/* expose SET[/VOLUME] [MOUNTPOINT] and unexpose SET[/VOLUME] */
#include "config.h"
#include "cmd.h"

int cmd_expose(struct session *s, int argc, char **argv)
{
	int i = cli_getopt(s, argc, argv, NULL, NULL), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i == argc || argc - i > 2)
		return cli_usage(s, i == argc ? "no set given" : "too many arguments");
	if (argc - i == 2) {
		const char *mp = argv[i + 1];

		if (mp[0] != '/')
			return cli_usage(s, "%s: the mountpoint must be an absolute path", mp);
		for (const char *c = mp; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return cli_usage(s, "the mountpoint may not hold control characters");
	}
	if ((r = cli_open(s)))
		return r;
	if (vss_set_expose(s->ctx, argv[i], argc - i == 2 ? argv[i + 1] : NULL))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}

int cmd_unexpose(struct session *s, int argc, char **argv)
{
	int i = cli_getopt(s, argc, argv, NULL, NULL), r;

	if (i < 0)
		return VSS_EXIT_USAGE;
	if (i != argc - 1)
		return cli_usage(s, i == argc ? "no set given" : "too many arguments");
	if ((r = cli_open(s)))
		return r;
	if (vss_set_unexpose(s->ctx, argv[i]))
		return cli_engine_error(s);
	return VSS_EXIT_OK;
}

/* monitor [--once] [-i SECONDS] */
#include "config.h"
#include "cmd.h"

#include <stdio.h>

struct opts {
	bool once;
	unsigned interval_ms;
};

static int on_option(struct session *s, int c, const char *arg, void *data)
{
	struct opts *o = data;

	if (c == 'o') {
		o->once = true;
		return 0;
	}
	if (vss_parse_seconds(arg, &o->interval_ms) || o->interval_ms < 1000 ||
	    o->interval_ms > 3600 * 1000)
		return cli_usage(s, "--interval %s: must be a duration in seconds from 1 to 3600", arg);
	return 0;
}

int cmd_monitor(struct session *s, int argc, char **argv)
{
	struct opts o = { 0 };
	unsigned broken = 0;
	int i, r;

	if ((i = cli_getopt(s, argc, argv, on_option, &o)) < 0)
		return VSS_EXIT_USAGE;
	if (i < argc)
		return cli_usage(s, "unexpected argument '%s'", argv[i]);
	if ((r = cli_open(s)))
		return r;
	if (!o.interval_ms)
		o.interval_ms = s->cfg.monitor_interval_ms;
	if (vss_monitor(s->ctx, o.interval_ms, o.once, &broken))
		return cli_engine_error(s);
	/* A check from cron or a script must see trouble in the status; the
	 * service, stopped by a signal, must not fail for it. */
	if (o.once && broken)
		return cli_error(s, VSS_EXIT_BROKEN, "%u shadow%s or pool%s need%s attention (see the "
				 "warnings above)", broken, broken == 1 ? "" : "s", broken == 1 ? "" : "s",
				 broken == 1 ? "s" : "");
	return VSS_EXIT_OK;
}

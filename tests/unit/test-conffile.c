/* vss.conf: values, every error with its FILE:LINE, unsafe files refused. */
#include "config.h"
#include "config/conffile.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

static char dir[] = "/tmp/vss-test-conf.XXXXXX";

static const char *conf(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

int main(void)
{
	struct vss_config cfg;
	char err[2048], want[2048];
	const char *path;
	unsigned ms;

	if (!mkdtemp(dir))
		return 99;
	unsetenv("VSS_STATE_DIR");
	unsetenv("VSS_RUN_DIR");
	unsetenv("VSS_LOCK_TIMEOUT");
	unsetenv("VSS_CONFIG");

	path = conf("good.conf", "# comment\n[vss]\nstate_dir = /srv/vss\nlock_timeout = 2.5\n", 0644);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == 0, "a good file loads (%s)", err);
	is_str(cfg.state_dir, "/srv/vss", "state_dir is read");
	ok(cfg.lock_timeout_ms == 2500, "lock_timeout 2.5 is 2500 ms (%u)", cfg.lock_timeout_ms);
	is_str(cfg.run_dir, VSS_RUN_DIR, "run_dir keeps its default");

	setenv("VSS_STATE_DIR", "/tmp/elsewhere", 1);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == 0, "the environment is read");
	is_str(cfg.state_dir, "/tmp/elsewhere", "VSS_STATE_DIR overrides the file");
	unsetenv("VSS_STATE_DIR");

	path = conf("bad.conf",
		    "[vss]\n"
		    "state_dir = /ok\n"
		    "colour = blue\n"
		    "lock_timeout = soon\n"
		    "run_dir = relative/run\n"
		    "[writer pg]\n"
		    "command = /bin/true\n", 0600);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == -EINVAL, "a bad file is -EINVAL");
	snprintf(want, sizeof(want),
		 "%s:3: unknown key 'colour' in [vss]\n"
		 "%s:4: lock_timeout: 'soon' is not a duration in seconds\n"
		 "%s:5: run_dir must be an absolute path, not 'relative/run'\n"
		 "%s:7: unknown section [writer pg]",
		 path, path, path, path);
	is_str(err, want, "every error is reported, each with FILE:LINE");

	path = conf("syntax.conf", "[vss]\nstate_dir /x\n", 0600);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == -EINVAL, "a syntax error is -EINVAL");
	snprintf(want, sizeof(want), "%s:2: not a 'key = value' line or a [section]", path);
	is_str(err, want, "and names its line");

	path = conf("open.conf", "[vss]\n", 0664);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == -EPERM, "a group-writable file is refused");
	snprintf(want, sizeof(want), "%s: refused: writable by its group", path);
	is_str(err, want, "saying why");
	path = conf("world.conf", "[vss]\n", 0666);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == -EPERM, "a world-writable file is refused");
	snprintf(want, sizeof(want), "%s: refused: writable by everyone", path);
	is_str(err, want, "saying why");

	ok(vss_config_load(&cfg, "/nonexistent/vss.conf", false, err, sizeof(err)) == -ENOENT,
	   "a named file that does not exist is an error");
	is_str(err, "/nonexistent/vss.conf: No such file or directory", "saying which");

	setenv("VSS_LOCK_TIMEOUT", "never", 1);
	ok(vss_config_load(&cfg, conf("g2.conf", "[vss]\n", 0600), false, err, sizeof(err)) == -EINVAL,
	   "a bad VSS_LOCK_TIMEOUT is an error");
	is_str(err, "VSS_LOCK_TIMEOUT: 'never' is not a duration in seconds", "naming the variable");
	unsetenv("VSS_LOCK_TIMEOUT");

	ok(vss_parse_seconds("10", &ms) == 0 && ms == 10000, "10 is 10 s");
	ok(vss_parse_seconds("500ms", &ms) == 0 && ms == 500, "500ms");
	ok(vss_parse_seconds("1.5s", &ms) == 0 && ms == 1500, "1.5s");
	ok(vss_parse_seconds("-1", &ms) == -EINVAL, "negative is refused");
	ok(vss_parse_seconds("5m", &ms) == -EINVAL, "an unknown unit is refused");
	ok(vss_parse_seconds("", &ms) == -EINVAL, "empty is refused");
	ok(vss_parse_seconds("1e9", &ms) == -ERANGE, "more than a day is out of range");

	snprintf(want, sizeof(want), "rm -rf '%s'", dir);
	if (system(want))
		return 99;
	return done_testing();
}

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

/* [writer NAME] sections: values, and every kind of mistake at once. */
static void writers(const char *d)
{
	struct vss_config cfg;
	char err[4096], want[4096], prog[600], unsafe[600];
	const char *path;
	FILE *f;

	snprintf(prog, sizeof(prog), "%s/writer", d);
	f = fopen(prog, "w");
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	chmod(prog, 0755);
	snprintf(unsafe, sizeof(unsafe), "%s/open-writer", d);
	f = fopen(unsafe, "w");
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	chmod(unsafe, 0775);

	snprintf(want, sizeof(want),
		 "[vss]\nfreeze_timeout = 2.5\ncontext = auto-release\nhook_timeout = 3\n"
		 "[writer pg]\ntype = coprocess\ncommand = %s --user 'post gres'\n"
		 "volumes = /var/lib/postgresql /srv/db\ntimeout = 4\nretries = 5\nenabled = no\n"
		 "[ writer   simple ]\ncommand = %s\n", prog, prog);
	path = conf("writers.conf", want, 0644);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == 0, "writer sections load (%s)", err);
	ok(cfg.freeze_timeout_ms == 2500 && cfg.hook_timeout_ms == 3000 &&
	   cfg.context == VSS_CONTEXT_AUTO_RELEASE, "freeze_timeout, hook_timeout, context are read");
	ok(cfg.nwriters == 2, "two writers (%zu)", cfg.nwriters);
	if (cfg.nwriters == 2) {
		const struct vss_writer_def *w = &cfg.writers[0];

		is_str(w->name, "pg", "the first is pg");
		ok(w->type == VSS_WRITER_COPROCESS, "a coprocess");
		is_str(w->argv[0], prog, "its program");
		is_str(w->argv[2], "post gres", "quoted words stay whole");
		ok(w->argv[3] == NULL, "argv ends");
		ok(w->nvolumes == 2 && !strcmp(w->volumes[1], "/srv/db"), "two volumes paths");
		ok(w->timeout_ms == 4000 && w->retries == 5 && !w->enabled, "timeout, retries, enabled");
		is_str(cfg.writers[1].name, "simple", "blanks around a section name do not count");
		ok(cfg.writers[1].type == VSS_WRITER_EXEC && cfg.writers[1].enabled &&
		   cfg.writers[1].timeout_ms == VSS_DEFAULT_WRITER_TIMEOUT_MS &&
		   cfg.writers[1].retries == VSS_DEFAULT_WRITER_RETRIES, "defaults: exec, enabled, 10 s, 2 retries");
	}
	vss_config_free(&cfg);

	snprintf(want, sizeof(want),
		 "[vss]\nfreeze_timeout = 0\nhook_dir = hooks\ncontext = later\nfreeze_timeout = 3\n" /* 2-5 */
		 "[writer a]\ntype = shell\ncommand = relative/prog\ntimeout = forever\n"   /* 6-9 */
		 "retries = 11\nenabled = maybe\nvolumes = var/lib\ncolour = red\ntype = exec\n" /* 10-14 */
		 "[writer a]\ncommand = /bin/true\n"                                        /* 15-16 */
		 "[writer bad name]\ncommand = /bin/true\n"                                 /* 17-18 */
		 "[writer none]\n"                                                           /* 19 */
		 "[writer nocmd]\ntimeout = 1\n"                                            /* 20-21 */
		 "[writer open]\ncommand = %s\n"                                            /* 22-23 */
		 "[writer missing]\ncommand = %s/not-there\n"                               /* 24-25 */
		 "[writer quote]\ncommand = %s 'unclosed\n",                                /* 26-27 */
		 unsafe, d, prog);
	path = conf("badwriters.conf", want, 0644);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == -EINVAL, "bad writers: -EINVAL");
	snprintf(want, sizeof(want),
		 "%1$s:2: freeze_timeout '0': must be a duration in seconds, more than 0 and at most 600\n"
		 "%1$s:3: hook_dir must be an absolute path, not 'hooks'\n"
		 "%1$s:4: context 'later': must be persistent or auto-release\n"
		 "%1$s:5: freeze_timeout is given twice in [vss]\n"
		 "%1$s:7: writer a: type 'shell': must be exec or coprocess\n"
		 "%1$s:8: writer a: command: 'relative/prog' must be an absolute path (it is run as it is, never through a shell or $PATH)\n"
		 "%1$s:9: writer a: timeout 'forever': must be a duration in seconds, more than 0 and at most 3600\n"
		 "%1$s:10: writer a: retries '11': must be a number from 0 to 10\n"
		 "%1$s:11: writer a: enabled 'maybe': must be yes or no\n"
		 "%1$s:12: writer a: volumes: 'var/lib' is not an absolute path\n"
		 "%1$s:13: unknown key 'colour' in [writer a]\n"
		 "%1$s:14: writer a: type is given twice\n"
		 "%1$s:15: [writer a] defined twice (first at line 6)\n"
		 "%1$s:17: [writer bad name]: its name may hold only letters, digits and . _ + -\n"
		 "%1$s:19: [writer none]: its name may not be none (--writers none means no writer)\n"
		 "%1$s:23: writer open: command %2$s: refused: writable by its group\n"
		 "%1$s:27: writer quote: command: a quote is not closed\n"
		 "%1$s:20: writer nocmd: has no command",
		 path, unsafe);
	is_str(err, want, "every writer mistake at once, each with its line");
	vss_config_free(&cfg);

	/* Every malformed line at its own line; continued values refused. */
	path = conf("syntax2.conf", "\xEF\xBB\xBF[vss]\nstate_dir /x\ncontext = persistent\n"
		    "  auto-release\n[writer\njunk\n[writer]\n[writer w]\ncommand = /bin/true\n"
		    "  [writer v]\n", 0644);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == -EINVAL, "syntax errors: -EINVAL");
	snprintf(want, sizeof(want),
		 "%1$s:2: not a 'key = value' line or a [section]\n"
		 "%1$s:4: a line beginning with a blank continues the value above; vss takes each value on one line\n"
		 "%1$s:5: a [section] line without its ']'\n"
		 "%1$s:6: not a 'key = value' line or a [section]\n"
		 "%1$s:7: [writer ]: its name is empty\n"
		 "%1$s:10: a line beginning with a blank continues the value above; vss takes each value on one line",
		 path);
	is_str(err, want, "each at its line, a byte order mark skipped");
	vss_config_free(&cfg);

	/* inih reads at most 200 bytes a line: a longer one is said to be. */
	{
		char longline[400];

		memset(longline, 'x', sizeof(longline) - 1);
		longline[sizeof(longline) - 1] = '\0';
		snprintf(want, sizeof(want), "[vss]\n# %s\nfrobs = 1\n", longline);
		path = conf("long.conf", want, 0644);
		ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == -EINVAL, "a long line: -EINVAL");
		snprintf(want, sizeof(want), "%s:2: line longer than 198 characters\n"
			 "%s:3: unknown key 'frobs' in [vss]", path, path);
		is_str(err, want, "a long line is named, and the lines after it keep their numbers");
		vss_config_free(&cfg);
	}
	path = conf("badwriters.conf", "", 0644);
	snprintf(want, sizeof(want), "[writer missing]\ncommand = %s/not-there\n", d);
	path = conf("badwriters.conf", want, 0644);
	/* check-config insists that programs exist now. */
	ok(vss_config_load(&cfg, path, true, err, sizeof(err)) == -EINVAL, "strict: -EINVAL");
	snprintf(want, sizeof(want), "%s:2: writer missing: command %s/not-there: refused: no such file",
		 path, d);
	ok(strstr(err, want) != NULL, "strict: a missing program is an error too");
	vss_config_free(&cfg);
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
	vss_config_free(&cfg);

	setenv("VSS_STATE_DIR", "/tmp/elsewhere", 1);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == 0, "the environment is read");
	is_str(cfg.state_dir, "/tmp/elsewhere", "VSS_STATE_DIR overrides the file");
	vss_config_free(&cfg);
	unsetenv("VSS_STATE_DIR");

	path = conf("bad.conf",
		    "[vss]\n"
		    "state_dir = /ok\n"
		    "colour = blue\n"
		    "lock_timeout = soon\n"
		    "run_dir = relative/run\n"
		    "[writers pg]\n"
		    "command = /bin/true\n", 0600);
	ok(vss_config_load(&cfg, path, false, err, sizeof(err)) == -EINVAL, "a bad file is -EINVAL");
	snprintf(want, sizeof(want),
		 "%s:3: unknown key 'colour' in [vss]\n"
		 "%s:4: lock_timeout: 'soon' is not a duration in seconds\n"
		 "%s:5: run_dir must be an absolute path, not 'relative/run'\n"
		 "%s:6: unknown section [writers pg]",
		 path, path, path, path);
	is_str(err, want, "every error is reported, each with FILE:LINE");
	vss_config_free(&cfg);

	writers(dir);

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

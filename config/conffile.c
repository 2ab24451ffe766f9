/*
 * The configuration file, read with inih. vss runs as root and a later
 * release runs hook programs named here, so, as doas does, a file that
 * someone other than root could have written is refused outright.
 */
#include "config.h"
#include "parse.h"
#include "engine/vss.h"

#include <errno.h>
#include <dirent.h>
#include <ini.h>
#include <stdbool.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int set_dir(struct parse *p, char *dst, size_t len, const char *key, const char *value)
{
	if (value[0] != '/') {
		conf_complain(p, "%s:%d: %s must be an absolute path, not '%s'", p->cfg->path, p->line,
			 key, value);
		return 0;
	}
	snprintf(dst, len, "%s", value);
	return 0;
}

static void set_hook_dir(struct parse *p, const char *value)
{
	struct vss_config *cfg = p->cfg;
	struct stat st;

	if (value[0] != '/') {
		conf_complain(p, "%s:%d: hook_dir must be an absolute path, not '%s'", cfg->path, p->line,
			      value);
		return;
	}
	snprintf(cfg->hook_dir, sizeof(cfg->hook_dir), "%s", value);
	/* Whoever can add a file there runs it as root. */
	if (stat(value, &st) == 0 && ((st.st_uid != 0 && st.st_uid != geteuid()) ||
				      (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		p->hook_dir_refused = true;
		conf_complain(p, "%s:%d: hook_dir %s: refused: %s", cfg->path, p->line, value,
			      st.st_uid != 0 && st.st_uid != geteuid() ? "not owned by root" :
			      st.st_mode & S_IWOTH ? "writable by everyone" : "writable by its group");
	} else if (p->strict && stat(value, &st) < 0)
		conf_complain(p, "%s:%d: hook_dir %s: %s", cfg->path, p->line, value, strerror(errno));
	else if (p->strict && !S_ISDIR(st.st_mode))
		conf_complain(p, "%s:%d: hook_dir %s: not a directory", cfg->path, p->line, value);
}

static void on_vss_value(struct parse *p, const char *key, const char *value)
{
	struct vss_config *cfg = p->cfg;
	int line = p->line;

	if (conf_key_twice(p->vss_keys, sizeof(p->vss_keys), key)) {
		conf_complain(p, "%s:%d: %s is given twice in [vss]", cfg->path, line, key);
		return;
	}
	if (!strcmp(key, "state_dir"))
		set_dir(p, cfg->state_dir, sizeof(cfg->state_dir), key, value);
	else if (!strcmp(key, "run_dir"))
		set_dir(p, cfg->run_dir, sizeof(cfg->run_dir), key, value);
	else if (!strcmp(key, "lock_timeout")) {
		if (vss_parse_seconds(value, &cfg->lock_timeout_ms))
			conf_complain(p, "%s:%d: lock_timeout: '%s' is not a duration in seconds",
				 cfg->path, line, value);
	} else if (!strcmp(key, "cow_size")) {
		if (vss_parse_cow_size(value, &cfg->cow_bytes, &cfg->cow_percent))
			conf_complain(p, "%s:%d: cow_size: '%s' is neither a size (512M) nor a percentage "
				 "of the origin (1%% to 100%%)", cfg->path, line, value);
	} else if (!strcmp(key, "chunk_size")) {
		uint64_t b;

		if (vss_size_parse(value, &b) || b < 4096 || b > 524288 || (b & (b - 1)))
			conf_complain(p, "%s:%d: chunk_size: '%s' is not a power of two from 4K to 512K",
				 cfg->path, line, value);
		else
			cfg->chunk_bytes = b;
	} else if (!strcmp(key, "freeze_timeout")) {
		if (vss_parse_seconds(value, &cfg->freeze_timeout_ms) || !cfg->freeze_timeout_ms ||
		    cfg->freeze_timeout_ms > 600 * 1000)
			conf_complain(p, "%s:%d: freeze_timeout '%s': must be a duration in seconds, more "
				      "than 0 and at most 600", cfg->path, line, value);
	} else if (!strcmp(key, "context")) {
		if (vss_context_parse(value, &cfg->context))
			conf_complain(p, "%s:%d: context '%s': must be persistent or auto-release",
				      cfg->path, line, value);
	} else if (!strcmp(key, "hook_dir")) {
		set_hook_dir(p, value);
	} else if (!strcmp(key, "hook_timeout")) {
		if (vss_parse_seconds(value, &cfg->hook_timeout_ms) || !cfg->hook_timeout_ms ||
		    cfg->hook_timeout_ms > 3600 * 1000)
			conf_complain(p, "%s:%d: hook_timeout '%s': must be a duration in seconds, more "
				      "than 0 and at most 3600", cfg->path, line, value);
	} else if (!conf_policy_value(p, key, value))
		conf_complain(p, "%s:%d: unknown key '%s' in [vss]", cfg->path, line, key);
}

static int on_value(void *data, const char *section, const char *key, const char *value)
{
	struct parse *p = data;

	(void)section; /* inih cuts long names: read_line saw the whole header */
	if (!strcmp(p->section, "vss"))
		on_vss_value(p, key, value);
	else if (p->writer && !p->writer->ignore)
		conf_writer_value(p, key, value);
	else if (!p->section[0])
		conf_complain(p, "%s:%d: '%s' is outside any section; put it under [vss]", p->cfg->path,
			      p->line, key);
	/* else: under a section already reported */
	return 1;
}

int vss_parse_cow_size(const char *s, uint64_t *bytes, unsigned *percent)
{
	size_t len = strlen(s);

	if (len > 1 && s[len - 1] == '%') {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end != s + len - 1 || v < 1 || v > 100 || s[0] == '-' || s[0] == '+')
			return -EINVAL;
		*percent = (unsigned)v;
		*bytes = 0;
		return 0;
	}
	if (vss_size_parse(s, bytes) || *bytes == 0)
		return -EINVAL;
	*percent = 0;
	return 0;
}

/* inih reads through here: we count lines, and see each [section] header
 * whole (inih keeps only 49 bytes of a name, and tells us of a section
 * only with its first key). */
static char *read_line(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	char *s, *t, *end = NULL;

	p->line++;
	if (!fgets(buf, size, p->f))
		return NULL;
	/* inih would take the rest of a long line as a line of its own. */
	if (!strchr(buf, '\n') && !feof(p->f)) {
		int c;

		while ((c = fgetc(p->f)) != EOF && c != '\n')
			;
		conf_complain(p, "%s:%d: line longer than %d characters", p->cfg->path, p->line,
			      size - 2);
		buf[0] = '\0';
		return buf;
	}
	/* inih skips a byte order mark itself; we look past it too. */
	s = buf + (p->line == 1 && !strncmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0);
	t = s + strspn(s, " \t\r\n");
	if (!*t || *t == ';' || *t == '#')
		return buf;
	/* Each mistake at its own line, all of them: inih stops counting at
	 * its first, and would read an indented line as more of the value
	 * above (a second value, or a section, swallowed). */
	if (t > s && p->had_key) {
		conf_complain(p, "%s:%d: a line beginning with a blank continues the value above; "
			      "vss takes each value on one line", p->cfg->path, p->line);
		buf[0] = '\0';
		return buf;
	}
	if (*t == '[' && !(end = strchr(t, ']'))) {
		conf_complain(p, "%s:%d: a [section] line without its ']'", p->cfg->path, p->line);
		buf[0] = '\0';
		return buf;
	}
	if (*t == '[') {
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)(end - t - 1), t + 1);
		/* Blanks around the name do not count. */
		for (char *e = name + strlen(name); e > name && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		conf_section(p, name + strspn(name, " \t"));
		p->had_key = false;
		return buf;
	}
	if (!strpbrk(t, "=:")) {
		conf_complain(p, "%s:%d: not a 'key = value' line or a [section]", p->cfg->path, p->line);
		buf[0] = '\0';
		return buf;
	}
	p->had_key = true;
	return buf;
}

/* check-config: the hooks that would run now must be safe to. */
static void check_hooks(struct parse *p)
{
	struct vss_config *cfg = p->cfg;
	struct dirent *e;
	DIR *d;

	if (!cfg->hook_dir[0] || p->hook_dir_refused || !(d = opendir(cfg->hook_dir)))
		return;
	while ((e = readdir(d))) {
		char path[8192], why[300];
		struct stat st;

		if (vss_hook_name_skipped(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", cfg->hook_dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			continue;
		if (vss_program_check(path, why, sizeof(why)))
			conf_complain(p, "%s: hook %s: refused: %s", cfg->path, path, why);
	}
	closedir(d);
}

static int check_owner(struct parse *p, FILE *f)
{
	struct stat st;

	if (fstat(fileno(f), &st) < 0) {
		int err = errno;

		conf_complain(p, "%s: %s", p->cfg->path, strerror(err));
		return -err;
	}
	/* Root runs vss with root's file; anyone else can harm only themselves. */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		conf_complain(p, "%s: refused: owned by uid %u, not root", p->cfg->path, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		conf_complain(p, "%s: refused: writable by %s", p->cfg->path,
			 st.st_mode & S_IWOTH ? "everyone" : "its group");
		return -EPERM;
	}
	return 0;
}

static void from_env(struct vss_config *cfg, struct parse *p)
{
	const char *v;

	if ((v = getenv("VSS_STATE_DIR")) && *v)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", v);
	if ((v = getenv("VSS_RUN_DIR")) && *v)
		snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s", v);
	if ((v = getenv("VSS_LOCK_TIMEOUT")) && *v && vss_parse_seconds(v, &cfg->lock_timeout_ms))
		conf_complain(p, "VSS_LOCK_TIMEOUT: '%s' is not a duration in seconds", v);
}

int vss_config_load(struct vss_config *cfg, const char *path, bool strict, char *err,
		    size_t errlen)
{
	struct parse p = { .cfg = cfg, .err = err, .errlen = errlen, .strict = strict };
	bool optional = false;
	int r = 0;

	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", VSS_STATE_DIR);
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s", VSS_RUN_DIR);
	cfg->lock_timeout_ms = VSS_DEFAULT_LOCK_TIMEOUT_MS;
	cfg->freeze_timeout_ms = VSS_DEFAULT_FREEZE_TIMEOUT_MS;
	cfg->hook_timeout_ms = VSS_DEFAULT_WRITER_TIMEOUT_MS;
	cfg->context = VSS_CONTEXT_PERSISTENT;
	conf_policy_defaults(cfg);
	if (!(cfg->store = calloc(1, sizeof(*cfg->store)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!path && !(path = getenv("VSS_CONFIG"))) {
		path = VSS_CONF_FILE;
		optional = true;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	p.f = fopen(path, "re");
	if (!p.f) {
		int e = errno;

		if (optional && e == ENOENT) {
			cfg->path[0] = '\0';
			goto env;
		}
		conf_complain(&p, "%s: %s", path, strerror(e));
		vss_config_free(cfg);
		return -e;
	}
	if ((r = check_owner(&p, p.f)) == 0) {
		r = ini_parse_stream(read_line, &p, on_value, &p);
		if (r > 0)
			conf_complain(&p, "%s:%d: not a 'key = value' line or a [section]", path, r);
		r = 0;
		conf_writers_finish(&p);
		conf_policy_finish(&p);
		if (strict)
			check_hooks(&p);
	}
	fclose(p.f);
	if (r) {
		vss_config_free(cfg);
		return r;
	}
env:
	from_env(cfg, &p);
	if (p.used) {
		vss_config_free(cfg);
		return -EINVAL;
	}
	return 0;
}

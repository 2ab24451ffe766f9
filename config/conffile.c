/*
 * The configuration file, read with inih. vss runs as root and a later
 * release runs hook programs named here, so, as doas does, a file that
 * someone other than root could have written is refused outright.
 */
#include "config.h"
#include "conffile.h"
#include "engine/vss.h"

#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* inih hands its reader the stream and its handler the user pointer: both
 * get this, so the handler knows the line the reader is on. */
struct parse {
	struct vss_config *cfg;
	char *err;
	size_t errlen, used;
	FILE *f;
	int line;
};

__attribute__((format(printf, 2, 3)))
static void complain(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->used + 1 >= p->errlen)
		return;
	if (p->used)
		p->err[p->used++] = '\n';
	va_start(ap, fmt);
	n = vsnprintf(p->err + p->used, p->errlen - p->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->used += (size_t)n < p->errlen - p->used ? (size_t)n : p->errlen - p->used - 1;
}

int vss_parse_seconds(const char *s, unsigned *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || isnan(v) || v < 0)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v > 86400)
		return -ERANGE;
	*ms = (unsigned)(v * 1000 + 0.5);
	return 0;
}

static int set_dir(struct parse *p, char *dst, size_t len, const char *key, const char *value)
{
	if (value[0] != '/') {
		complain(p, "%s:%d: %s must be an absolute path, not '%s'", p->cfg->path, p->line,
			 key, value);
		return 0;
	}
	snprintf(dst, len, "%s", value);
	return 0;
}

static int on_value(void *data, const char *section, const char *key, const char *value)
{
	struct parse *p = data;
	struct vss_config *cfg = p->cfg;
	int line = p->line;

	if (strcmp(section, "vss")) {
		/* [writer NAME] sections arrive with writers; until then say so. */
		complain(p, "%s:%d: unknown section [%s]", cfg->path, line, section);
		return 1;
	}
	if (!strcmp(key, "state_dir"))
		set_dir(p, cfg->state_dir, sizeof(cfg->state_dir), key, value);
	else if (!strcmp(key, "run_dir"))
		set_dir(p, cfg->run_dir, sizeof(cfg->run_dir), key, value);
	else if (!strcmp(key, "lock_timeout")) {
		if (vss_parse_seconds(value, &cfg->lock_timeout_ms))
			complain(p, "%s:%d: lock_timeout: '%s' is not a duration in seconds",
				 cfg->path, line, value);
	} else if (!strcmp(key, "cow_size")) {
		if (vss_parse_cow_size(value, &cfg->cow_bytes, &cfg->cow_percent))
			complain(p, "%s:%d: cow_size: '%s' is neither a size (512M) nor a percentage "
				 "of the origin (1%% to 100%%)", cfg->path, line, value);
	} else if (!strcmp(key, "chunk_size")) {
		uint64_t b;

		if (vss_size_parse(value, &b) || b < 4096 || b > 524288 || (b & (b - 1)))
			complain(p, "%s:%d: chunk_size: '%s' is not a power of two from 4K to 512K",
				 cfg->path, line, value);
		else
			cfg->chunk_bytes = b;
	} else
		complain(p, "%s:%d: unknown key '%s' in [vss]", cfg->path, line, key);
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

static char *read_line(char *buf, int size, void *stream)
{
	struct parse *p = stream;

	p->line++;
	return fgets(buf, size, p->f);
}

static int check_owner(struct parse *p, FILE *f)
{
	struct stat st;

	if (fstat(fileno(f), &st) < 0) {
		int err = errno;

		complain(p, "%s: %s", p->cfg->path, strerror(err));
		return -err;
	}
	/* Root runs vss with root's file; anyone else can harm only themselves. */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		complain(p, "%s: refused: owned by uid %u, not root", p->cfg->path, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		complain(p, "%s: refused: writable by %s", p->cfg->path,
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
		complain(p, "VSS_LOCK_TIMEOUT: '%s' is not a duration in seconds", v);
}

int vss_config_load(struct vss_config *cfg, const char *path, char *err, size_t errlen)
{
	struct parse p = { .cfg = cfg, .err = err, .errlen = errlen };
	bool optional = false;
	int r = 0;

	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", VSS_STATE_DIR);
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s", VSS_RUN_DIR);
	cfg->lock_timeout_ms = VSS_DEFAULT_LOCK_TIMEOUT_MS;
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
		complain(&p, "%s: %s", path, strerror(e));
		return -e;
	}
	if ((r = check_owner(&p, p.f)) == 0) {
		r = ini_parse_stream(read_line, &p, on_value, &p);
		if (r > 0)
			complain(&p, "%s:%d: not a 'key = value' line or a [section]", path, r);
		r = 0;
	}
	fclose(p.f);
	if (r)
		return r;
env:
	from_env(cfg, &p);
	return p.used ? -EINVAL : 0;
}

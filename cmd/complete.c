/* Completion: command words from the table, options from each command's
 * entry, and operands by their kind (sets, volumes, writers, paths). The
 * shell and bash ask the same function. */
#include "config.h"
#include "cmd.h"
#include "complete.h"

#include "words.h"

#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void add(struct cands *c, const char *prefix, const char *word)
{
	char **v;

	if (strncmp(word, prefix, strlen(prefix)))
		return;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i], word))
			return;
	if (!(v = realloc(c->v, (c->n + 1) * sizeof(*v))))
		return;
	c->v = v;
	if ((v[c->n] = strdup(word)))
		c->n++;
}

/* Each space-separated word of LIST. */
static void add_list(struct cands *c, const char *prefix, const char *list)
{
	char word[128];

	while (*list) {
		size_t len = strcspn(list, " ");

		snprintf(word, sizeof(word), "%.*s", (int)len, list);
		add(c, prefix, word);
		list += len;
		list += *list == ' ';
	}
}

void cands_free(struct cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Word K of the commands whose first K words begin with WORDS'. */
static void command_words(struct cands *c, int k, char **words, const char *prefix)
{
	for (const struct cmd *cmd = vss_commands; cmd->name; cmd++) {
		const char *p = cmd->name;
		char word[64];
		bool match = true;

		for (int i = 0; i < k && match; i++) {
			size_t len = strcspn(p, " ");

			match = *p && strlen(words[i]) <= len && !strncmp(p, words[i], strlen(words[i]));
			p += len;
			p += *p == ' ';
		}
		if (!match || !*p)
			continue;
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(p, " "), p);
		add(c, prefix, word);
	}
}

static void paths(struct cands *c, const char *prefix)
{
	char pattern[4096];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s*", prefix);
	if (glob(pattern, GLOB_MARK, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		add(c, prefix, g.gl_pathv[i]);
	globfree(&g);
}

/* ---- block devices, for the operands that name one ---- */

/* The free block devices (vss_free_devices) beginning with PREFIX. */
static void block_devices(struct cands *c, const char *prefix)
{
	char **paths;
	size_t n;

	if (vss_free_devices(&paths, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		add(c, prefix, paths[i]);
		free(paths[i]);
	}
	free(paths);
}

/* Paths beginning with PREFIX on the way to a device: directories, and
 * free block devices (/dev/disk/by-id/..., a node of one's own). */
static void device_paths(struct cands *c, const char *prefix)
{
	char pattern[4096];
	struct stat st;
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s*", prefix);
	if (glob(pattern, GLOB_MARK, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i];

		if (p[strlen(p) - 1] == '/' ||
		    (!stat(p, &st) && S_ISBLK(st.st_mode) && vss_device_free(st.st_rdev)))
			add(c, prefix, p);
	}
	globfree(&g);
}

/* Whether all there is to offer for PREFIX is in the list of free devices:
 * on the way to "/dev/", or a name right in /dev/mapper. */
static bool scanned(const char *prefix)
{
	size_t n = strlen(prefix);

	return (n && n <= 5 && !strncmp("/dev/", prefix, n)) ||
	       (!strncmp(prefix, "/dev/mapper/", 12) && !strchr(prefix + 12, '/'));
}

/* A DEVICE operand (volume import; storage add's DEVICE|DIRECTORY): the
 * free block devices; where none begins with what is typed, a path
 * (directories lead to devices, and are storage add's other answer). A
 * regular file is never one. */
static void devices(struct cands *c, const char *prefix)
{
	size_t before = c->n;

	block_devices(c, prefix);
	if (c->n == before && !scanned(prefix))
		device_paths(c, prefix);
}

/* The first operand is the device (volume import DEVICE NAME: the NAME
 * is new, nothing to offer). */
static void device_operand(struct cands *c, int operand, const char *prefix)
{
	if (operand == 0)
		devices(c, prefix);
}

static void load_config(struct session *s)
{
	char err[256];

	if (!s->cfg_loaded && !vss_config_load(&s->cfg, s->config_path, false, err, sizeof(err)))
		s->cfg_loaded = true;
}

/* The engine, quietly: no message of its reaches the terminal, and
 * without root there is nothing to ask it. */
static struct vss_ctx *quiet_engine(struct session *s)
{
	struct vss_options opts = { 0 };
	struct vss_ctx *ctx;

	if (geteuid() != 0)
		return NULL;
	load_config(s);
	opts.state_dir = s->cfg_loaded ? s->cfg.state_dir : NULL;
	opts.run_dir = s->cfg_loaded ? s->cfg.run_dir : NULL;
	return vss_ctx_new(&ctx, &opts) ? NULL : ctx;
}

static void sets(struct session *s, struct cands *c, const char *prefix, bool shadows)
{
	struct vss_ctx *ctx = quiet_engine(s);
	struct vss_set *v;
	size_t n;

	if (!ctx || vss_set_list(ctx, &v, &n)) {
		vss_ctx_free(ctx);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char word[256];

		add(c, prefix, v[i].id);
		if (v[i].label[0] && !strpbrk(v[i].label, " \t'\"\\;#/"))
			add(c, prefix, v[i].label);
		for (size_t k = 0; shadows && k < v[i].n; k++) {
			snprintf(word, sizeof(word), "%s/%s", v[i].id, v[i].shadows[k].volume);
			add(c, prefix, word);
		}
	}
	vss_sets_free(v, n);
	vss_ctx_free(ctx);
}

static void volumes(struct session *s, struct cands *c, const char *prefix)
{
	struct vss_ctx *ctx = quiet_engine(s);
	struct vss_volume *v;
	size_t n;

	if (ctx && !vss_volume_list(ctx, &v, &n)) {
		for (size_t i = 0; i < n; i++)
			add(c, prefix, v[i].name);
		free(v);
	}
	vss_ctx_free(ctx);
	if (strchr(prefix, '/'))
		paths(c, prefix);
}

static void areas(struct session *s, struct cands *c, const char *prefix)
{
	struct vss_ctx *ctx = quiet_engine(s);
	struct vss_storage_area *v;
	size_t n;

	if (ctx && !vss_storage_list(ctx, &v, &n)) {
		for (size_t i = 0; i < n; i++)
			add(c, prefix, v[i].path);
		free(v);
	}
	vss_ctx_free(ctx);
}

static void writers(struct session *s, struct cands *c, const char *prefix, bool list)
{
	const char *last = list ? strrchr(prefix, ',') : NULL;
	char word[256];

	load_config(s);
	if (list && !last) {
		add(c, prefix, "all");
		add(c, prefix, "none");
	}
	for (size_t i = 0; s->cfg_loaded && i < s->cfg.nwriters; i++) {
		/* In a list, the last name is the one completed. */
		snprintf(word, sizeof(word), "%.*s%s", last ? (int)(last - prefix + 1) : 0, prefix,
			 s->cfg.writers[i].name);
		add(c, prefix, word);
	}
}

static void providers(struct cands *c, const char *prefix)
{
	char names[256];

	cli_provider_list(names, sizeof(names), " ", " ");
	add_list(c, prefix, names);
}

static void setting(struct session *s, struct cands *c, int k, char **words, const char *prefix)
{
	static const char *const values[][2] = {
		{ "context", "persistent auto-release" },
		{ "verbose", "on off debug" },
		{ "on-error", "stop continue" },
	};

	if (k == 0) {
		add_list(c, prefix, "context writers provider verbose on-error");
		return;
	}
	if (k != 1)
		return;
	if (!strcmp(words[0], "writers"))
		writers(s, c, prefix, true);
	if (!strcmp(words[0], "provider"))
		providers(c, prefix);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (!strcmp(words[0], values[i][0]))
			add_list(c, prefix, values[i][1]);
}

/* Whether NAME is one of the comma-separated words in the first HEAD
 * characters of LIST. */
static bool listed(const char *list, size_t head, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = list[0] == '+'; i < head; i += strcspn(list + i, ",") + 1)
		if (!strncasecmp(list + i, name, len) && (list[i + len] == ',' || i + len == head))
			return true;
	return false;
}

/* -o's value: the listing's columns, each after those already typed
 * ("NAME,TY" -> "NAME,TYPE"); case as typed is kept before the last comma. */
static void columns(struct cands *c, const struct cli_listing *l, const char *prefix)
{
	const char *last = strrchr(prefix, ',');
	size_t head = last ? (size_t)(last - prefix + 1) : prefix[0] == '+';
	char word[256];

	const char *tail = prefix + head;
	bool lower = islower((unsigned char)tail[0]);

	if (!l)
		return;
	if (!head)
		add(c, prefix, "help");
	for (const struct cli_col *col = l->cols; col->name; col++) {
		size_t k = (size_t)snprintf(word, sizeof(word), "%.*s", (int)head, prefix);

		/* A name already chosen is not offered again. */
		if (strncasecmp(col->name, tail, strlen(tail)) || listed(prefix, head, col->name))
			continue;
		for (const char *p = col->name; *p && k + 1 < sizeof(word); p++)
			word[k++] = lower ? (char)tolower((unsigned char)*p) : *p;
		word[k] = '\0';
		add(c, prefix, word);
	}
}

static void by_kind(struct session *s, struct cands *c, enum arg_kind kind, const char *values,
		    const char *prefix)
{
	switch (kind) {
	case ARG_SET:
		sets(s, c, prefix, false);
		break;
	case ARG_SHADOW:
		sets(s, c, prefix, true);
		break;
	case ARG_VOLUME:
		volumes(s, c, prefix);
		break;
	case ARG_WRITER:
		writers(s, c, prefix, false);
		break;
	case ARG_WRITERS:
		writers(s, c, prefix, true);
		break;
	case ARG_PATH:
	case ARG_PROGRAM:
		paths(c, prefix);
		break;
	case ARG_AREA:
		areas(s, c, prefix);
		break;
	case ARG_CHOICE:
		add_list(c, prefix, values ? values : "");
		break;
	case ARG_PROVIDER:
		providers(c, prefix);
		break;
	default:
		break;
	}
}

/* The option whose value is the word after WORD: --name without =VALUE,
 * or -abc whose last letter takes one. NULL: none. */
static const struct cmd_opt *wants_value(const struct cmd *cmd, const char *word)
{
	const struct cmd_opt *opt;
	char why[256];

	if (word[0] != '-' || !word[1] || !strcmp(word, "--"))
		return NULL;
	if (word[1] == '-') {
		if (strchr(word, '=') || cmd_option(cmd, word, &opt, why, sizeof(why)))
			return NULL;
		return opt->arg ? opt : NULL;
	}
	for (const char *p = word + 1; *p; p++) {
		if (!(opt = cmd_short_option(cmd, *p)))
			return NULL;
		/* A value joined to its letter (-lTEXT) is no next word's. */
		if (opt->arg)
			return p[1] ? NULL : opt;
	}
	return NULL;
}

static void collect(struct session *s, int nwords, char **words, int cword, struct cands *c)
{
	const char *prefix = cword < nwords ? words[cword] : "";
	const struct cmd *cmd;
	const struct cmd_opt *value_of = NULL;
	char why[512];
	int used, operand = 0;
	bool options_ended = false;

	if (cmd_lookup(cword, words, &cmd, &used, why, sizeof(why))) {
		command_words(c, cword, words, prefix);
		return;
	}
	if (cmd->operand == ARG_COMMAND) {
		/* help's operand is a command line of its own. */
		collect(s, nwords - used, words + used, cword - used, c);
		return;
	}
	for (int i = used; i < cword; i++) {
		if (cmd->operand == ARG_PROGRAM && operand > 0) {
			/* The program's own arguments: files, most likely. */
			paths(c, prefix);
			return;
		}
		value_of = NULL;
		if (!options_ended && cmd->operand != ARG_PROGRAM && words[i][0] == '-' &&
		    words[i][1]) {
			/* A bare -- ends the options; it abbreviates none. */
			options_ended = !strcmp(words[i], "--");
			value_of = wants_value(cmd, words[i]);
			if (value_of && i + 1 < cword) {
				i++;
				value_of = NULL;
			}
			continue;
		}
		operand++;
	}
	if (value_of && value_of->kind == ARG_COLUMNS) {
		columns(c, cmd->listing, prefix);
		return;
	}
	if (value_of) {
		by_kind(s, c, value_of->kind, value_of->values, prefix);
		return;
	}
	if (prefix[0] == '-' && cmd->opts && !options_ended &&
	    !(cmd->operand == ARG_PROGRAM && operand)) {
		for (const struct cmd_opt *o = cmd->opts; o->name; o++) {
			char word[64];

			snprintf(word, sizeof(word), "--%s", o->name);
			add(c, prefix, word);
		}
		return;
	}
	if (cmd->operand == ARG_SETTING) {
		setting(s, c, operand, words + used, prefix);
		return;
	}
	if (cmd->operand == ARG_DEVICE) {
		device_operand(c, operand, prefix);
		return;
	}
	by_kind(s, c, cmd->operand, NULL, prefix);
}

void complete_collect(struct session *s, int nwords, char **words, int cword, struct cands *out)
{
	memset(out, 0, sizeof(*out));
	if (cword < 0 || cword > nwords)
		return;
	collect(s, nwords, words, cword, out);
	/* qsort's array may not be NULL, even empty. */
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_name);
}

int complete_line(struct session *s, const char *text, struct cands *out, size_t *typed)
{
	/* Only the command being typed: after the last ';'. */
	const char *start = strrchr(text, ';') ? strrchr(text, ';') + 1 : text;
	struct script sc;
	char why[128], **words = NULL;
	int line, nwords = 0, cword;

	memset(out, 0, sizeof(*out));
	*typed = 0;
	if (words_split(start, true, &sc, &line, why, sizeof(why)))
		return -1;
	if (sc.n) {
		nwords = sc.cmds[sc.n - 1].argc;
		words = sc.cmds[sc.n - 1].argv;
	}
	cword = sc.ends_in_word ? nwords - 1 : nwords;
	if (sc.ends_in_word)
		*typed = strlen(words[cword]);
	complete_collect(s, nwords, words, cword, out);
	script_free(&sc);
	return 0;
}

void complete_addition(const struct cands *c, size_t typed, char *buf, size_t len)
{
	size_t common, n = 0;

	buf[0] = '\0';
	if (!c->n || len < 2)
		return;
	common = strlen(c->v[0]);
	for (size_t i = 1; i < c->n; i++)
		for (size_t k = 0; k < common; k++)
			if (c->v[i][k] != c->v[0][k]) {
				common = k;
				break;
			}
	/* Outside quotes these would split or change the word: escaped. */
	for (size_t k = typed; k < common && n + 3 < len; k++) {
		if (strchr(" \t'\"\\;#", c->v[0][k]))
			buf[n++] = '\\';
		buf[n++] = c->v[0][k];
	}
	/* The one candidate is the word: the next begins, but a directory
	 * goes on. */
	if (c->n == 1 && c->v[0][strlen(c->v[0]) - 1] != '/')
		buf[n++] = ' ';
	buf[n] = '\0';
}

/* vss __complete CWORD WORD...: the words after vss, global options
 * among them. */
void complete_words(struct session *s, int nwords, char **words, int cword, FILE *out)
{
	struct cands c;
	int first = 0;

	/* Global options come before the command. */
	while (first < nwords && first < cword && words[first][0] == '-') {
		if ((!strcmp(words[first], "-C") || !strcmp(words[first], "--config")) &&
		    first + 1 < nwords)
			s->config_path = words[first + 1];
		if (!strcmp(words[first], "-C") || !strcmp(words[first], "--config") ||
		    !strcmp(words[first], "-f") || !strcmp(words[first], "--file") ||
		    !strcmp(words[first], "-c") || !strcmp(words[first], "--command")) {
			if (first + 1 == cword) {
				memset(&c, 0, sizeof(c));
				paths(&c, cword < nwords ? words[cword] : "");
				goto print;
			}
			first++;
		}
		first++;
	}
	if (first == cword && cword < nwords && words[cword][0] == '-') {
		memset(&c, 0, sizeof(c));
		add_list(&c, words[cword], "--config --command --file --quiet --verbose --help --version");
		goto print;
	}
	complete_collect(s, nwords - first, words + first, cword - first, &c);
print:
	for (size_t i = 0; i < c.n; i++)
		fprintf(out, "%s\n", c.v[i]);
	cands_free(&c);
}

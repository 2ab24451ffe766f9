/* How a listing is printed: the columns it offers, which of them -o
 * chose, and the forms -n, -r, -b and -J ask for; libsmartcols does the
 * printing, as in lsblk and findmnt. */
#include "config.h"
#include "cmd.h"

#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_on_output(struct session *s, int c, const char *arg, void *data)
{
	struct cli_out *o = data;

	(void)s;
	switch (c) {
	case 'o':
		o->columns = arg;
		break;
	case 'n':
		o->noheadings = true;
		break;
	case 'r':
		o->raw = true;
		break;
	case 'b':
		o->bytes = true;
		break;
	case 'j':
		o->json = true;
		break;
	}
	return 0;
}

static const struct cli_col *col_named(const struct cli_listing *l, const char *name, size_t len)
{
	for (const struct cli_col *c = l->cols; c->name; c++)
		if (strlen(c->name) == len && !strncasecmp(c->name, name, len))
			return c;
	return NULL;
}

static int select_list(struct session *s, const struct cli_listing *l, struct cli_out *o,
		       const char *p);

static void select_defaults(const struct cli_listing *l, struct cli_out *o)
{
	if (!o->json && l->table_default) {
		select_list(NULL, l, o, l->table_default);
		return;
	}
	for (size_t i = 0; l->cols[i].name && o->n < CLI_MAX_COLS; i++)
		if (l->cols[i].flags & (o->json ? CLI_COL_JSON : CLI_COL_TABLE))
			o->sel[o->n++] = i;
}

static void print_help(const struct cli_listing *l)
{
	printf("Columns of %s (-o NAME,NAME or -o +NAME to add to the default):\n", l->name);
	for (const struct cli_col *c = l->cols; c->name; c++)
		printf(" %16s  %s\n", c->name, c->help);
}

/* Appends the columns of the list P ("A,B"); S NULL: P is ours. */
static int select_list(struct session *s, const struct cli_listing *l, struct cli_out *o,
		       const char *p)
{
	for (;;) {
		size_t len = strcspn(p, ",");
		const struct cli_col *c = col_named(l, p, len);

		if (!len || !c) {
			if (s)
				cli_usage(s, len ? "-o: unknown column '%.*s' (-o help lists them)"
						 : "-o: an empty column name%.*s", (int)len, p);
			return -1;
		}
		if (o->n == CLI_MAX_COLS) {
			if (s)
				cli_usage(s, "-o: more than %d columns", CLI_MAX_COLS);
			return -1;
		}
		o->sel[o->n++] = (size_t)(c - l->cols);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int cli_output_parse(struct session *s, const struct cli_listing *l, struct cli_out *o)
{
	const char *p = o->columns;

	o->n = 0;
	if (p && !strcmp(p, "help")) {
		print_help(l);
		return 1;
	}
	if (!p || *p == '+')
		select_defaults(l, o);
	if (!p)
		return 0;
	return select_list(s, l, o, *p == '+' ? p + 1 : p);
}

void cli_output_add(const struct cli_listing *l, struct cli_out *o, const char *name)
{
	/* Part of the default, so of "+COLUMNS" too; not of a list chosen. */
	if (!o->columns || o->columns[0] == '+')
		select_list(NULL, l, o, name);
}

int cli_output_print(const struct cli_listing *l, const struct cli_out *o, const void *rows,
		     size_t n, size_t stride)
{
	enum { BUF = 1 << 17 };
	struct libscols_table *tb = cli_table_new(l->name, o->json);
	char *buf = NULL;

	if (!tb)
		return -1;
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	for (size_t k = 0; k < o->n; k++) {
		const struct cli_col *c = &l->cols[o->sel[k]];
		bool array = o->json && c->json_type == SCOLS_JSON_ARRAY_STRING;
		/* libsmartcols splits an array's value into items only as it
		 * wraps a cell, at its newlines. */
		struct libscols_column *cl = scols_table_new_column(tb, c->name, c->width,
								     c->scols_flags |
								     (array ? SCOLS_FL_WRAP : 0));

		if (!cl)
			goto fail;
		scols_column_set_json_type(cl, c->json_type);
		if (array) {
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk,
						  NULL);
			scols_column_set_safechars(cl, "\n");
		}
	}
	/* Room for any value: a set's volumes, 100 characters a name. */
	if (!(buf = malloc(BUF)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		const void *row = (const char *)rows + i * stride;

		if (!ln)
			goto fail;
		for (size_t k = 0; k < o->n; k++) {
			const char *v = l->cols[o->sel[k]].get(row, o, buf, BUF);

			if (v && scols_line_set_data(ln, k, v))
				goto fail;
		}
	}
	free(buf);
	scols_print_table(tb);
	scols_unref_table(tb);
	return 0;
fail:
	free(buf);
	scols_unref_table(tb);
	return -1;
}

const char *cli_out_size(const struct cli_out *o, uint64_t bytes, char *buf, size_t len)
{
	if (o->bytes || o->json)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		vss_size_format(bytes, buf, len);
	return buf;
}

const char *cli_out_bool(const struct cli_out *o, bool v)
{
	/* libsmartcols reads any string but 0... or n... as true. */
	if (o->json)
		return v ? "1" : "0";
	return v ? "yes" : "no";
}

/* What the two halves of the reader ([vss], [writer NAME]) share. */
#ifndef VSS_CONF_PARSE_H
#define VSS_CONF_PARSE_H

#include "conffile.h"

#include <stdio.h>

/* A [writer NAME] section as it is read. */
struct conf_writer {
	char name[64];
	int line;               /* of its [writer NAME] line */
	char type[32];
	char **argv;            /* NULL until command is read */
	size_t argc;
	int command_line;
	char **volumes;
	size_t nvolumes;
	unsigned timeout_ms;
	unsigned retries;
	bool enabled;
	bool bad;               /* already reported */
	bool ignore;            /* its keys are not read (a bad name, a second definition) */
	char keys[512];         /* " key key ": for keys given twice */
};

struct conf_store {
	struct conf_writer *w;
	size_t n;
};

struct parse {
	struct vss_config *cfg;
	bool strict;
	char *err;
	size_t errlen, used;
	FILE *f;
	int line;
	/* The section the reader is in, as read_line sees its header. */
	char section[256];
	int section_line;
	struct conf_writer *writer;  /* when it is a [writer NAME] */
	char vss_keys[512];
	int vss_line;                /* where [vss] was first seen */
	bool hook_dir_refused;
	bool had_key;                /* a key line since the last [section] */
	int warn_line, full_line;    /* where warn_at and full_at were read */
};

void conf_complain(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A [SECTION] line at p->line: opens a writer when it is [writer NAME]. */
void conf_section(struct parse *p, const char *section);
/* KEY = VALUE in the current [writer NAME]. */
void conf_writer_value(struct parse *p, const char *key, const char *value);
/* After the file: what every writer lacks, and the definitions handed on. */
void conf_writers_finish(struct parse *p);
/* A storage policy or retention key of [vss] (policy.c): false when KEY is
 * none of them. */
bool conf_policy_value(struct parse *p, const char *key, const char *value);
void conf_policy_defaults(struct vss_config *cfg);
/* What the keys say together (warn_at below full_at). */
void conf_policy_finish(struct parse *p);
/* Whether KEY was seen already in KEYS (and records it). */
bool conf_key_twice(char *keys, size_t len, const char *key);

#endif

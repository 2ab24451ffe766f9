/*
 * dmctl: engine/dm/dm.c's calls as a command line, so the device-mapper suite
 * can drive the wrapper itself on a real kernel and check it with dmsetup.
 * A test tool only; never installed.
 */
#include "config.h"
#include "engine/dm/dm.h"
#include "engine/dm/cow-table.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show_event(const struct vss_event *ev, void *data)
{
	(void)data;
	if (ev->kind == VSS_EVENT_LOG && getenv("DMCTL_LOG"))
		fprintf(stderr, "log: %s\n", ev->text);
}

/* "START LENGTH TYPE PARAMS..." per argument. */
static int parse_table(char **argv, int n, struct vss_dm_target *t)
{
	for (int i = 0; i < n; i++) {
		int used = 0;
		char *type = malloc(strlen(argv[i]) + 1);

		if (!type || sscanf(argv[i], "%" SCNu64 " %" SCNu64 " %s %n", &t[i].start,
				    &t[i].length, type, &used) < 3) {
			fprintf(stderr, "dmctl: bad table line '%s'\n", argv[i]);
			return -1;
		}
		t[i].type = type;
		t[i].params = argv[i] + used;
	}
	return 0;
}

static void print_table(const struct vss_dm_table *tab)
{
	for (size_t i = 0; i < tab->n; i++)
		printf("%" PRIu64 " %" PRIu64 " %s %s\n", tab->t[i].start, tab->t[i].length,
		       tab->t[i].type, tab->t[i].params);
}

int main(int argc, char **argv)
{
	struct vss_dm_target t[16];
	struct vss_dm_table tab;
	struct vss_dm_info info;
	struct vss_ctx *ctx;
	const char *op = argc > 1 ? argv[1] : "";
	char *name = argc > 2 ? argv[2] : NULL, *reply;
	int r = 0, ntargets = 0;

	if (argc < 2 || vss_ctx_new(&ctx, NULL)) {
		fprintf(stderr, "usage: dmctl OP [NAME] [ARGS]\n");
		return 2;
	}
	vss_subscribe(ctx, show_event, NULL);
	if (!strcmp(op, "create") && argc >= 5 && argc - 4 <= 16) {
		if (parse_table(argv + 4, argc - 4, t))
			return 2;
		ntargets = argc - 4;
		r = vss_dm_create(ctx, name, argv[3], t, (size_t)(argc - 4), VSS_DM_UDEV_NORMAL);
	} else if (!strcmp(op, "load") && argc >= 4 && argc - 3 <= 16) {
		if (parse_table(argv + 3, argc - 3, t))
			return 2;
		ntargets = argc - 3;
		r = vss_dm_load(ctx, name, t, (size_t)(argc - 3));
	} else if (!strcmp(op, "suspend") && argc >= 3) {
		r = vss_dm_suspend(ctx, name, argc > 3 && !strcmp(argv[3], "nolockfs") ?
					      VSS_DM_NO_LOCKFS : VSS_DM_LOCKFS);
	} else if (!strcmp(op, "resume") && argc == 3) {
		r = vss_dm_resume(ctx, name);
	} else if (!strcmp(op, "remove") && argc == 3) {
		r = vss_dm_remove(ctx, name);
	} else if (!strcmp(op, "info") && argc == 3) {
		if (!(r = vss_dm_info(ctx, name, &info)))
			printf("exists=%d suspended=%d read_only=%d live=%d inactive=%d open=%d "
			       "targets=%u name=%s uuid=%s\n",
			       info.exists, info.suspended, info.read_only, info.live_table,
			       info.inactive_table, info.open_count, info.target_count, info.name,
			       info.uuid);
	} else if ((!strcmp(op, "table") || !strcmp(op, "status")) && argc == 3) {
		r = op[0] == 't' ? vss_dm_table(ctx, name, &tab) : vss_dm_status(ctx, name, &tab);
		if (!r) {
			print_table(&tab);
			vss_dm_table_free(&tab);
		}
	} else if (!strcmp(op, "message") && argc == 4) {
		if (!(r = vss_dm_message(ctx, name, argv[3], &reply)) && reply) {
			printf("%s\n", reply);
			free(reply);
		}
	} else if (!strcmp(op, "cow-table") && argc == 3) {
		/* NAME is a COW's path: its header, then "OLD NEW" a chunk it holds. */
		struct cow_table ct;

		if (!(r = cow_table_read(ctx, name, &ct))) {
			printf("chunk=%u valid=%d fresh=%d used=%" PRIu64 " n=%zu\n", ct.chunk, ct.valid,
			       ct.fresh, ct.used, ct.n);
			for (size_t i = 0; i < ct.n; i++)
				printf("%" PRIu64 " %" PRIu64 "\n", ct.e[i].old_chunk, ct.e[i].new_chunk);
			cow_table_free(&ct);
		}
	} else if (!strcmp(op, "check") && argc == 2) {
		r = vss_dm_available(ctx);
	} else {
		fprintf(stderr, "dmctl: bad operation or arguments\n");
		return 2;
	}
	if (r)
		fprintf(stderr, "dmctl: %s\n", vss_errmsg(ctx));
	for (int i = 0; i < ntargets; i++)
		free(t[i].type);
	vss_ctx_free(ctx);
	return r ? 1 : 0;
}

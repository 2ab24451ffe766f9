/* writer verify: each writer (or the one named) is run and told identify,
 * as create-set would, with nothing frozen; hooks are checked, not run. */
#include "config.h"
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vss_writer_verify(struct vss_ctx *ctx, const char *name, struct vss_writer_status **ws,
		      size_t *n)
{
	struct writer_confs all;
	char firstmsg[sizeof(ctx->errmsg)] = "";
	int r, first = 0;

	*ws = NULL;
	*n = 0;
	vss_op_begin(ctx, "writer verify");
	if ((r = vss_lock(ctx)))
		goto out;
	if ((r = writer_confs_current(ctx, &all)))
		goto unlock;
	if (all.n && !(*ws = calloc(all.n, sizeof(**ws)))) {
		r = vss_fail(ctx, ENOMEM, "out of memory");
		goto free;
	}
	for (size_t i = 0; i < all.n; i++) {
		struct writer_seq *seq;

		if (name ? strcmp(all.w[i].name, name) : !all.w[i].enabled)
			continue;
		if ((r = writer_seq_one(ctx, &all.w[i], &seq)))
			break;
		/* Hooks know freeze and thaw only: they are checked, not run. */
		if (all.w[i].hook) {
			char why[300];

			if (vss_program_check(all.w[i].argv[0], why, sizeof(why)))
				r = vss_fail_kind(ctx, VSS_ERR_WRITER, EPERM, "writer %s: refused to run %s: %s",
						  all.w[i].name, all.w[i].argv[0], why);
			else
				r = 0;
		} else
			r = writer_seq_event(ctx, seq, "identify", 0);
		writer_seq_save(ctx, seq);
		(*ws)[(*n)++] = seq->w[0].st;
		writer_seq_end(ctx, seq);
		/* Every writer is tried; the first failure is the command's. */
		if (r && !first) {
			first = r;
			snprintf(firstmsg, sizeof(firstmsg), "%s", ctx->errmsg);
		} else if (r)
			vss_log(ctx, VSS_LEVEL_WARNING, "%s", vss_errmsg(ctx));
		r = 0;
	}
	if (!r && first) {
		r = first;
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", firstmsg);
		ctx->errkind = VSS_ERR_WRITER;
	}
	if (!r && name && !*n)
		r = vss_fail_kind(ctx, VSS_ERR_USAGE, ENOENT, "writer %s: no such writer", name);
free:
	writer_confs_free(&all);
unlock:
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}

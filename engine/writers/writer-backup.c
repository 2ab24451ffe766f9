/* A backup's end (vss_backup_end): the writers of its set, held since the
 * set was made, are told backup-complete, or only let go when it did not
 * complete. */
#include "config.h"
#include "writer.h"

#include <string.h>
#include <time.h>

int vss_backup_end(struct vss_ctx *ctx, const char *id, bool complete)
{
	struct writer_seq **p = &ctx->backups, *seq;
	int r = 0;

	while (*p && strcmp((*p)->set, id))
		p = &(*p)->next;
	if (!(seq = *p))
		return 0;
	*p = seq->next;
	vss_op_begin(ctx, complete ? "backup-complete" : "backup-end");
	seq->backup = false;
	if (complete) {
		vss_phase(ctx, id, "backup-complete");
		r = writer_seq_event(ctx, seq, "backup-complete", 0);
	} else {
		/* Nothing to hold any more: the backup did not complete, and
		 * its writers must not take it as done (no backup-complete). */
		vss_log(ctx, VSS_LEVEL_WARNING, "set %.8s: the backup did not complete; its writers "
			"are not told backup-complete", id);
		for (size_t i = 0; i < seq->n; i++)
			if (seq->w[i].st.state == VSS_WRITER_WAITING_FOR_BACKUP_COMPLETE) {
				struct timespec ts;

				clock_gettime(CLOCK_REALTIME, &ts);
				seq->w[i].st.state = VSS_WRITER_STABLE;
				seq->w[i].st.changed_us = ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
			}
	}
	if ((r == 0 || vss_errkind(ctx) == VSS_ERR_WRITER) && vss_lock(ctx) == 0) {
		writer_seq_save(ctx, seq);
		vss_unlock(ctx);
	}
	writer_seq_end(ctx, seq);
	vss_op_end(ctx, r);
	return r;
}

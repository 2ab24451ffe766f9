/* delete-set: one set taken apart (set-teardown.c), under the lock. */
#include "config.h"
#include "recover.h"
#include "set.h"
#include "setrec.h"

#include <errno.h>

int vss_set_delete(struct vss_ctx *ctx, const char *id, bool force)
{
	struct set_rec rec;
	int r;

	vss_op_begin(ctx, "delete-set");
	if ((r = vss_lock_and_recover(ctx)))
		goto out;
	r = set_rec_load(ctx, "sets", id, &rec);
	if (r == -ENOENT)
		r = vss_fail(ctx, ENOENT, "%s: no such shadow copy set", id);
	if (r)
		goto unlock;
	if ((r = set_delete_locked(ctx, &rec, force)) == 0)
		vss_step(ctx, "deleted %s", rec.id);
	set_rec_free(&rec);
unlock:
	vss_unlock(ctx);
out:
	vss_op_end(ctx, r);
	return r;
}

/*
 * Interrupts and injected faults. The faces catch SIGINT, SIGTERM, SIGHUP and SIGQUIT
 * and pass them here; an operation looks at the flag only at its safe
 * points, so a set is undone whole, never left half made.
 */
#include "config.h"
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

void vss_interrupt(int sig)
{
	interrupted = sig;
}

int vss_interrupted(void)
{
	return interrupted;
}

int vss_check_interrupt(struct vss_ctx *ctx)
{
	int sig = interrupted;

	if (!sig)
		return 0;
	return vss_fail(ctx, EINTR, "interrupted by SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
}

void vss_interrupts_hold(sigset_t *old)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &block, old);
}

void vss_interrupts_release(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

#ifdef VSS_FAULT_INJECTION
static const char *const points[] = {
	"create:journal",            /* the intent is recorded, nothing made */
	"create:cow",                /* COW devices made */
	"create:real",               /* -real layers made */
	"create:loaded",             /* snapshot and origin tables loaded, inactive */
	"create:writers-frozen",     /* every writer answered freeze */
	"create:suspended",          /* every origin suspended: inside the window */
	"create:snapshots-resumed",  /* shadows live, origins still suspended */
	"create:resumed",            /* the window is over */
	"create:committed",          /* the set's record is written, its journal not yet gone */
	"delete:journal",
	"delete:unexposed",
	"delete:detached",           /* chained shadows taken out of their chains */
	"delete:snapshots-removed",
	"delete:origins-restored",
	"delete:cow-removed",
	"delete:record-removed",
	"chain:merged",              /* a chained shadow's chunks copied to the older one */
	"chain:suspended",           /* the newest taken out: the volume suspended */
	"chain:repointed",           /* ...and the older one's base on -real */
	"chain:reverted",            /* a chained shadow's data written back to its volume */
	NULL,
};

const char *const *vss_fault_points(void)
{
	return points;
}

void vss_fault(struct vss_ctx *ctx, const char *point)
{
	const char *want = getenv("VSS_FAULT"), *how = getenv("VSS_FAULT_SIGNAL");
	int sig = SIGKILL;

	if (!want || strcmp(want, point))
		return;
	if (how && !strcmp(how, "TERM"))
		sig = SIGTERM;
	else if (how && !strcmp(how, "INT"))
		sig = SIGINT;
	else if (how && !strcmp(how, "HUP"))
		sig = SIGHUP;
	vss_log(ctx, VSS_LEVEL_DEBUG, "fault injection: SIG%s at %s", sigabbrev_np(sig), point);
	kill(getpid(), sig);
}
#else
const char *const *vss_fault_points(void)
{
	return NULL;
}
#endif

/* One writer at a time: a second waits its bounded time, then names the holder. */
#include "config.h"
#include "engine/base/internal.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	char dir[] = "/tmp/vss-test-lock.XXXXXX", want[512], path[512], c;
	struct vss_options opts = { 0 };
	struct vss_ctx *ctx;
	struct timespec t0, t1;
	int go[2], ready[2];
	double waited;
	pid_t child;
	FILE *f;

	if (!mkdtemp(dir) || pipe(go) || pipe(ready))
		return 99;
	opts.state_dir = dir;
	opts.run_dir = dir;
	opts.lock_timeout_ms = 300;
	child = fork();
	if (child == 0) {
		vss_ctx_new(&ctx, &opts);
		if (vss_lock(ctx))
			_exit(1);
		if (write(ready[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		vss_unlock(ctx);
		vss_ctx_free(ctx);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		return 99;
	vss_ctx_new(&ctx, &opts);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok(vss_lock(ctx) == -EWOULDBLOCK, "a second locker gives up with EWOULDBLOCK");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(waited >= 0.29 && waited < 3, "after its timeout (waited %.2f s for 0.3)", waited);
	snprintf(want, sizeof(want), "another vss (pid %ld) holds the lock %s/lock; gave up after 0.3 s",
		 (long)child, dir);
	is_str(vss_errmsg(ctx), want, "the message names the holder's pid");
	if (write(go[1], "x", 1) != 1)
		return 99;
	waitpid(child, NULL, 0);
	ok(vss_lock(ctx) == 0, "once the holder lets go, the lock is taken");
	ok(vss_lock(ctx) == 0, "and taken again within the same context (nested)");
	vss_unlock(ctx);
	snprintf(path, sizeof(path), "%s/lock", dir);
	f = fopen(path, "r");
	ok(f && fscanf(f, "%ld", &(long){ 0 }) == 1, "the lock file holds our pid while held");
	if (f)
		fclose(f);
	vss_unlock(ctx);
	f = fopen(path, "r");
	ok(f && fgetc(f) == EOF, "and is emptied when released");
	if (f)
		fclose(f);

	/* A holder killed outright: the kernel drops its flock. */
	child = fork();
	if (child == 0) {
		struct vss_ctx *c2;

		vss_ctx_new(&c2, &opts);
		vss_lock(c2);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		return 99;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	ok(vss_lock(ctx) == 0, "a holder killed with SIGKILL leaves no lock behind");
	vss_unlock(ctx);
	vss_ctx_free(ctx);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		return 99;
	return done_testing();
}

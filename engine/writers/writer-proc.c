/*
 * A writer's process: started with posix_spawn in a process group of its
 * own (so a timeout stops whatever it started too, psql included), its
 * output read without blocking, its end seen through a pidfd.
 */
#include "config.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

uint64_t writer_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* The environment of our own, less any VSS_ variable of ours, plus the
 * writer's: a writer must not see the test hooks or settings of vss. */
static char **writer_env(const char *event, const char *set, const char *volumes,
			 unsigned timeout_ms)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 5, sizeof(*env))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "VSS_", 4))
			env[k++] = environ[i];
	if (asprintf(&env[k++], "VSS_SET_ID=%s", set ? set : "") < 0 ||
	    asprintf(&env[k++], "VSS_VOLUMES=%s", volumes ? volumes : "") < 0 ||
	    /* So a writer can give up on its own before it is stopped. */
	    asprintf(&env[k++], "VSS_TIMEOUT=%u.%03u", timeout_ms / 1000, timeout_ms % 1000) < 0 ||
	    (event && asprintf(&env[k++], "VSS_EVENT=%s", event) < 0)) {
		free(env);
		return NULL;
	}
	return env;
}

static void env_free(char **env)
{
	size_t n = 0, k = 0;

	if (!env)
		return;
	/* Ours are the last ones: the asprintf'd VSS_ variables. */
	while (env[n])
		n++;
	while (k < n && strncmp(env[k], "VSS_SET_ID=", 11))
		k++;
	for (; k < n; k++)
		free(env[k]);
	free(env);
}

static int pipe2_cx(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

int wproc_spawn(struct vss_ctx *ctx, struct wrun *w, const char *arg, const char *set,
		const char *volumes)
{
	const struct writer_conf *c = w->conf;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	char **argv = NULL, **env = NULL;
	size_t argc = 0;
	pid_t pid;
	int r;

	while (c->argv[argc])
		argc++;
	if (!(argv = calloc(argc + 2, sizeof(*argv))) || !(env = writer_env(arg, set, volumes, c->timeout_ms))) {
		free(argv);
		return vss_fail(ctx, ENOMEM, "out of memory");
	}
	memcpy(argv, c->argv, argc * sizeof(*argv));
	argv[argc] = (char *)arg;
	if ((arg == NULL && pipe2_cx(in) < 0) || pipe2_cx(out) < 0 || (arg == NULL && pipe2_cx(err) < 0)) {
		r = vss_fail(ctx, errno, "pipe: %s", strerror(errno));
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	if (arg) {
		/* exec: no input; what it says, on either stream, is logged. */
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
		posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	} else {
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
		posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	}
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	/* Nothing we ignore or catch is the writer's business. */
	sigfillset(&dfl);
	sigdelset(&dfl, SIGKILL);
	sigdelset(&dfl, SIGSTOP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETPGROUP);
	r = posix_spawn(&pid, argv[0], &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (r) {
		r = vss_fail_kind(ctx, VSS_ERR_WRITER, r, "cannot run %s: %s", argv[0], strerror(r));
		goto fail;
	}
	vss_log(ctx, VSS_LEVEL_DEBUG, "writer %s: started %s%s%s (pid %ld)", c->name, argv[0],
		arg ? " " : "", arg ? arg : "", (long)pid);
	free(argv);
	env_free(env);
	w->pid = pid;
	w->pidfd = pidfd_of(pid);
	if (w->pidfd >= 0)
		fcntl(w->pidfd, F_SETFD, FD_CLOEXEC);
	w->in_fd = in[1];
	w->out_fd = out[0];
	w->err_fd = err[0];
	if (in[0] >= 0)
		close(in[0]);
	close(out[1]);
	if (err[1] >= 0)
		close(err[1]);
	fcntl(w->out_fd, F_SETFL, O_NONBLOCK);
	if (w->err_fd >= 0)
		fcntl(w->err_fd, F_SETFL, O_NONBLOCK);
	if (w->in_fd >= 0)
		fcntl(w->in_fd, F_SETFL, O_NONBLOCK);
	w->outlen = w->errlen = 0;
	w->eof = false;
	return 0;
fail:
	free(argv);
	env_free(env);
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return r;
}

/* A line the writer wrote: an answer (coprocess stdout) or a log line. */
static void on_line(struct vss_ctx *ctx, struct wrun *w, char *line, bool answer_stream)
{
	size_t len = strlen(line);

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (answer_stream && w->asked && !w->answered) {
		w->answered = true;
		snprintf(w->answer, sizeof(w->answer), "%s", line);
		return;
	}
	if (answer_stream) {
		/* A second line before we asked again: not the protocol. */
		vss_log(ctx, VSS_LEVEL_WARNING, "writer %s: unasked-for output: %.200s", w->conf->name,
			line);
		return;
	}
	if (len)
		snprintf(w->lastline, sizeof(w->lastline), "%s", line);
	vss_log(ctx, VSS_LEVEL_INFO, "writer %s: %s", w->conf->name, line);
}

void wproc_read(struct vss_ctx *ctx, struct wrun *w, int fd)
{
	bool coproc_out = w->conf->type == VSS_WRITER_COPROCESS && fd == w->out_fd;
	char *buf = fd == w->out_fd ? w->out : w->errbuf;
	size_t *len = fd == w->out_fd ? &w->outlen : &w->errlen;
	size_t cap = fd == w->out_fd ? sizeof(w->out) : sizeof(w->errbuf);

	/* A bounded helping: a writer that never stops talking must not keep
	 * us from its timeout. */
	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t got = read(fd, buf + *len, cap - 1 - *len);
		char *nl, *start;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
				/* The end of the stream: a last unterminated line counts. */
				if (*len) {
					buf[*len] = '\0';
					on_line(ctx, w, buf, coproc_out);
					*len = 0;
				}
				if (coproc_out)
					w->eof = true;
				if (fd == w->out_fd) {
					close(w->out_fd);
					w->out_fd = -1;
				} else {
					close(w->err_fd);
					w->err_fd = -1;
				}
			}
			return;
		}
		*len += (size_t)got;
		buf[*len] = '\0';
		start = buf;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			on_line(ctx, w, start, coproc_out);
			start = nl + 1;
		}
		*len -= (size_t)(start - buf);
		memmove(buf, start, *len);
		if (*len == cap - 1) {
			/* A line too long for us: taken as it is. */
			buf[*len] = '\0';
			on_line(ctx, w, buf, coproc_out);
			*len = 0;
		}
	}
}

static void forget(struct wrun *w)
{
	w->pid = 0;
	if (w->pidfd >= 0) {
		close(w->pidfd);
		w->pidfd = -1;
	}
}

int wproc_reaped(struct wrun *w, int *status)
{
	pid_t p;

	if (!w->pid)
		return 0;
	do
		p = waitpid(w->pid, status, WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p == 0)
		return 0;
	/* Reaped by someone else (SIGCHLD ignored by whoever started us):
	 * how it ended is lost, and a lost answer is never a yes. */
	if (p < 0)
		*status = WPROC_STATUS_LOST;
	forget(w);
	return 1;
}

/* Waits up to MS for W's process to end; with PEEK it is left a zombie
 * (its pid, and so its process group's id, stay ours). */
static bool wait_end(struct wrun *w, int ms, int *status, bool peek)
{
	uint64_t until = writer_now_us() + (uint64_t)ms * 1000;

	for (;;) {
		uint64_t now = writer_now_us();

		if (peek) {
			siginfo_t si = { 0 };

			if (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 &&
			    errno != EINTR)
				return wproc_reaped(w, status);
			if (si.si_pid)
				return true;
		} else if (wproc_reaped(w, status)) {
			return true;
		}
		if (now >= until)
			return false;
		if (w->pidfd >= 0) {
			struct pollfd p = { .fd = w->pidfd, .events = POLLIN };

			poll(&p, 1, (int)((until - now) / 1000) + 1);
		} else {
			struct timespec ts = { 0, 10 * 1000000 };

			nanosleep(&ts, NULL);
		}
	}
}

void wproc_kill(struct vss_ctx *ctx, struct wrun *w)
{
	int status;

	if (!w->pid)
		return;
	/* Its group: what it started (psql) must not outlive it. SIGTERM
	 * first, so it can let go of what it holds. */
	if (kill(-w->pid, SIGTERM) < 0)
		kill(w->pid, SIGTERM);
	if (!wait_end(w, 1000, &status, true))
		vss_log(ctx, VSS_LEVEL_WARNING, "writer %s: did not end on SIGTERM: killed",
			w->conf->name);
	/* Whatever of its group is left, the leader a zombie or not. */
	if (w->pid && kill(-w->pid, SIGKILL) < 0)
		kill(w->pid, SIGKILL);
	/* Bounded even so: a process stuck in the kernel (on a suspended
	 * device) dies only when it wakes; it is left to init then. */
	if (w->pid && !wait_end(w, 2000, &status, false)) {
		vss_log(ctx, VSS_LEVEL_WARNING, "writer %s: process %ld does not die: left behind",
			w->conf->name, (long)w->pid);
		forget(w);
	}
}

/* Ends a coprocess the polite way: its stdin closes, it gets MS to exit. */
bool wproc_wait(struct wrun *w, int ms, int *status)
{
	return wait_end(w, ms, status, false);
}

void wproc_close(struct wrun *w)
{
	if (w->in_fd >= 0)
		close(w->in_fd);
	if (w->out_fd >= 0)
		close(w->out_fd);
	if (w->err_fd >= 0)
		close(w->err_fd);
	w->in_fd = w->out_fd = w->err_fd = -1;
}

void wproc_describe(int status, char *buf, size_t len)
{
	if (status == WPROC_STATUS_LOST)
		snprintf(buf, len, "ended, its exit status lost (is SIGCHLD ignored?)");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s",
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, len, "ended (status %#x)", (unsigned)status);
}

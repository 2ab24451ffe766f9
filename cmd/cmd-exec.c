/* exec PROGRAM [ARG...]: the backup program, over the session's last set. */
#include "config.h"
#include "cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* VOLUME as a part of a variable's name. */
static void var_part(const char *volume, char *buf, size_t len)
{
	size_t i;

	for (i = 0; volume[i] && i + 1 < len; i++) {
		char c = volume[i];

		buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' ? c : '_';
	}
	buf[i] = '\0';
}

static bool ours(const char *var)
{
	return !strncmp(var, "VSS_SET_ID=", 11) || !strncmp(var, "VSS_SET_LABEL=", 14) ||
	       !strncmp(var, "VSS_VOLUMES=", 12) || !strncmp(var, "VSS_SHADOW_", 11) ||
	       !strncmp(var, "VSS_MOUNT_", 10);
}

struct env {
	char **v;
	size_t n;
};

__attribute__((format(printf, 2, 3)))
static int env_add(struct env *e, const char *fmt, ...)
{
	char **v = realloc(e->v, (e->n + 2) * sizeof(*v));
	va_list ap;
	int r;

	if (!v)
		return -1;
	e->v = v;
	va_start(ap, fmt);
	r = vasprintf(&v[e->n], fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	v[++e->n] = NULL;
	return 0;
}

static void env_free(struct env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
}

/* The environment for SET: ours, with the set's variables. */
static int make_env(struct session *s, const struct vss_set *set, struct env *e)
{
	char vols[8192] = "";

	for (char **p = environ; *p; p++)
		if (!ours(*p) && env_add(e, "%s", *p))
			return cli_error(s, VSS_EXIT_FAILED, "out of memory");
	if (env_add(e, "VSS_SET_ID=%s", set->id) ||
	    (set->label[0] && env_add(e, "VSS_SET_LABEL=%s", set->label)))
		return cli_error(s, VSS_EXIT_FAILED, "out of memory");
	for (size_t i = 0; i < set->n; i++) {
		char part[160], other[160];

		var_part(set->shadows[i].volume, part, sizeof(part));
		for (size_t k = 0; k < i; k++) {
			var_part(set->shadows[k].volume, other, sizeof(other));
			if (!strcmp(part, other))
				return cli_error(s, VSS_EXIT_USAGE, "volumes %s and %s would both be "
						 "VSS_SHADOW_%s", set->shadows[k].volume,
						 set->shadows[i].volume, part);
		}
		snprintf(vols + strlen(vols), sizeof(vols) - strlen(vols), "%s%s", i ? " " : "",
			 set->shadows[i].volume);
		if (env_add(e, "VSS_SHADOW_%s=%s", part, set->shadows[i].device) ||
		    (set->shadows[i].mountpoint[0] &&
		     env_add(e, "VSS_MOUNT_%s=%s", part, set->shadows[i].mountpoint)))
			return cli_error(s, VSS_EXIT_FAILED, "out of memory");
	}
	if (env_add(e, "VSS_VOLUMES=%s", vols))
		return cli_error(s, VSS_EXIT_FAILED, "out of memory");
	return 0;
}

/* Waits for PID, passing on each signal we get (the terminal's Ctrl-C
 * reached it already): with our signals blocked but inside ppoll, none
 * can come between a look at the flag and the wait. */
static int wait_for(pid_t pid, int *status)
{
	sigset_t stop, old;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0), sent = 0, r = 0;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &old);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int sig = vss_interrupted();

		if (sig && sig != sent) {
			if (!(sig == SIGINT && isatty(STDIN_FILENO)))
				kill(pid, sig);
			sent = sig;
		}
		/* Without a pidfd (an old kernel), a plain wait. */
		if (fd < 0 || ppoll(&p, 1, NULL, &old) > 0) {
			while ((r = (int)waitpid(pid, status, 0)) < 0 && errno == EINTR)
				;
			break;
		}
		if (errno != EINTR) {
			r = -1;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd >= 0)
		close(fd);
	return r < 0 ? -1 : 0;
}

static int run(struct session *s, char **argv, struct env *e)
{
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int status, r;

	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	/* Stopped before it began: nothing to run. */
	if (vss_interrupted())
		return cli_error(s, VSS_EXIT_FAILED, "%s: not run: interrupted", argv[0]);
	fflush(NULL);
	r = posix_spawnp(&pid, argv[0], NULL, &attr, argv, e->v);
	posix_spawnattr_destroy(&attr);
	if (r == ENOENT)
		return cli_error(s, VSS_EXIT_USAGE, "%s: no such program", argv[0]);
	if (r)
		return cli_error(s, VSS_EXIT_USAGE, "%s: %s", argv[0], strerror(r));
	if (wait_for(pid, &status))
		return cli_error(s, VSS_EXIT_FAILED, "%s: %s", argv[0], strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return VSS_EXIT_OK;
	if (WIFEXITED(status))
		return cli_error(s, VSS_EXIT_FAILED, "%s: exited with status %d", argv[0],
				 WEXITSTATUS(status));
	return cli_error(s, VSS_EXIT_FAILED, "%s: killed by signal %d (%s)", argv[0],
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
}

int cmd_exec(struct session *s, int argc, char **argv)
{
	struct vss_set *sets = NULL, *set = NULL;
	struct env e = { 0 };
	size_t n = 0;
	int i = 1, r;

	/* Everything after PROGRAM is its own, options too. */
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc)
		return cli_usage(s, "no program given");
	if (argv[i][0] == '-')
		return cli_usage(s, "unknown option %s (a program's name may not begin with -)",
				 argv[i]);
	if (!s->last_set[0])
		return cli_error(s, VSS_EXIT_USAGE, "no shadow copy set was made in this session "
				 "(create-set first)");
	if ((r = cli_open(s)))
		return r;
	if (vss_set_list(s->ctx, &sets, &n))
		return cli_engine_error(s);
	for (size_t k = 0; k < n; k++)
		if (!strcmp(sets[k].id, s->last_set))
			set = &sets[k];
	if (!set)
		r = cli_error(s, VSS_EXIT_FAILED, "set %s is gone", s->last_set);
	else if (!(r = make_env(s, set, &e)))
		r = run(s, argv + i, &e);
	env_free(&e);
	vss_sets_free(sets, n);
	return r;
}

/* The dashboard's actions are the CLI's commands, run as a child of this
 * same binary: the screen goes on while a set is made, and a key does
 * exactly what `vss COMMAND` does. What the child does shows through the
 * event feed like any other vss process's; its own output is kept for
 * the log when it fails. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int job_start(struct job *j, struct model *m, const char *config, char *const argv[])
{
	char self[4096];
	char *args[64];
	int pipefd[2], n = 0, parent = (int)getpid();
	size_t len = 0;
	ssize_t got;

	if (j->pid) {
		model_log(m, VSS_LEVEL_WARNING, "%s is still running: wait for it to end", j->what);
		return -EBUSY;
	}
	if ((got = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0) {
		model_log(m, VSS_LEVEL_ERROR, "cannot find this program: %s", strerror(errno));
		return -errno;
	}
	self[got] = '\0';
	args[n++] = "vss";
	/* Progress comes through the feed; only errors and warnings here. */
	args[n++] = "-q";
	if (config) {
		args[n++] = "-C";
		args[n++] = (char *)config;
	}
	j->what[0] = '\0';
	for (int i = 0; argv[i]; i++) {
		if (n == 63) {
			model_log(m, VSS_LEVEL_ERROR, "too many words for one command (at most 60)");
			return -E2BIG;
		}
		args[n++] = argv[i];
		len += (size_t)snprintf(j->what + len, len < sizeof(j->what) ? sizeof(j->what) - len : 0,
					"%s%s", i ? " " : "", argv[i]);
		if (len >= sizeof(j->what))
			len = sizeof(j->what) - 1;
	}
	args[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		model_log(m, VSS_LEVEL_ERROR, "%s: %s", j->what, strerror(errno));
		return -errno;
	}
	j->pid = fork();
	if (j->pid < 0) {
		int e = errno;

		close(pipefd[0]);
		close(pipefd[1]);
		j->pid = 0;
		model_log(m, VSS_LEVEL_ERROR, "%s: %s", j->what, strerror(e));
		return -e;
	}
	if (j->pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		sigset_t none;

		/* Should we die unawares (SIGKILL), it is told to stop, and undoes
		 * what it was making rather than going on unwatched. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);

		/* Its own process group: the terminal's keys are ours, and
		 * only we decide when it is to stop. */
		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int s = 1; s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				signal(s, SIG_DFL);
		/* Its results are in the lists we read again; its progress in
		 * the feed; what it says on stderr is what matters here. */
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		dup2(pipefd[1], STDERR_FILENO);
		execv(self, args);
		_exit(127);
	}
	close(pipefd[1]);
	j->out = pipefd[0];
	fcntl(j->out, F_SETFL, O_NONBLOCK);
	j->len = 0;
	j->nerr = 0;
	j->started_us = tui_now_us();
	model_log(m, VSS_LEVEL_INFO, "running: vss %s", j->what);
	return 0;
}

static void keep_line(struct job *j, const char *line)
{
	if (!*line)
		return;
	if (j->nerr == (int)(sizeof(j->err) / sizeof(j->err[0]))) {
		memmove(j->err[0], j->err[1], sizeof(j->err) - sizeof(j->err[0]));
		j->nerr--;
	}
	snprintf(j->err[j->nerr++], sizeof(j->err[0]), "%.255s", line);
}

static void read_out(struct job *j)
{
	for (;;) {
		ssize_t got = read(j->out, j->buf + j->len, sizeof(j->buf) - 1 - j->len);
		char *nl, *line;

		if (got <= 0)
			return;
		j->len += (size_t)got;
		j->buf[j->len] = '\0';
		line = j->buf;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			keep_line(j, line);
			line = nl + 1;
		}
		j->len -= (size_t)(line - j->buf);
		memmove(j->buf, line, j->len);
		if (j->len == sizeof(j->buf) - 1) {
			j->buf[j->len] = '\0';
			keep_line(j, j->buf);
			j->len = 0;
		}
	}
}

static void ended(struct job *j, struct model *m, int status)
{
	read_out(j);
	if (j->len) {
		j->buf[j->len] = '\0';
		keep_line(j, j->buf);
		j->len = 0;
	}
	close(j->out);
	j->out = -1;
	j->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		model_log(m, VSS_LEVEL_INFO, "vss %s: done", j->what);
		/* Warnings it printed (-q keeps nothing else). */
		for (int i = 0; i < j->nerr; i++)
			model_log(m, VSS_LEVEL_WARNING, "%s", j->err[i]);
	} else {
		for (int i = 0; i < j->nerr; i++)
			model_log(m, VSS_LEVEL_ERROR, "%s", j->err[i]);
		if (WIFEXITED(status))
			model_log(m, VSS_LEVEL_ERROR, "vss %s: failed (exit %d)", j->what,
				  WEXITSTATUS(status));
		else
			model_log(m, VSS_LEVEL_ERROR, "vss %s: killed by signal %d", j->what,
				  WTERMSIG(status));
	}
	m->stale = true;
}

int job_poll(struct job *j, struct model *m)
{
	int status = 0;
	pid_t r;

	if (!j->pid)
		return 0;
	read_out(j);
	r = waitpid(j->pid, &status, WNOHANG);
	if (r < 0 && errno == ECHILD)
		status = W_EXITCODE(127, 0);  /* reaped by someone else: outcome unknown */
	if (r == j->pid || (r < 0 && errno == ECHILD)) {
		ended(j, m, status);
		return 1;
	}
	return 0;
}

void job_stop(struct job *j, struct model *m, int sig)
{
	int status = 0;

	if (!j->pid)
		return;
	/* Not reaped yet, so the pid is still its own. Its undo is bounded
	 * by the writers' and freeze timeouts. */
	kill(j->pid, sig);
	while (waitpid(j->pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = W_EXITCODE(127, 0);
			break;
		}
	ended(j, m, status);
}

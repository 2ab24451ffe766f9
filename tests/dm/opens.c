/*
 * opens PATH COMMAND [ARG...]: runs COMMAND and prints how many times PATH
 * (a device node, followed through a symlink) was opened while it ran, by
 * anyone. The count is exact where sampling an open count would be a race:
 * a command that holds a shadow open for a moment makes a concurrent
 * revert or delete see it in use. A test tool only; never installed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	unsigned long opens = 0;
	int fd, status;
	ssize_t got;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: opens PATH COMMAND [ARG...]\n");
		return 2;
	}
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0 || inotify_add_watch(fd, argv[1], IN_OPEN) < 0) {
		fprintf(stderr, "opens: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "opens: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		/* The command's output is the caller's; ours is the count alone. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "opens: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "opens: waitpid: %s\n", strerror(errno));
		return 2;
	}
	/* Events queue while the command runs: read them all once it is done. */
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + got;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW) {
				fprintf(stderr, "opens: too many events to count\n");
				return 2;
			}
			if (ev->mask & IN_OPEN)
				opens++;
			p += sizeof(*ev) + ev->len;
		}
	printf("%lu\n", opens);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

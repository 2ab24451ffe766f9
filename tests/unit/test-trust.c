/* Trusted directories and files (engine/base/trust.c): what is refused, with
 * which message and errno, and that a refused thing is left as it was. */
#include "config.h"
#include "engine/base/trust.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY 65534

static char base[] = "/tmp/vss-test-trust.XXXXXX";

/* BASE/REL, in one of a few rotating buffers. */
static const char *at(const char *rel)
{
	static char bufs[8][512];
	static int i;
	char *b = bufs[i++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s%s%s", base, *rel ? "/" : "", rel);
	return b;
}

static void put(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode);

	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data) || close(fd) < 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(99);
	}
	chmod(path, mode);
}

/* PATH's contents (never through a link), or "(error)". */
static const char *slurp(const char *path)
{
	static char buf[4][256];
	static int i;
	char *b = buf[i++ % 4];
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return "(error)";
	n = read(fd, b, sizeof(buf[0]) - 1);
	close(fd);
	if (n < 0)
		return "(error)";
	b[n] = '\0';
	return b;
}

static void mk(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 || chmod(path, mode) < 0) {
		printf("Bail out! cannot make %s\n", path);
		exit(99);
	}
}

static void link_to(const char *target, const char *path)
{
	if (symlink(target, path) < 0) {
		printf("Bail out! cannot link %s\n", path);
		exit(99);
	}
}

static void as_nobody(const char *path, bool follow)
{
	if ((follow ? chown(path, NOBODY, NOBODY) : lchown(path, NOBODY, NOBODY)) < 0) {
		printf("Bail out! cannot chown %s\n", path);
		exit(99);
	}
}

static ino_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? 0 : st.st_ino;
}

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fd < 0 || fstat(fd, &st) < 0 ? (ino_t)-1 : st.st_ino;
}

static int mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? -1 : (int)(st.st_mode & 07777);
}

/* Entries of DIR (not . and ..). */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static char want[1200];

#define msg(...) (snprintf(want, sizeof(want), __VA_ARGS__), want)

/* The message of a failed call, for a test's description. */
#define why(r) ((r) ? vss_errmsg(ctx) : "")

/* Asserts the call refused with -ERR, as VSS_ERR_USAGE, saying MESSAGE. */
#define refused(ctx, call, err, message, what) do { \
	int r_ = (call); \
	ok(r_ == -(err), "%s: -%s (got %d)", what, #err, r_); \
	ok(vss_errkind(ctx) == VSS_ERR_USAGE, "%s: a usage error", what); \
	is_str(vss_errmsg(ctx), message, "%s: the message", what); \
} while (0)

static void dirs(struct vss_ctx *ctx)
{
	const char *sd = "state directory";
	struct stat st;
	int fd = 42, r;

	/* Made where missing: the directory MODE, its parents 0755. */
	r = trust_dir_open(ctx, sd, at("new/a/b"), 0700, &fd);
	ok(r == 0 && fd >= 0, "a missing directory is made (%d: %s)", r, why(r));
	ok(mode_of(at("new/a/b")) == 0700, "with its mode, 0700 (%04o)", mode_of(at("new/a/b")));
	ok(mode_of(at("new")) == 0755 && mode_of(at("new/a")) == 0755,
	   "its missing parents 0755 (%04o, %04o)", mode_of(at("new")), mode_of(at("new/a")));
	ok(lstat(at("new/a/b"), &st) == 0 && S_ISDIR(st.st_mode) && fd_ino(fd) == st.st_ino,
	   "the descriptor is of that directory");
	close(fd);
	r = trust_dir_open(ctx, sd, at("new/a/b"), 0, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("new/a/b")), "opened again without MODE");
	close(fd);
	r = trust_dir_open(ctx, sd, at("new/./a//b/"), 0, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("new/a/b")), "'.', '//' and a trailing '/' are fine");
	close(fd);
	refused(ctx, trust_dir_open(ctx, sd, at("none/x"), 0, &fd), ENOENT,
		msg("state directory %s: %s: No such file or directory", at("none/x"), at("none")),
		"missing, without MODE");
	ok(fd == -1 && access(at("none"), F_OK) < 0, "nothing made, no descriptor");

	/* Someone else's directory. */
	mk(at("foreign"), 0700);
	put(at("foreign/keep"), "theirs", 0600);
	as_nobody(at("foreign"), true);
	refused(ctx, trust_dir_open(ctx, sd, at("foreign"), 0700, &fd), EPERM,
		msg("state directory %s: owned by uid 65534, not by root", at("foreign")),
		"a directory owned by uid 65534");
	ok(fd == -1, "no descriptor is handed back");
	refused(ctx, trust_dir_open(ctx, sd, at("foreign/state"), 0700, &fd), EPERM,
		msg("state directory %s: %s: owned by uid 65534, not by root", at("foreign/state"),
		    at("foreign")),
		"a directory under one owned by uid 65534");
	ok(entries(at("foreign")) == 1 && !strcmp(slurp(at("foreign/keep")), "theirs"),
	   "nothing is made in it, nothing changed");
	ok(lstat(at("foreign"), &st) == 0 && st.st_uid == NOBODY && (st.st_mode & 07777) == 0700,
	   "it keeps its owner and mode");

	/* Writable by others than root. */
	mk(at("group"), 0770);
	refused(ctx, trust_dir_open(ctx, sd, at("group"), 0700, &fd), EPERM,
		msg("state directory %s: writable by its group (mode 0770)", at("group")),
		"a group-writable directory");
	ok(mode_of(at("group")) == 0770, "its mode is left alone");
	mk(at("world"), 0777);
	refused(ctx, trust_dir_open(ctx, sd, at("world"), 0700, &fd), EPERM,
		msg("state directory %s: writable by others (mode 0777)", at("world")),
		"a world-writable directory");
	mk(at("sticky"), 01777);
	refused(ctx, trust_dir_open(ctx, sd, at("sticky"), 0700, &fd), EPERM,
		msg("state directory %s: writable by others (mode 1777)", at("sticky")),
		"a sticky world-writable directory, as the directory itself");
	refused(ctx, trust_dir_open(ctx, sd, at("world/state"), 0700, &fd), EPERM,
		msg("state directory %s: %s: writable by others (mode 0777)", at("world/state"),
		    at("world")),
		"under a world-writable, not sticky, directory");
	ok(entries(at("world")) == 0, "and nothing is made in it");
	mk(at("group/state"), 0700);
	refused(ctx, trust_dir_open(ctx, sd, at("group/state"), 0, &fd), EPERM,
		msg("state directory %s: %s: writable by its group (mode 0770)", at("group/state"),
		    at("group")),
		"under a group-writable, not sticky, directory");

	/* A sticky directory on the way is fine, as /tmp is. */
	r = trust_dir_open(ctx, sd, at("sticky/state"), 0700, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("sticky/state")),
	   "under a sticky world-writable directory (1777): accepted (%d: %s)", r, why(r));
	ok(mode_of(at("sticky/state")) == 0700, "and made 0700 there");
	close(fd);

	/* Links on the way. */
	mk(at("real"), 0700);
	mk(at("real/d"), 0700);
	link_to(at("real"), at("abs"));
	link_to("real", at("rel"));
	r = trust_dir_open(ctx, sd, at("abs/d"), 0, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("real/d")),
	   "a root's link (absolute) on the way is followed to its target (%d: %s)", r, why(r));
	close(fd);
	r = trust_dir_open(ctx, sd, at("rel/d"), 0, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("real/d")),
	   "a root's link (relative) on the way too (%d: %s)", r, why(r));
	close(fd);
	r = trust_dir_open(ctx, sd, at("abs"), 0, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("real")), "the directory itself a link: its target");
	close(fd);
	/* As /var/run -> ../run is on some systems: a root's link, in a
	 * directory of root's, whose target climbs. */
	mk(at("var"), 0755);
	link_to("../real", at("var/run"));
	r = trust_dir_open(ctx, sd, at("var/run/d"), 0, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("real/d")),
	   "a root's link to '../real' on the way is followed (%d: %s)", r, why(r));
	if (fd >= 0)
		close(fd);
	link_to(at("world"), at("toworld"));
	refused(ctx, trust_dir_open(ctx, sd, at("toworld"), 0700, &fd), EPERM,
		msg("state directory %s: %s: writable by others (mode 0777)", at("toworld"),
		    at("world")),
		"a link to a world-writable directory: its target is checked");
	link_to(at("real"), at("sticky/mine"));
	r = trust_dir_open(ctx, sd, at("sticky/mine/d"), 0, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("real/d")),
	   "a root's link in a sticky directory is followed (%d: %s)", r, why(r));
	close(fd);
	link_to(at("real"), at("sticky/evil"));
	as_nobody(at("sticky/evil"), false);
	refused(ctx, trust_dir_open(ctx, sd, at("sticky/evil/d"), 0700, &fd), EPERM,
		msg("state directory %s: %s: a symbolic link owned by uid 65534, in a directory "
		    "others may write", at("sticky/evil/d"), at("sticky/evil")),
		"a link owned by uid 65534 in a sticky directory");
	refused(ctx, trust_dir_open(ctx, sd, at("sticky/evil"), 0700, &fd), EPERM,
		msg("state directory %s: a symbolic link owned by uid 65534, in a directory "
		    "others may write", at("sticky/evil")),
		"that link as the directory itself");
	ok(entries(at("real")) == 1, "nothing is made in its target");
	link_to("loop2", at("loop1"));
	link_to("loop1", at("loop2"));
	refused(ctx, trust_dir_open(ctx, sd, at("loop1"), 0700, &fd), ELOOP,
		msg("state directory %s: %s", at("loop1"), strerror(ELOOP)), "links in a loop");

	/* Paths it does not take. */
	r = trust_dir_open(ctx, sd, at("var/../real"), 0, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("real")), "'..' in the path leads to the parent");
	if (fd >= 0)
		close(fd);
	refused(ctx, trust_dir_open(ctx, sd, at("world/../real"), 0700, &fd), EPERM,
		msg("state directory %s: %s: writable by others (mode 0777)", at("world/../real"),
		    at("world")), "but what it passes on the way is checked");
	refused(ctx, trust_dir_open(ctx, "run directory", "rel-run/vss", 0755, &fd), EINVAL,
		"run directory rel-run/vss: not an absolute path", "a relative path");
	ok(access("rel-run", F_OK) < 0, "and nothing is made relative to the working directory");
	put(at("file"), "x", 0600);
	refused(ctx, trust_dir_open(ctx, sd, at("file"), 0700, &fd), ENOTDIR,
		msg("state directory %s: not a directory (a regular file)", at("file")),
		"a regular file");
}

static void files(struct vss_ctx *ctx, int dfd, const char *dp)
{
	char buf[64];
	struct stat st;
	int fd = 42, r;
	ssize_t n;

	put(at("files/reg"), "hello", 0600);
	r = trust_file_open(ctx, dfd, dp, "reg", O_RDONLY, 0, &fd);
	ok(r == 0 && fd >= 0, "a regular file of root's, 0600, is opened (%d: %s)", r, why(r));
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n < 0 ? 0 : n] = '\0';
	is_str(buf, "hello", "and read");
	ok(fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK), "the descriptor is blocking again");
	if (fd >= 0)
		close(fd);
	r = trust_file_open(ctx, dfd, dp, "reg", O_WRONLY | O_TRUNC, 0, &fd);
	ok(r == 0, "opened with O_TRUNC");
	is_str(slurp(at("files/reg")), "", "and truncated, once trusted");
	if (fd >= 0)
		close(fd);
	r = trust_file_open(ctx, dfd, dp, "reg", O_WRONLY | O_APPEND, 0, &fd);
	ok(r == 0 && (fcntl(fd, F_GETFL) & O_APPEND),
	   "opened with O_APPEND, the descriptor appends (%d: %s)", r, why(r));
	if (fd >= 0)
		close(fd);
	chmod(at("files/reg"), 0644);
	r = trust_file_open(ctx, dfd, dp, "reg", O_RDONLY, 0, &fd);
	ok(r == 0, "0644 is fine");
	if (fd >= 0)
		close(fd);

	/* A symbolic link: never followed. */
	put(at("victim"), "precious", 0600);
	link_to(at("victim"), at("files/sl"));
	refused(ctx, trust_file_open(ctx, dfd, dp, "sl", O_WRONLY | O_TRUNC, 0, &fd), ELOOP,
		msg("%s/sl: a symbolic link, not a regular file (never followed)", dp),
		"a symbolic link");
	ok(fd == -1, "no descriptor");
	is_str(slurp(at("victim")), "precious", "its target is untouched");
	link_to(at("made-through-link"), at("files/dangling"));
	refused(ctx, trust_file_open(ctx, dfd, dp, "dangling", O_WRONLY | O_CREAT | O_TRUNC, 0600, &fd),
		ELOOP, msg("%s/dangling: a symbolic link, not a regular file (never followed)", dp),
		"a dangling link, with O_CREAT");
	ok(access(at("made-through-link"), F_OK) < 0, "its target is not made");

	/* A hard link: never trusted, never truncated. */
	if (link(at("victim"), at("files/hl")) < 0)
		printf("Bail out! link\n"), exit(99);
	refused(ctx, trust_file_open(ctx, dfd, dp, "hl", O_WRONLY | O_TRUNC, 0, &fd), EPERM,
		msg("%s/hl: has 2 links (a hard link is never trusted)", dp), "a hard link, O_TRUNC");
	ok(fd == -1, "no descriptor");
	is_str(slurp(at("victim")), "precious", "the other name's contents are unchanged");
	refused(ctx, trust_file_open(ctx, dfd, dp, "hl", O_RDONLY | O_CREAT, 0600, &fd), EPERM,
		msg("%s/hl: has 2 links (a hard link is never trusted)", dp), "a hard link, O_CREAT");

	/* A fifo: refused, without waiting for a writer or a reader. */
	if (mkfifo(at("files/ff"), 0600) < 0)
		printf("Bail out! mkfifo\n"), exit(99);
	alarm(10);
	refused(ctx, trust_file_open(ctx, dfd, dp, "ff", O_RDONLY, 0, &fd), EPERM,
		msg("%s/ff: a fifo, not a regular file", dp), "a fifo, read");
	refused(ctx, trust_file_open(ctx, dfd, dp, "ff", O_WRONLY | O_TRUNC, 0, &fd), ENXIO,
		msg("%s/ff: a fifo, not a regular file", dp), "a fifo, written");
	alarm(0);
	ok(1, "neither blocked");

	/* A directory. */
	mk(at("files/adir"), 0700);
	refused(ctx, trust_file_open(ctx, dfd, dp, "adir", O_RDONLY, 0, &fd), EPERM,
		msg("%s/adir: a directory, not a regular file", dp), "a directory, read");
	refused(ctx, trust_file_open(ctx, dfd, dp, "adir", O_WRONLY, 0, &fd), EISDIR,
		msg("%s/adir: a directory, not a regular file", dp), "a directory, written");

	/* Someone else's, or writable by others. */
	put(at("files/foreign"), "theirs", 0600);
	as_nobody(at("files/foreign"), true);
	refused(ctx, trust_file_open(ctx, dfd, dp, "foreign", O_WRONLY | O_TRUNC, 0, &fd), EPERM,
		msg("%s/foreign: owned by uid 65534, not by root", dp), "a file owned by uid 65534");
	is_str(slurp(at("files/foreign")), "theirs", "not truncated");
	ok(lstat(at("files/foreign"), &st) == 0 && st.st_uid == NOBODY, "nor taken over");
	put(at("files/wide"), "open", 0666);
	refused(ctx, trust_file_open(ctx, dfd, dp, "wide", O_WRONLY | O_TRUNC, 0, &fd), EPERM,
		msg("%s/wide: writable by others (mode 0666)", dp), "a file of mode 0666");
	is_str(slurp(at("files/wide")), "open", "not truncated");
	ok(mode_of(at("files/wide")) == 0666, "its mode left alone");
	put(at("files/grp"), "group", 0620);
	refused(ctx, trust_file_open(ctx, dfd, dp, "grp", O_RDONLY, 0, &fd), EPERM,
		msg("%s/grp: writable by its group (mode 0620)", dp), "a file of mode 0620");

	/* Missing. */
	r = trust_file_open(ctx, dfd, dp, "none", O_RDONLY, 0, &fd);
	ok(r == -ENOENT && fd == -1, "a missing file: -ENOENT (%d)", r);
	is_str(vss_errmsg(ctx), msg("%s/none: No such file or directory", dp), "saying so");
	ok(access(at("files/none"), F_OK) < 0, "and it is not made");
	r = trust_file_open(ctx, dfd, dp, "new", O_WRONLY | O_CREAT, 0600, &fd);
	ok(r == 0 && fd >= 0, "O_CREAT of a missing file (%d: %s)", r, why(r));
	ok(fd >= 0 && write(fd, "fresh", 5) == 5, "it is written");
	if (fd >= 0)
		close(fd);
	ok(lstat(at("files/new"), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	   (st.st_mode & 07777) == 0600 && st.st_uid == geteuid(), "a regular file, 0600, ours");
	is_str(slurp(at("files/new")), "fresh", "holding what was written");
}

static void replace(struct vss_ctx *ctx, int dfd, const char *dp)
{
	struct stat st;
	int r;

	put(at("victim2"), "precious", 0600);
	link_to(at("victim2"), at("files/rs"));
	r = trust_file_replace(ctx, dfd, dp, "rs", "new data", 8, 0600);
	ok(r == 0, "a symbolic link is replaced (%d: %s)", r, why(r));
	is_str(slurp(at("victim2")), "precious", "its target keeps its contents");
	ok(lstat(at("files/rs"), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	   (st.st_mode & 07777) == 0600, "the name is now a regular file, one link, 0600");
	is_str(slurp(at("files/rs")), "new data", "holding the new data");

	put(at("victim3"), "precious", 0600);
	if (link(at("victim3"), at("files/rh")) < 0)
		printf("Bail out! link\n"), exit(99);
	r = trust_file_replace(ctx, dfd, dp, "rh", "new data", 8, 0600);
	ok(r == 0, "a hard link is replaced (%d: %s)", r, why(r));
	is_str(slurp(at("victim3")), "precious", "the other name keeps its contents");
	ok(lstat(at("victim3"), &st) == 0 && st.st_nlink == 1, "and has one link again");
	ok(lstat(at("files/rh"), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	   st.st_ino != ino_of(at("victim3")), "the name is a file of its own, one link");
	is_str(slurp(at("files/rh")), "new data", "holding the new data");

	put(at("files/plain"), "old", 0600);
	r = trust_file_replace(ctx, dfd, dp, "plain", "newer", 5, 0600);
	ok(r == 0, "a regular file is replaced");
	is_str(slurp(at("files/plain")), "newer", "with the new data");
	{
		DIR *d = opendir(at("files"));
		struct dirent *e;
		int tmp = 0;

		while (d && (e = readdir(d)))
			tmp += strstr(e->d_name, ".tmp.") != NULL;
		if (d)
			closedir(d);
		ok(d && !tmp, "no temp file is left behind");
	}
}

static void unlinks(struct vss_ctx *ctx, int dfd, const char *dp)
{
	int r;

	put(at("victim4"), "precious", 0600);
	link_to(at("victim4"), at("files/us"));
	r = trust_unlink(ctx, dfd, dp, "us");
	ok(r == 0, "a symbolic link is removed (%d: %s)", r, why(r));
	ok(mode_of(at("files/us")) < 0 && errno == ENOENT, "the link is gone");
	is_str(slurp(at("victim4")), "precious", "its target is still there, unchanged");
	r = trust_unlink(ctx, dfd, dp, "us");
	ok(r == -ENOENT, "removing it again: -ENOENT (%d)", r);
	is_str(vss_errmsg(ctx), msg("%s/us: No such file or directory", dp), "saying so");
}

static void subdirs(struct vss_ctx *ctx, int dfd, const char *dp)
{
	int fd = 42, r;

	/* Linux says ENOTDIR, not ELOOP, to O_DIRECTORY | O_NOFOLLOW on a link. */
	link_to(at("real"), at("files/sd"));
	refused(ctx, trust_subdir(ctx, dfd, dp, "sd", 0700, &fd), ENOTDIR,
		msg("%s/sd: a symbolic link, not a directory", dp), "a symbolically linked subdirectory");
	ok(fd == -1, "no descriptor");
	refused(ctx, trust_subdir(ctx, dfd, dp, "sd", 0, &fd), ENOTDIR,
		msg("%s/sd: a symbolic link, not a directory", dp), "the same without MODE");
	link_to(at("made-subdir"), at("files/sdd"));
	refused(ctx, trust_subdir(ctx, dfd, dp, "sdd", 0700, &fd), ENOTDIR,
		msg("%s/sdd: a symbolic link, not a directory", dp), "a dangling link as subdirectory");
	ok(access(at("made-subdir"), F_OK) < 0, "its target is not made");
	r = trust_subdir(ctx, dfd, dp, "sub", 0700, &fd);
	ok(r == 0 && fd_ino(fd) == ino_of(at("files/sub")) && mode_of(at("files/sub")) == 0700,
	   "a missing subdirectory is made 0700 (%d: %s)", r, why(r));
	if (fd >= 0)
		close(fd);
	mk(at("files/wsub"), 0777);
	refused(ctx, trust_subdir(ctx, dfd, dp, "wsub", 0700, &fd), EPERM,
		msg("%s/wsub: writable by others (mode 0777)", dp), "a world-writable subdirectory");
	mk(at("files/fsub"), 0700);
	as_nobody(at("files/fsub"), true);
	refused(ctx, trust_subdir(ctx, dfd, dp, "fsub", 0700, &fd), EPERM,
		msg("%s/fsub: owned by uid 65534, not by root", dp), "a foreign subdirectory");
	refused(ctx, trust_subdir(ctx, dfd, dp, "reg", 0700, &fd), ENOTDIR,
		msg("%s/reg: a regular file, not a directory", dp), "a regular file as subdirectory");
}

int main(void)
{
	struct vss_options opts = { 0 };
	struct vss_ctx *ctx;
	char cmd[600];
	int dfd = -1, r;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (chown to uid %d)\n", NOBODY);
		return 0;
	}
	umask(022);
	if (!mkdtemp(base) || chdir(base) < 0)
		return 99;
	opts.state_dir = base;
	opts.run_dir = base;
	if (vss_ctx_new(&ctx, &opts))
		return 99;

	dirs(ctx);
	r = trust_dir_open(ctx, "state directory", at("files"), 0700, &dfd);
	ok(r == 0, "the files' directory is opened (%d: %s)", r, why(r));
	if (dfd < 0)
		return 99;
	files(ctx, dfd, at("files"));
	replace(ctx, dfd, at("files"));
	unlinks(ctx, dfd, at("files"));
	subdirs(ctx, dfd, at("files"));
	close(dfd);

	vss_ctx_free(ctx);
	if (chdir("/") < 0)
		return 99;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd))
		return 99;
	return done_testing();
}

/*
 * Loop devices, by ioctl: util-linux keeps its loop code in a private
 * library, and all vss needs is "a free loop device over this file, gone
 * when nobody holds it" (autoclear). No direct I/O: on some filesystems
 * (overlayfs over tmpfs, seen in our test guest) the kernel accepts it and
 * then fails every write with EIO.
 */
#include "config.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int configure(int lfd, int ffd, const char *file)
{
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (unsigned)ffd;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
	/* Kernels before 5.8: the two-step way. */
	if (ioctl(lfd, LOOP_SET_FD, ffd) < 0)
		return -errno;
	if (ioctl(lfd, LOOP_SET_STATUS64, &cfg.info) < 0) {
		int err = errno;

		ioctl(lfd, LOOP_CLR_FD, 0);
		return -err;
	}
	return 0;
}

int vss_loop_attach(struct vss_ctx *ctx, const char *file, unsigned *major_, unsigned *minor_,
		    int *fdp)
{
	int ctl, ffd, r = -EBUSY;
	struct stat st;

	*fdp = -1;
	ffd = open(file, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (ffd < 0)
		return vss_fail(ctx, errno, "%s: %s", file, strerror(errno));
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		r = errno;
		close(ffd);
		return vss_fail(ctx, r, "/dev/loop-control: %s (is the loop module loaded?)",
				strerror(r));
	}
	/* Another program may take the free device between our asking and
	 * our configuring it: ask again. */
	for (int tries = 0; tries < 16 && r == -EBUSY; tries++) {
		char dev[64];
		int n = ioctl(ctl, LOOP_CTL_GET_FREE), lfd;

		if (n < 0) {
			r = -errno;
			break;
		}
		snprintf(dev, sizeof(dev), "/dev/loop%d", n);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd < 0) {
			r = -errno;
			continue;
		}
		r = configure(lfd, ffd, file);
		if (r == 0 && fstat(lfd, &st) < 0)
			r = -errno;
		if (r == 0) {
			*major_ = major(st.st_rdev);
			*minor_ = minor(st.st_rdev);
			*fdp = lfd;
			vss_log(ctx, VSS_LEVEL_DEBUG, "%s attached to %s", file, dev);
		} else {
			close(lfd);
		}
	}
	close(ctl);
	close(ffd);
	if (r)
		return vss_fail(ctx, -r, "%s: cannot attach a loop device: %s", file, strerror(-r));
	return 0;
}

/* Whether a volume is in use: mounted, or open. */
#include "config.h"
#include "blockdev.h"
#include "dm.h"

#include <stdio.h>
#include <sys/sysmacros.h>
#include <time.h>

#define STEP_MS 50

int volume_busy(struct vss_ctx *ctx, const char *volume, int grace_ms, char *why, size_t len)
{
	struct vss_dm_info info;
	char where[4096];
	int r;

	why[0] = '\0';
	if ((r = vss_dm_info(ctx, volume, &info)))
		return r;
	if (!info.exists)
		return 0;
	vss_blockdev_mountpoint(makedev(info.major, info.minor), where, sizeof(where));
	for (int waited = 0; !where[0] && info.open_count > 0 && waited < grace_ms;
	     waited += STEP_MS) {
		struct timespec step = { 0, STEP_MS * 1000000L };

		nanosleep(&step, NULL);
		if ((r = vss_dm_info(ctx, volume, &info)))
			return r;
		if (!info.exists)
			return 0;
	}
	if (where[0])
		snprintf(why, len, "mounted on %s", where);
	else if (info.open_count > 0)
		snprintf(why, len, "open %d time%s", info.open_count, info.open_count == 1 ? "" : "s");
	return 0;
}

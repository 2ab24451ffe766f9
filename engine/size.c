/* Sizes as sysadmins read them: binary units, as lsblk and lvs print. */
#include "config.h"
#include "vss.h"

#include <stdio.h>

void vss_size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned u = 0;
	uint64_t whole = bytes, rem = 0;

	while (whole >= 1024 && u < sizeof(units) - 2) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	/* One decimal, rounded, dropped when it is zero. */
	unsigned tenth = (unsigned)((rem * 10 + 512) / 1024);
	if (tenth == 10) {
		whole++;
		tenth = 0;
	}
	if (whole >= 1024 && u < sizeof(units) - 2) {
		whole /= 1024;
		u++;
		tenth = 0;
	}
	if (tenth)
		snprintf(buf, len, "%llu.%u%c", (unsigned long long)whole, tenth, units[u]);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)whole, units[u]);
}

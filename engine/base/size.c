/* Sizes as sysadmins read them: binary units, as lsblk and lvs print. */
#include "config.h"
#include "vss.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

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

/* "4096", "4K", "1.5G", "512MiB", "2GB" (all binary). */
int vss_size_parse(const char *s, uint64_t *bytes)
{
	static const char units[] = "BKMGTPE";
	unsigned long long whole = 0, frac = 0, scale = 1, unit = 1;
	const char *p = s, *u;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (ULLONG_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (unsigned)(*p - '0');
	}
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++)
			if (scale < 1000000000ULL) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
	}
	if (*p) {
		u = strchr(units, toupper((unsigned char)*p));
		if (!u)
			return -EINVAL;
		for (long i = 0; i < u - units; i++)
			unit *= 1024;
		p++;
		if (u != units && (!strcmp(p, "iB") || !strcmp(p, "B") || !strcmp(p, "ib")))
			p += strlen(p);
		if (*p)
			return -EINVAL;
	}
	if (whole > ULLONG_MAX / unit)
		return -ERANGE;
	{
		/* frac * unit could overflow; its share of a unit cannot. */
		unsigned long long part = (unsigned long long)((long double)frac / scale * unit);

		if (whole * unit > ULLONG_MAX - part)
			return -ERANGE;
		*bytes = whole * unit + part;
	}
	return 0;
}

/* "90", "90s", "30m", "12h", "7d", "2w" -> seconds. */
int vss_age_parse(const char *s, uint64_t *seconds)
{
	unsigned long long v = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned)(*p - '0');
	}
	switch (*p) {
	case '\0': case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 604800; break;
	default: return -EINVAL;
	}
	if (*p && p[1])
		return -EINVAL;
	/* A century is old enough; beyond it, times overflow. */
	if (v > 3155760000ULL / mult)
		return -ERANGE;
	*seconds = v * mult;
	return 0;
}

bool vss_chunk_size_ok(uint64_t bytes)
{
	return bytes >= VSS_CHUNK_MIN && bytes <= VSS_CHUNK_MAX && !(bytes & (bytes - 1));
}

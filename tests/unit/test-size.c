/* Sizes printed as lsblk would. */
#include "config.h"
#include "engine/vss.h"
#include "tap.h"

#include <errno.h>

static void shows(uint64_t bytes, const char *want)
{
	char buf[32];

	vss_size_format(bytes, buf, sizeof(buf));
	is_str(buf, want, "%llu bytes show as %s", (unsigned long long)bytes, want);
}

static void parses(const char *text, uint64_t want)
{
	uint64_t got = 0;
	int r = vss_size_parse(text, &got);

	ok(r == 0 && got == want, "'%s' is %llu bytes (got %d, %llu)", text,
	   (unsigned long long)want, r, (unsigned long long)got);
}

static void refuses(const char *text, int want)
{
	uint64_t got = 0;

	ok(vss_size_parse(text, &got) == want, "'%s' is refused with %d", text, want);
}

static void ages(const char *text, int want_r, uint64_t want)
{
	uint64_t got = 0;
	int r = vss_age_parse(text, &got);

	ok(r == want_r && (r || got == want), "age '%s': %d, %llu seconds", text, want_r,
	   (unsigned long long)want);
}

int main(void)
{
	parses("4096", 4096);
	parses("4K", 4096);
	parses("4k", 4096);
	parses("1.5G", 3ull << 29);
	parses("512MiB", 512ull << 20);
	parses("2GB", 2ull << 30);
	parses("0.5K", 512);
	refuses("16E", -ERANGE);
	parses("15.5E", (31ull << 59));
	refuses("", -EINVAL);
	refuses("K", -EINVAL);
	refuses("-1M", -EINVAL);
	refuses("1.M", -EINVAL);
	refuses("1X", -EINVAL);
	refuses("1MM", -EINVAL);
	refuses("17E", -ERANGE);
	refuses("99999999999999999999", -ERANGE);
	ages("90", 0, 90);
	ages("90s", 0, 90);
	ages("30m", 0, 1800);
	ages("12h", 0, 43200);
	ages("7d", 0, 604800);
	ages("2w", 0, 1209600);
	ages("", -EINVAL, 0);
	ages("1y", -EINVAL, 0);
	ages("1hh", -EINVAL, 0);
	ages("-1", -EINVAL, 0);
	ages("99999999999w", -ERANGE, 0);
	shows(0, "0B");
	shows(512, "512B");
	shows(1023, "1023B");
	shows(1024, "1K");
	shows(1536, "1.5K");
	shows(64ull << 20, "64M");
	shows((1ull << 30) + (1ull << 29), "1.5G");
	shows((1ull << 30) - 1, "1G");
	shows(1048575, "1M");
	shows(10ull << 40, "10T");
	shows(UINT64_MAX, "16E");
	return done_testing();
}

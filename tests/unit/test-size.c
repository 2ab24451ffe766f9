/* Sizes printed as lsblk would. */
#include "config.h"
#include "engine/vss.h"
#include "tap.h"

static void shows(uint64_t bytes, const char *want)
{
	char buf[32];

	vss_size_format(bytes, buf, sizeof(buf));
	is_str(buf, want, "%llu bytes show as %s", (unsigned long long)bytes, want);
}

int main(void)
{
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

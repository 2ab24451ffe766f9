/* Which volume names vss accepts, and the reason it gives for the rest. */
#include "config.h"
#include "engine/vss.h"
#include "tap.h"

static void refused(const char *name, const char *reason)
{
	char why[160] = "";

	ok(vss_name_check(name, why, sizeof(why)) < 0, "'%s' is refused", name);
	is_str(why, reason, "with the reason for '%s'", name);
}

int main(void)
{
	char why[160], longest[101], too_long[102];

	for (const char *const *n = (const char *const[]){ "data", "db_01", "a.b+c-d", "X", NULL }; *n; n++)
		ok(vss_name_check(*n, why, sizeof(why)) == 0, "'%s' is a valid name", *n);
	memset(longest, 'a', 100);
	longest[100] = '\0';
	ok(vss_name_check(longest, why, sizeof(why)) == 0, "100 characters are allowed");
	memset(too_long, 'a', 101);
	too_long[101] = '\0';
	refused(too_long, "is longer than 100 characters");
	refused("", "is empty");
	refused(".", "is reserved");
	refused("..", "is reserved");
	refused("control", "is reserved");
	refused("-x", "may not begin with '-'");
	refused("vss-data", "begins with 'vss-', which vss keeps for its own devices");
	refused("a/b", "contains '/': use only letters, digits and . _ + -");
	refused("a b", "contains the byte 0x20: use only letters, digits and . _ + -");
	refused("caf\xc3\xa9", "contains the byte 0xc3: use only letters, digits and . _ + -");
	refused("x:y", "contains ':': use only letters, digits and . _ + -");
	return done_testing();
}

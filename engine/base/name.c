/* What may name a volume. Stricter than device-mapper (which only refuses
 * '/'), as LVM is: names end up in paths, shell scripts and shadow names
 * (vss-<set8>-<volume>) that must still fit dm's 127 characters. */
#include "config.h"
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define VSS_NAME_MAX 100

static int is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-';
}

int vss_name_check(const char *name, char *why, size_t len)
{
	size_t n = strlen(name);

	if (n == 0) {
		snprintf(why, len, "is empty");
		return -EINVAL;
	}
	if (n > VSS_NAME_MAX) {
		snprintf(why, len, "is longer than %d characters", VSS_NAME_MAX);
		return -EINVAL;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "control")) {
		snprintf(why, len, "is reserved");
		return -EINVAL;
	}
	if (name[0] == '-') {
		snprintf(why, len, "may not begin with '-'");
		return -EINVAL;
	}
	if (!strncmp(name, "vss-", 4)) {
		snprintf(why, len, "begins with 'vss-', which vss keeps for its own devices");
		return -EINVAL;
	}
	for (const char *p = name; *p; p++) {
		if (!is_name_char((unsigned char)*p)) {
			if ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f)
				snprintf(why, len, "contains '%c': use only letters, digits and . _ + -", *p);
			else
				snprintf(why, len, "contains the byte 0x%02x: use only letters, digits and . _ + -",
					 (unsigned char)*p);
			return -EINVAL;
		}
	}
	return 0;
}

/* Labels are free text for people, within what an INI value keeps intact
 * (no ; or #, which would start a comment) and a table cell shows. */
int vss_label_check(const char *text, char *why, size_t len)
{
	size_t n = strlen(text);

	if (n == 0 || n > 128) {
		snprintf(why, len, n ? "is longer than 128 characters" : "is empty");
		return -EINVAL;
	}
	if (text[0] == ' ' || text[n - 1] == ' ') {
		snprintf(why, len, "begins or ends with a space");
		return -EINVAL;
	}
	for (const char *p = text; *p; p++) {
		if (!is_name_char((unsigned char)*p) && !strchr(" :@,=", *p)) {
			snprintf(why, len, "contains '%c': use letters, digits, spaces and . _ + - : @ , =",
				 *p > 0x20 && *p < 0x7f ? *p : '?');
			return -EINVAL;
		}
	}
	return 0;
}

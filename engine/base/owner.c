/* Whose is an auto-release set: a pid, told apart from a later process that
 * got the same pid by its start time (field 22 of /proc/PID/stat) and the
 * boot it ran in. */
#include "config.h"
#include "owner.h"

#include <stdio.h>
#include <string.h>

unsigned long long set_proc_start(long pid)
{
	unsigned long long start = 0;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and parentheses. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* After ") " come fields 3 onwards; the start time is field 22. */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

void set_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

bool set_owner_alive(long pid, unsigned long long start, const char *boot)
{
	unsigned long long now;
	char this_boot[40];

	if (pid <= 0)
		return false;
	/* A start time counts from boot: the next boot may repeat it. */
	set_boot_id(this_boot, sizeof(this_boot));
	if (boot[0] && this_boot[0] && strcmp(boot, this_boot))
		return false;
	now = set_proc_start(pid);
	return now != 0 && (start == 0 || now == start);
}

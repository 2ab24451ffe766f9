/* An auto-release set's owner: a process, told apart from a later one
 * with its pid, and the boot it ran in. */
#ifndef VSS_OWNER_H
#define VSS_OWNER_H

#include <stdbool.h>
#include <stddef.h>

/* Whether process PID started at START (from /proc), in the boot BOOT
 * ("" when not recorded), is still running. */
bool set_owner_alive(long pid, unsigned long long start, const char *boot);
/* This boot's id ("" when the kernel does not say). */
void set_boot_id(char *buf, size_t len);
unsigned long long set_proc_start(long pid);

#endif

/* Growable, sortable arrays of strings (names of devices, state files). */
#ifndef VSS_STRV_H
#define VSS_STRV_H

#include <stddef.h>

/* Appends a copy of S; -ENOMEM leaves *V and *N as they were. */
int vss_strv_push(char ***v, size_t *n, const char *s);
int vss_strv_pushn(char ***v, size_t *n, const char *s, size_t len);
void vss_strv_sort(char **v, size_t n);
void vss_strv_free(char **v, size_t n);
/* Words of S, split at blanks, with '' and "" quoting and \ escapes (as a
 * shell, but nothing expanded); *V is also NULL-terminated. -EINVAL for an
 * unterminated quote. */
int vss_strv_split(const char *s, char ***v, size_t *n);

#endif

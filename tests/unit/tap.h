/* A few TAP macros for the unit test programs (automake's TAP driver reads them). */
#ifndef VSS_TAP_H
#define VSS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do { \
	int ok_ = !!(cond); \
	printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!ok_) { \
		tap_failed++; \
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	ok(g_ && !strcmp(g_, w_), __VA_ARGS__); \
	if (!g_ || strcmp(g_, w_)) \
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_); \
} while (0)

#define done_testing() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

#endif

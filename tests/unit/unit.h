/* unit.h — the unit tests' whole harness: checks that record a failure with file:line and carry
 * on, and unit_report(), which prints "N passed, M failed" and returns the exit status.
 * Included once by each tests/unit/test_*.c; no external framework. */
#ifndef BUDGETGEN_UNIT_H
#define BUDGETGEN_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int unit_passed; /* checks that held */
static int unit_failed; /* checks that did not; each printed to stderr as it happens */
/* Set by table-driven tests to the entry being checked; printed with a failure when not NULL. */
static const char *unit_context;

/* Counts one check; on failure prints "file:line: check failed: expr" and returns false. Every
 * CHECK macro below is an expression with this result, so `if (CHECK(…))` can guard what
 * follows. */
static inline bool unit_check(bool ok, const char *file, int line, const char *expr)
{
	if (ok) {
		unit_passed++;
		return true;
	}
	unit_failed++;
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
	if (unit_context)
		fprintf(stderr, "    for      \"%s\"\n", unit_context);
	return false;
}

static inline bool unit_check_str(const char *got, const char *want, const char *file, int line,
                                  const char *expr)
{
	bool ok = got && want ? strcmp(got, want) == 0 : got == want;
	if (!unit_check(ok, file, line, expr))
		fprintf(stderr, "    got      \"%s\"\n    expected \"%s\"\n", got ? got : "(null)",
		        want ? want : "(null)");
	return ok;
}

static inline bool unit_check_int(long long got, long long want, const char *file, int line,
                                  const char *expr)
{
	if (!unit_check(got == want, file, line, expr)) {
		fprintf(stderr, "    got      %lld\n    expected %lld\n", got, want);
		return false;
	}
	return true;
}

#define CHECK(cond) unit_check((cond), __FILE__, __LINE__, #cond)
#define CHECK_STR_EQ(a, b) unit_check_str((a), (b), __FILE__, __LINE__, #a " == " #b)
#define CHECK_INT_EQ(a, b)                                                                         \
	unit_check_int((long long)(a), (long long)(b), __FILE__, __LINE__, #a " == " #b)

/* Prints the one summary line; returns the process exit status (0 when nothing failed). */
static inline int unit_report(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif

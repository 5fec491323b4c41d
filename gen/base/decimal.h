/* decimal.h — exact fixed-point money in 万元 with six decimal places, never binary floating
 * point. Parsing accepts what finance officers type; formatting rounds half-up to two places.
 * Used by the resolver, composer and every emitter. */
#ifndef BUDGETGEN_DECIMAL_H
#define BUDGETGEN_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DEC_SCALE_DIGITS = 6 };
#define DEC_SCALE INT64_C(1000000)

/* A value in millionths of a 万元: 20.982 is {20982000}. Range ±9.2e12 万元. */
typedef struct decimal {
	int64_t micros;
} decimal;

typedef enum dec_parse_status {
	DEC_OK,
	DEC_EMPTY,      /* nothing but blanks */
	DEC_SYNTAX,     /* not a number */
	DEC_PRECISION,  /* more than six decimal places */
	DEC_RANGE,      /* too large */
	DEC_NEGATIVE    /* a minus sign; amounts in the source are never negative */
} dec_parse_status;

/* Parses "90", "20.982", "１２.５", "90万元", " 110.00 " (ASCII or full-width digits and point,
 * an optional 万元 suffix, surrounding blanks). On success stores the value. `err_offset`, when
 * not NULL, receives the byte offset of the first offending character. */
dec_parse_status dec_parse(const char *s, size_t n, decimal *out, size_t *err_offset);

/* The most a department's amounts may add up to, in 万元: 10^12 万元 (10^16 元, far beyond any
 * budget) is a ninth of the range, so that no total any stage computes — a sum of the amounts,
 * each counted at most a few times (项 into 款 and 类, funds into totals) — can overflow. The
 * front end reports the amount that passes it, at its line (D_AMOUNT_SUM_LIMIT). */
#define DEC_SUM_LIMIT_UNITS INT64_C(1000000000000)
/* Adds v to *sum when the result stays within DEC_SUM_LIMIT_UNITS; false (and *sum unchanged)
 * otherwise. */
bool dec_add_limited(decimal *sum, decimal v);

decimal dec_from_int(int64_t units);
/* Overflow-checked arithmetic: returns false (and leaves *out alone) on overflow. */
bool dec_add(decimal a, decimal b, decimal *out);
bool dec_sub(decimal a, decimal b, decimal *out);
int dec_cmp(decimal a, decimal b);
bool dec_is_zero(decimal a);

/* Formats with exactly `places` decimals (0–6), rounding half away from zero. Writes at most
 * 32 bytes including the NUL; returns the length. "10544.51" for places 2. */
size_t dec_format(decimal a, int places, char out[32]);
/* Formats exactly, with at least two decimals and no trailing zeros beyond: "90.00", "20.982". */
size_t dec_format_exact(decimal a, char out[32]);

#endif

/* decimal.c — parsing, arithmetic and half-up formatting of exact money values (decimal.h). */
#include "base/decimal.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"

/* Maps one code point of a number to an ASCII digit or '.', or returns 0. */
static char number_char(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return (char)cp;
	if (cp >= 0xFF10 && cp <= 0xFF19)
		return (char)('0' + (cp - 0xFF10));
	if (cp == '.' || cp == 0xFF0E)
		return '.';
	return 0;
}

/* The end of s[start..end) without trailing blanks (cp_is_space). */
static size_t rtrim_blanks(const char *s, size_t start, size_t end)
{
	while (end > start) {
		size_t j = end - 1;
		uint32_t cp;
		while (j > start && ((unsigned char)s[j] & 0xC0) == 0x80)
			j--;
		if (utf8_decode(s + j, end - j, &cp) != end - j || !cp_is_space(cp))
			break;
		end = j;
	}
	return end;
}

dec_parse_status dec_parse(const char *s, size_t n, decimal *out, size_t *err_offset)
{
	size_t i = 0;
	uint32_t cp;
	size_t k;
#define FAIL(status, at)                                                                           \
	do {                                                                                       \
		if (err_offset)                                                                    \
			*err_offset = (at);                                                        \
		return (status);                                                                   \
	} while (0)

	/* leading blanks */
	while (i < n && (k = utf8_decode(s + i, n - i, &cp)) && cp_is_space(cp))
		i += k;
	/* trailing blanks, then an optional 万元 suffix with blanks before it */
	size_t end = rtrim_blanks(s, i, n);
	if (i >= end)
		FAIL(DEC_EMPTY, i);
	if (end >= i + 6 && memcmp(s + end - 6, "万元", 6) == 0) {
		end = rtrim_blanks(s, i, end - 6);
		if (i >= end)
			FAIL(DEC_SYNTAX, i); /* a unit without a number */
	}
	if (s[i] == '-' || (end - i >= 3 && memcmp(s + i, "－", 3) == 0))
		FAIL(DEC_NEGATIVE, i);
	if (s[i] == '+')
		i++;

	size_t digits_start = i;
	int64_t whole = 0, frac = 0;
	int frac_digits = 0, int_digits = 0;
	bool seen_point = false;
	while (i < end) {
		k = utf8_decode(s + i, end - i, &cp);
		char c = k ? number_char(cp) : 0;
		if (!c)
			FAIL(DEC_SYNTAX, i);
		if (c == '.') {
			if (seen_point)
				FAIL(DEC_SYNTAX, i);
			seen_point = true;
		} else if (seen_point) {
			if (frac_digits == DEC_SCALE_DIGITS)
				FAIL(DEC_PRECISION, i);
			frac = frac * 10 + (c - '0');
			frac_digits++;
		} else {
			/* whole * DEC_SCALE must stay representable: at most INT64_MAX / DEC_SCALE */
			if (whole > (INT64_MAX / DEC_SCALE - (c - '0')) / 10)
				FAIL(DEC_RANGE, digits_start);
			whole = whole * 10 + (c - '0');
			int_digits++;
		}
		i += k;
	}
	if (int_digits == 0 && frac_digits == 0)
		FAIL(DEC_SYNTAX, digits_start);
	for (int d = frac_digits; d < DEC_SCALE_DIGITS; d++)
		frac *= 10;
	if (whole * DEC_SCALE > INT64_MAX - frac)
		FAIL(DEC_RANGE, digits_start);
	out->micros = whole * DEC_SCALE + frac;
	return DEC_OK;
#undef FAIL
}

decimal dec_from_int(int64_t units)
{
	decimal d = {units * DEC_SCALE};
	return d;
}

bool dec_add_limited(decimal *sum, decimal v)
{
	decimal r;
	if (!dec_add(*sum, v, &r) || r.micros > DEC_SUM_LIMIT_UNITS * DEC_SCALE ||
	    r.micros < -DEC_SUM_LIMIT_UNITS * DEC_SCALE)
		return false;
	*sum = r;
	return true;
}

bool dec_add(decimal a, decimal b, decimal *out)
{
	int64_t r;
	if (__builtin_add_overflow(a.micros, b.micros, &r))
		return false;
	out->micros = r;
	return true;
}

bool dec_sub(decimal a, decimal b, decimal *out)
{
	int64_t r;
	if (__builtin_sub_overflow(a.micros, b.micros, &r))
		return false;
	out->micros = r;
	return true;
}

int dec_cmp(decimal a, decimal b)
{
	return (a.micros > b.micros) - (a.micros < b.micros);
}

bool dec_is_zero(decimal a)
{
	return a.micros == 0;
}

size_t dec_format(decimal a, int places, char out[32])
{
	if (places < 0)
		places = 0;
	if (places > DEC_SCALE_DIGITS)
		places = DEC_SCALE_DIGITS;
	uint64_t mag = a.micros < 0 ? (uint64_t)0 - (uint64_t)a.micros : (uint64_t)a.micros;
	uint64_t unit = 1;
	for (int d = places; d < DEC_SCALE_DIGITS; d++)
		unit *= 10;
	uint64_t q = mag / unit, r = mag % unit;
	if (r * 2 >= unit)
		q++; /* half-up, away from zero */
	uint64_t pow = 1;
	for (int d = 0; d < places; d++)
		pow *= 10;
	uint64_t whole = q / pow, frac = q % pow;
	int n;
	if (places)
		n = snprintf(out, 32, "%s%llu.%0*llu", a.micros < 0 && q ? "-" : "",
		             (unsigned long long)whole, places, (unsigned long long)frac);
	else
		n = snprintf(out, 32, "%s%llu", a.micros < 0 && q ? "-" : "", (unsigned long long)whole);
	return (size_t)n;
}

size_t dec_format_exact(decimal a, char out[32])
{
	size_t n = dec_format(a, DEC_SCALE_DIGITS, out);
	char *point = strchr(out, '.');
	size_t keep = (size_t)(point - out) + 3; /* at least two decimals */
	while (n > keep && out[n - 1] == '0')
		out[--n] = '\0';
	return n;
}

/* test_decimal.c — exact money (decimal.h): what dec_parse accepts and where it points when it
 * refuses, overflow-checked arithmetic, half-up formatting to 2 places without the binary-float
 * traps, exact formatting, and long sums that must stay exact. */
#include <stdint.h>

#include "base/decimal.h"
#include "unit.h"

/* ---- parsing ------------------------------------------------------------------ */

typedef struct parse_case {
	const char *in;
	dec_parse_status status;
	int64_t micros;   /* when DEC_OK */
	size_t err_offset; /* byte offset, when not DEC_OK */
} parse_case;

static const parse_case parse_cases[] = {
	/* what finance officers type */
	{"90", DEC_OK, 90000000, 0},
	{"20.982", DEC_OK, 20982000, 0},
	{"110.00", DEC_OK, 110000000, 0},
	{"0.000001", DEC_OK, 1, 0},
	{"5.", DEC_OK, 5000000, 0},
	{".5", DEC_OK, 500000, 0},
	{"+5", DEC_OK, 5000000, 0},
	{"0", DEC_OK, 0, 0},
	/* full-width digits and point */
	{"１２.５", DEC_OK, 12500000, 0},
	{"１２．５", DEC_OK, 12500000, 0},
	{"９０", DEC_OK, 90000000, 0},
	/* the 万元 suffix, with or without a blank before it */
	{"90万元", DEC_OK, 90000000, 0},
	{"90 万元", DEC_OK, 90000000, 0},
	{"20.982万元 ", DEC_OK, 20982000, 0},
	/* surrounding blanks: ASCII, tab, U+3000, NBSP */
	{" 110.00 ", DEC_OK, 110000000, 0},
	{"\t7\t", DEC_OK, 7000000, 0},
	{"\u30005\u3000", DEC_OK, 5000000, 0},
	{"\u00a05\u00a0", DEC_OK, 5000000, 0},
	/* nothing but blanks */
	{"", DEC_EMPTY, 0, 0},
	{"   ", DEC_EMPTY, 0, 3},
	{"\u3000", DEC_EMPTY, 0, 3},
	/* six decimal places at most; the offset is the seventh digit */
	{"0.0000001", DEC_PRECISION, 0, 8},
	{"1.1234567", DEC_PRECISION, 0, 8},
	{" 1.1234567", DEC_PRECISION, 0, 9},
	/* negative */
	{"-5", DEC_NEGATIVE, 0, 0},
	{"  -5", DEC_NEGATIVE, 0, 2},
	{"－5", DEC_NEGATIVE, 0, 0},
	{"-0", DEC_NEGATIVE, 0, 0},
	/* garbage; the offset is the first offending character */
	{"abc", DEC_SYNTAX, 0, 0},
	{"12a", DEC_SYNTAX, 0, 2},
	{"1.2.3", DEC_SYNTAX, 0, 3},
	{"1e5", DEC_SYNTAX, 0, 1},
	{"9 0", DEC_SYNTAX, 0, 1},
	{"1,000", DEC_SYNTAX, 0, 1},
	{".", DEC_SYNTAX, 0, 0},
	{"+", DEC_SYNTAX, 0, 1},
	{"万元", DEC_SYNTAX, 0, 0},
	{"90万", DEC_SYNTAX, 0, 2},
	{"90元", DEC_SYNTAX, 0, 2},
	{"测试90", DEC_SYNTAX, 0, 0},
	{"90\xff", DEC_SYNTAX, 0, 2},
	/* the range is ±9223372036854.775807 万元 (int64 millionths) */
	{"9223372036854", DEC_OK, INT64_C(9223372036854000000), 0},
	{"9223372036854.775807", DEC_OK, INT64_MAX, 0},
	{"9223372036854.775808", DEC_RANGE, 0, 0},
	{"9223372036855", DEC_RANGE, 0, 0},
	{"9999999999999", DEC_RANGE, 0, 0},
	{"99999999999999999999999", DEC_RANGE, 0, 0},
	{" +9223372036855", DEC_RANGE, 0, 2},
};

static void test_parse_table(void)
{
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const parse_case *c = &parse_cases[i];
		decimal d = {-1};
		size_t off = 12345;
		unit_context = c->in;
		dec_parse_status st = dec_parse(c->in, strlen(c->in), &d, &off);
		CHECK_INT_EQ(st, c->status);
		if (c->status == DEC_OK) {
			CHECK_INT_EQ(d.micros, c->micros);
			CHECK_INT_EQ(off, 12345); /* untouched on success */
		} else {
			CHECK_INT_EQ(d.micros, -1); /* untouched on failure */
			CHECK_INT_EQ(off, c->err_offset);
		}
	}
	unit_context = NULL;
}

static void test_parse_length_and_null_offset(void)
{
	decimal d;
	/* only n bytes are looked at: "12a" cut to "12" */
	CHECK_INT_EQ(dec_parse("12a", 2, &d, NULL), DEC_OK);
	CHECK_INT_EQ(d.micros, 12000000);
	/* err_offset may be NULL */
	CHECK_INT_EQ(dec_parse("x", 1, &d, NULL), DEC_SYNTAX);
	/* a number cut in the middle of a full-width digit is not a number */
	CHECK_INT_EQ(dec_parse("１", 2, &d, NULL), DEC_SYNTAX);
}

/* ---- arithmetic ------------------------------------------------------------------ */

static decimal dec(const char *s)
{
	decimal d = {0};
	if (!CHECK(dec_parse(s, strlen(s), &d, NULL) == DEC_OK))
		fprintf(stderr, "    cannot parse \"%s\"\n", s);
	return d;
}

static void test_arithmetic(void)
{
	decimal r = {0};
	CHECK(dec_add(dec("0.1"), dec("0.2"), &r));
	CHECK_INT_EQ(dec_cmp(r, dec("0.3")), 0);
	CHECK(dec_add(dec("20.982"), dec("0"), &r));
	CHECK_INT_EQ(r.micros, 20982000);
	CHECK(dec_sub(dec("1"), dec("0.3"), &r));
	CHECK_INT_EQ(dec_cmp(r, dec("0.7")), 0);
	CHECK(dec_sub(dec("0.3"), dec("1"), &r));
	CHECK_INT_EQ(r.micros, -700000);

	CHECK_INT_EQ(dec_cmp(dec("90"), dec("92")), -1);
	CHECK_INT_EQ(dec_cmp(dec("92"), dec("90")), 1);
	CHECK_INT_EQ(dec_cmp(dec("90.000000"), dec("90")), 0);
	CHECK_INT_EQ(dec_cmp(dec("0.000001"), dec("0")), 1);
	CHECK(dec_is_zero(dec("0.000")));
	CHECK(!dec_is_zero(dec("0.000001")));
	CHECK_INT_EQ(dec_from_int(100).micros, 100000000);
}

static void test_arithmetic_overflow(void)
{
	decimal max = {INT64_MAX}, min = {INT64_MIN}, one = {1};
	decimal r = {42};
	CHECK(!dec_add(max, one, &r));
	CHECK_INT_EQ(r.micros, 42); /* left alone */
	CHECK(!dec_sub(min, one, &r));
	CHECK_INT_EQ(r.micros, 42);
	CHECK(!dec_add(dec("9000000000000"), dec("9000000000000"), &r));
	CHECK_INT_EQ(r.micros, 42);
	CHECK(dec_add(max, (decimal){0}, &r));
	CHECK_INT_EQ(r.micros, INT64_MAX);
	CHECK(dec_sub(max, max, &r));
	CHECK(dec_is_zero(r));
}

/* ---- formatting --------------------------------------------------------------------- */

typedef struct format_case {
	int64_t micros;
	int places;
	const char *want;
} format_case;

static const format_case format_cases[] = {
	/* half-up at the third decimal */
	{5000, 2, "0.01"},             /* 0.005 */
	{4999, 2, "0.00"},             /* 0.004999 */
	{10544505000, 2, "10544.51"},  /* 10544.505 */
	{10544504999, 2, "10544.50"},  /* 10544.504999 */
	{2675000, 2, "2.68"},          /* 2.675: binary floating point prints 2.67 */
	{1005000, 2, "1.01"},          /* 1.005: likewise 1.00 in binary */
	{1015000, 2, "1.02"},          /* 1.015 */
	{995000, 2, "1.00"},           /* 0.995 carries into the units */
	{999995000, 2, "1000.00"},     /* 999.995 carries through every digit */
	{0, 2, "0.00"},
	{90000000, 2, "90.00"},
	{20982000, 2, "20.98"},
	{15168000, 2, "15.17"},
	/* large values */
	{INT64_C(9223372036854000000), 2, "9223372036854.00"},
	{INT64_MAX, 2, "9223372036854.78"},
	{INT64_C(1234567890123456789), 2, "1234567890123.46"},
	/* negatives round half away from zero, and never print "-0.00" */
	{-5000, 2, "-0.01"},
	{-4999, 2, "0.00"},
	{-2675000, 2, "-2.68"},
	{-90000000, 2, "-90.00"},
	{INT64_MIN, 2, "-9223372036854.78"},
	/* other numbers of places, clamped to 0–6 */
	{2500000, 0, "3"},
	{2499999, 0, "2"},
	{-2500000, 0, "-3"},
	{20982000, 6, "20.982000"},
	{20982000, 3, "20.982"},
	{20982500, 3, "20.983"},
	{2500000, -1, "3"},
	{20982000, 9, "20.982000"},
};

static void test_format_table(void)
{
	for (size_t i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
		const format_case *c = &format_cases[i];
		char out[32];
		unit_context = c->want;
		size_t n = dec_format((decimal){c->micros}, c->places, out);
		CHECK_STR_EQ(out, c->want);
		CHECK_INT_EQ(n, strlen(c->want));
	}
	unit_context = NULL;
}

static void test_format_exact(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{"90", "90.00"},     {"20.982", "20.982"},    {"15.168", "15.168"},
		{"0", "0.00"},       {"12.5", "12.50"},       {"100.10", "100.10"},
		{"0.000001", "0.000001"}, {"0.123456", "0.123456"}, {"110.00", "110.00"},
		{"9223372036854.775807", "9223372036854.775807"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[32];
		unit_context = cases[i].in;
		size_t n = dec_format_exact(dec(cases[i].in), out);
		CHECK_STR_EQ(out, cases[i].want);
		CHECK_INT_EQ(n, strlen(cases[i].want));
	}
	unit_context = NULL;
	char out[32];
	dec_format_exact((decimal){-3500000}, out);
	CHECK_STR_EQ(out, "-3.50");
	dec_format_exact((decimal){-1}, out);
	CHECK_STR_EQ(out, "-0.000001");
}

/* ---- sums stay exact ------------------------------------------------------------------ */

/* Adds the parsed value of s to itself `times` times, starting from zero. */
static decimal repeated_sum(const char *s, int times)
{
	decimal sum = {0}, v = dec(s);
	bool ok = true;
	for (int i = 0; i < times; i++)
		ok = dec_add(sum, v, &sum) && ok;
	CHECK(ok);
	return sum;
}

static void test_sums_stay_exact(void)
{
	/* 0.1 is not representable in binary; ten of them make exactly 1 here */
	CHECK_INT_EQ(dec_cmp(repeated_sum("0.1", 10), dec("1")), 0);
	CHECK_INT_EQ(dec_cmp(repeated_sum("0.01", 100), dec("1")), 0);
	CHECK_INT_EQ(dec_cmp(repeated_sum("0.000001", 1000000), dec("1")), 0);
	CHECK_INT_EQ(dec_cmp(repeated_sum("20.982", 1000), dec("20982")), 0);

	/* totals are rounded once, after adding exact values: 0.005 + 0.005 prints 0.01, where
	 * rounding each term first would print 0.02 */
	decimal sum;
	char out[32];
	CHECK(dec_add(dec("0.005"), dec("0.005"), &sum));
	dec_format(sum, 2, out);
	CHECK_STR_EQ(out, "0.01");
	/* three thirds */
	CHECK(dec_add(repeated_sum("33.333333", 2), dec("33.333334"), &sum));
	dec_format(sum, 2, out);
	CHECK_STR_EQ(out, "100.00");
	CHECK_INT_EQ(dec_cmp(sum, dec("100")), 0);
	/* a column of seed-like amounts: 20.982 + 15.168 + 0.85 = 37.000 */
	decimal a;
	CHECK(dec_add(dec("20.982"), dec("15.168"), &a));
	CHECK(dec_add(a, dec("0.85"), &a));
	dec_format_exact(a, out);
	CHECK_STR_EQ(out, "37.00");
}

int main(void)
{
	test_parse_table();
	test_parse_length_and_null_offset();
	test_arithmetic();
	test_arithmetic_overflow();
	test_format_table();
	test_format_exact();
	test_sums_stay_exact();
	return unit_report();
}

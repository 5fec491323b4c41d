/* records.c — the line format of everything build keeps in OUT/.budgetgen (records.h): manifests,
 * the hash cache and journals hold one record per line, "word field field … text", the text last
 * on its line with backslash escapes. */
#include "batch/records.h"

#include <string.h>

void rec_put_escaped(buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: buf_putc(b, *s); break;
		}
	}
}

char *rec_unescape(const char *s, size_t n)
{
	buf b = {0};
	buf_put(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '\\' && i + 1 < n) {
			char e = s[++i];
			ch = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
		}
		buf_putc(&b, ch);
	}
	return b.data;
}

const char *rec_next_line(const char **p, const char *end, size_t *len)
{
	if (*p >= end)
		return NULL;
	const char *s = *p;
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	*len = (size_t)((nl ? nl : end) - s);
	*p = nl ? nl + 1 : end;
	return s;
}

bool rec_field(const char *line, size_t len, const char *word, const char **rest, size_t *rlen)
{
	size_t w = strlen(word);
	if (len <= w || memcmp(line, word, w) != 0 || line[w] != ' ')
		return false;
	*rest = line + w + 1;
	*rlen = len - w - 1;
	return true;
}

bool rec_take_int(const char **s, const char *end, int64_t *out)
{
	const char *p = *s;
	bool neg = p < end && *p == '-';
	if (neg)
		p++;
	int64_t v = 0;
	const char *digits = p;
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p++ - '0');
	}
	if (p == digits || p >= end || *p != ' ')
		return false;
	*out = neg ? -v : v;
	*s = p + 1;
	return true;
}

bool rec_take_hash(const char **s, const char *end, hash_digest *out)
{
	if (end - *s < 2 * HASH_BYTES + 1 || (*s)[2 * HASH_BYTES] != ' ' ||
	    !hash_parse_hex(*s, 2 * HASH_BYTES, out))
		return false;
	*s += 2 * HASH_BYTES + 1;
	return true;
}

bool rec_path_ok(const char *rel)
{
	if (!rel || !*rel || *rel == '/')
		return false;
	for (const char *c = rel;;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
				return false;
		if (!e)
			return true;
		c = e + 1;
	}
}

/* test_dochash.c — that the document hash (dochash.h) covers the whole IR (doc.h): every field of
 * every struct of doc.h must be named in dochash.c, in the code that walks that struct; then the
 * hash itself: equal documents built apart hash equal, a change to any of a sample of fields
 * changes it, and so does sharing a style or not.
 *
 * Why a source check rather than _Static_assert(sizeof …) in dochash.c: a size assertion misses a
 * field that fits in padding (a bool after a bool), differs between ABIs, and fires on harmless
 * reorderings; reading doc.h's declarations catches every added field by name, on every platform,
 * and says which one is missing. The parser is deliberately simple (doc.h is plain C: one
 * "typedef struct NAME { … } NAME;" per struct, declarators separated by commas) and checks that
 * it found what it must, so a change of style in doc.h fails loudly instead of passing silently.
 * Run from the repository root; prints "N passed, M failed". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/dochash.h"
#include "unit.h"
#include "base/util.h"

static char *read_text(const char *path)
{
	char *data = NULL;
	size_t len = 0;
	if (file_read(path, 1 << 22, &data, &len) != 0)
		return NULL;
	return data;
}

/* Blanks out comments in place (keeps offsets and line structure). */
static void strip_comments(char *s)
{
	for (char *p = s; *p; p++) {
		if (p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");
			char *stop = end ? end + 2 : p + strlen(p);
			for (; p < stop; p++)
				if (*p != '\n')
					*p = ' ';
			p--;
		} else if (p[0] == '/' && p[1] == '/') {
			for (; *p && *p != '\n'; p++)
				*p = ' ';
			p--;
		}
	}
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The last identifier of s[0..n) with any [..] removed, into out. */
static bool last_ident(const char *s, size_t n, char *out, size_t cap)
{
	size_t end = n;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '[') {
			end = i;
			break;
		}
	while (end > 0 && !is_ident(s[end - 1]))
		end--;
	size_t start = end;
	while (start > 0 && is_ident(s[start - 1]))
		start--;
	if (start == end || end - start >= cap)
		return false;
	memcpy(out, s + start, end - start);
	out[end - start] = '\0';
	return true;
}

/* The code of dochash.c that walks struct `type`: from the first mention of "const TYPE *" (a
 * hash function's parameter, or the loop variable of doc_hash; not a pointer to pointers) to the end of that function. */
static char *walker(const char *hash_src, const char *type)
{
	char key[128];
	snprintf(key, sizeof key, "const %s *", type);
	const char *from = hash_src;
	while ((from = strstr(from, key)) && !is_ident(from[strlen(key)]))
		from++; /* "const doc_style **seen" is not a walker */
	if (!from)
		return NULL;
	const char *to = strstr(from, "\n}\n");
	size_t n = to ? (size_t)(to - from) : strlen(from);
	char *out = xmalloc(n + 1);
	memcpy(out, from, n);
	out[n] = '\0';
	return out;
}

/* Whether code names field as "->field" or ".field" (a whole identifier). */
static bool names_field(const char *code, const char *field)
{
	size_t n = strlen(field);
	for (const char *p = code; (p = strstr(p, field)); p++) {
		bool before = (p >= code + 1 && p[-1] == '.') || (p >= code + 2 && p[-2] == '-' && p[-1] == '>');
		if (before && !is_ident(p[n]))
			return true;
	}
	return false;
}

/* Every struct of doc.h and its fields; checks each field against dochash.c's walker. */
static void test_every_field_hashed(void)
{
	char *doc_h = read_text("gen/doc/doc.h");
	char *hash_c = read_text("gen/doc/dochash.c");
	if (!CHECK(doc_h && hash_c)) {
		free(doc_h);
		free(hash_c);
		return;
	}
	strip_comments(doc_h);
	strip_comments(hash_c);
	int nstructs = 0, nfields = 0;
	bool saw_pad_y = false, saw_toc_styles = false, saw_note_style = false;
	for (const char *p = doc_h; (p = strstr(p, "typedef struct "));) {
		p += strlen("typedef struct ");
		char type[64];
		size_t k = 0;
		while (is_ident(p[k]) && k < sizeof type - 1) {
			type[k] = p[k];
			k++;
		}
		type[k] = '\0';
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!CHECK(k > 0 && open && close))
			break;
		nstructs++;
		char *code = walker(hash_c, type);
		unit_context = type;
		CHECK(code != NULL); /* no code hashes this struct at all */
		int fields_here = 0;
		for (const char *d = open + 1; d < close;) { /* one declaration: up to ';' */
			const char *semi = memchr(d, ';', (size_t)(close - d));
			if (!semi)
				break;
			const char *piece = d; /* declarators, split at commas */
			for (const char *c = d; c <= semi; c++) {
				if (*c != ',' && *c != ';')
					continue;
				char field[64];
				if (last_ident(piece, (size_t)(c - piece), field, sizeof field)) {
					fields_here++;
					nfields++;
					saw_pad_y |= strcmp(field, "pad_y") == 0;
					saw_toc_styles |= strcmp(field, "toc_styles") == 0;
					saw_note_style |= strcmp(field, "note_style") == 0;
					char ctx[256];
					snprintf(ctx, sizeof ctx, "%s.%s: not hashed in gen/doc/dochash.c", type,
					         field);
					unit_context = ctx;
					CHECK(code && names_field(code, field));
					unit_context = type;
				}
				piece = c + 1;
			}
			d = semi + 1;
		}
		CHECK(fields_here > 0);
		unit_context = NULL;
		free(code);
		p = close;
	}
	/* the parser found what doc.h has: 7 structs, a name after a comma, an array, a pointer list */
	CHECK_INT_EQ(nstructs, 7);
	CHECK(nfields >= 60);
	CHECK(saw_pad_y && saw_toc_styles && saw_note_style);
	free(doc_h);
	free(hash_c);
}

/* ---- the hash's behaviour --------------------------------------------------------------------- */

static doc_style style_a = {.name = "文字", .role = FONT_ROLE_SONG, .size = 10500, .line_height = 13650,
                            .pad_x = 4252, .pad_y = 3402};
static doc_style style_b = {.name = "文字", .role = FONT_ROLE_SONG, .size = 10500, .line_height = 13650,
                            .pad_x = 4252, .pad_y = 3402};
static const mpt widths[2] = {50000, 50000};

typedef struct sample {
	doc_cell cells[2];
	doc_table table;
	doc_block blocks[2];
	doc_section section;
	doc_document doc;
	char text[16];
} sample;

/* A document of one heading and a 1×2 table; `text` is copied so that equal samples share no
 * string; `shared` makes both cells use one style, else two equal ones. */
static void make_sample(sample *s, bool shared)
{
	strcpy(s->text, "甲");
	s->cells[0] = (doc_cell){0, 0, 1, 1, s->text, &style_a, NUM_NONE, {0}, NULL, 0, false, NULL};
	s->cells[1] = (doc_cell){0, 1, 1, 1, "1.00", shared ? &style_a : &style_b, NUM_AMOUNT,
	                         {1000000}, NULL, 0, false, NULL};
	s->table = (doc_table){.kind = "k", .title = "表", .sheet_name = "表", .caption_left = "",
	                       .caption_right = "", .note = "", .ncols = 2, .col_widths = widths,
	                       .nrows = 1, .cells = s->cells, .ncells = 2, .border = 500};
	s->blocks[0] = (doc_block){.kind = BLOCK_HEADING, .style = &style_a, .text = "标题", .level = 1,
	                           .in_toc = true};
	s->blocks[1] = (doc_block){.kind = BLOCK_TABLE, .table = &s->table};
	s->section = (doc_section){.page = {ORIENT_PORTRAIT, 595000, 842000, 1, 2, 3, 4, 5},
	                           .numbered = true, .blocks = s->blocks, .nblocks = 2};
	s->doc = (doc_document){.title = "文档", .author = "部门", .subject = "", .year = 2025,
	                        .page_number_format = "{页}", .sections = &s->section, .nsections = 1};
}

static bool same(hash_digest a, hash_digest b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void test_hash_behaviour(void)
{
	sample *a = xcalloc(1, sizeof *a), *b = xcalloc(1, sizeof *b);
	make_sample(a, false);
	make_sample(b, false);
	hash_digest base = doc_hash(&a->doc);
	CHECK(same(base, doc_hash(&b->doc))); /* contents, not addresses */

	/* a change anywhere changes the hash; each is undone before the next */
#define CHANGES(stmt, undo)                                                                         \
	do {                                                                                       \
		stmt;                                                                              \
		unit_context = #stmt;                                                              \
		CHECK(!same(base, doc_hash(&b->doc)));                                             \
		unit_context = NULL;                                                               \
		undo;                                                                              \
		CHECK(same(base, doc_hash(&b->doc)));                                              \
	} while (0)
	CHANGES(b->text[0] = 'x', strcpy(b->text, "甲"));
	CHANGES(b->cells[1].value.micros++, b->cells[1].value.micros--);
	CHANGES(b->cells[0].repeat_label = true, b->cells[0].repeat_label = false);
	CHANGES(b->cells[0].slot = "预算数", b->cells[0].slot = NULL);
	CHANGES(b->table.repeat_count = 1, b->table.repeat_count = 0);
	CHANGES(b->blocks[0].keep_with_next = true, b->blocks[0].keep_with_next = false);
	CHANGES(b->section.page.footer_distance++, b->section.page.footer_distance--);
	CHANGES(b->section.numbered = false, b->section.numbered = true);
	CHANGES(style_b.pad_y++, style_b.pad_y--);
	CHANGES(b->doc.year++, b->doc.year--);
	CHANGES(b->doc.toc_styles[2] = &style_a, b->doc.toc_styles[2] = NULL);
#undef CHANGES
	/* one style object or two equal ones: emitters may tell them apart */
	sample *c = xcalloc(1, sizeof *c);
	make_sample(c, true);
	CHECK(!same(base, doc_hash(&c->doc)));
	free(a);
	free(b);
	free(c);
}

int main(void)
{
	test_every_field_hashed();
	test_hash_behaviour();
	return unit_report();
}

/* recognise.c — finds the parts of a department in a document's blocks by their labels and
 * headings, not by their position: the department and year, 整体绩效目标 (总体, 分项, 保障措施),
 * each 项目绩效目标表 (its labels 项目名称, 预算数, 一级指标 … wherever they stand), the budget tables
 * and the 情况说明. Several documents merge into one department; a project found twice is kept
 * once and reported. */
#include "import/import_int.h"

#include "base/decimal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char *const imp_explain_keys[EXPLAIN_FIELDS] = {
	"前言", "部门职责", "总体情况", "机关运行经费", "三公经费", "政府采购", "国有资产", "名词解释", "其他事项",
};

void strv_push(arena *a, strv *s, const char *text)
{
	const char **p = vec_push(a, &s->v, &s->n, &s->cap, sizeof *p);
	*p = text;
}

void imp_note(idept *d, strv *notes, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf b = {0};
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	const char *s = arena_strdup(d->a, b.data ? b.data : "");
	buf_free(&b);
	if (notes)
		strv_push(d->a, notes, s);
	strv_push(d->a, &d->report, s);
}

/* ---- text ------------------------------------------------------------------------------------- */

static size_t space_at(const char *s)
{
	unsigned char c = (unsigned char)*s;
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		return 1;
	if (c == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80) /* U+3000 */
		return 3;
	if (c == 0xC2 && (unsigned char)s[1] == 0xA0) /* NBSP */
		return 2;
	return 0;
}

static bool is_cjk_end(const char *s, size_t n)
{
	return n >= 3 && ((unsigned char)s[n - 3] & 0xF0) == 0xE0;
}

/* Trimmed at both ends; line breaks and tabs inside are joined (nothing between two Chinese
 * characters, one space otherwise); runs of spaces kept as they are. */
const char *imp_clean(arena *a, const char *s)
{
	size_t k;
	while ((k = space_at(s)) != 0)
		s += k;
	buf b = {0};
	const char *p = s;
	while (*p) {
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			while (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ')
				p++;
			if (b.len && *p && !(is_cjk_end(b.data, b.len) && ((unsigned char)*p & 0xF0) == 0xE0))
				buf_putc(&b, ' ');
			continue;
		}
		buf_putc(&b, *p++);
	}
	/* trim the end */
	while (b.len) {
		if (b.data[b.len - 1] == ' ')
			b.len--;
		else if (b.len >= 3 && memcmp(b.data + b.len - 3, "\xE3\x80\x80", 3) == 0)
			b.len -= 3;
		else if (b.len >= 2 && memcmp(b.data + b.len - 2, "\xC2\xA0", 2) == 0)
			b.len -= 2;
		else
			break;
	}
	const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

/* A label for comparison: no spaces of any kind, no colon at the end, ASCII parentheses and
 * colons as full-width ones. */
const char *imp_key(arena *a, const char *s)
{
	buf b = {0};
	while (*s) {
		size_t k = space_at(s);
		if (k) {
			s += k;
			continue;
		}
		if (*s == '(')
			buf_puts(&b, "（");
		else if (*s == ')')
			buf_puts(&b, "）");
		else if (*s == ':')
			buf_puts(&b, "：");
		else
			buf_putc(&b, *s);
		s++;
	}
	while (b.len >= 3 && memcmp(b.data + b.len - 3, "：", 3) == 0)
		b.len -= 3;
	const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return r;
}

const char *imp_clip(arena *a, const char *s, size_t n)
{
	size_t i = 0, len = strlen(s);
	uint32_t cp;
	while (n && i < len) {
		size_t k = utf8_decode(s + i, len - i, &cp);
		i += k ? k : 1;
		n--;
	}
	return i < len ? arena_printf(a, "%.*s…", (int)i, s) : s;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static size_t chars(const char *s)
{
	return utf8_count(s, strlen(s));
}

/* An amount as the language writes it: thousands separators, units and spaces removed. Anything
 * that is not a number then is kept as written (check reports it) with a note. */
const char *imp_amount(idept *d, const char *s, const char *what, strv *notes)
{
	s = imp_clean(d->a, s);
	if (!*s)
		return "";
	buf b = {0};
	bool unit_yuan = false;
	const char *p = s;
	while (*p) {
		size_t k = space_at(p);
		if (k) {
			p += k;
			continue;
		}
		if (*p == ',' || starts(p, "，")) {
			p += *p == ',' ? 1 : 3;
			continue;
		}
		if (starts(p, "万元") && !p[6]) {
			break;
		}
		if (starts(p, "元") && !p[3]) {
			unit_yuan = true;
			break;
		}
		buf_putc(&b, *p++);
	}
	const char *n = arena_strndup(d->a, b.data ? b.data : "", b.len);
	buf_free(&b);
	bool number = *n != 0;
	int dots = 0;
	for (const char *q = n; *q; q++) {
		if (*q == '.')
			dots++;
		else if (*q < '0' || *q > '9')
			number = false;
	}
	if (!number || dots > 1) {
		imp_note(d, notes, "导入：%s“%s”不是金额，照原样写入（check 会报告）", what, s);
		return s;
	}
	if (unit_yuan) {
		imp_note(d, notes, "导入：%s“%s”以元为单位，未换算，照原样写入（check 会报告）", what, s);
		return s;
	}
	if (strcmp(n, s) != 0)
		imp_note(d, notes, "导入：%s“%s”写作 %s", what, s, n);
	return n;
}

/* ---- the recogniser's state ------------------------------------------------------------------- */

typedef enum region {
	R_NONE, R_OVERALL, R_SUMMARY, R_ITEMS, R_MEASURES, R_PROJECTS, R_EXPLAIN
} region;

typedef struct ind_map {
	bool valid;
	size_t col[6];
	size_t ncols;
} ind_map;

typedef struct rctx {
	idept *d;
	const imp_doc *doc;
	region region;
	int explain;             /* field of 情况说明 while region == R_EXPLAIN */
	bool public_part;
	iproj *cur;              /* the project being read */
	size_t first_proj;      /* projects before this index belong to earlier documents */
	bool own_overall;        /* this document supplies the 整体绩效目标 */
	iitem *item;
	const char *pending_unit;
	btable pending_table;
	const char *prev_para;
	ind_map ind;
	const char *last_l1, *last_l2; /* of the current project's previous indicator row */
	bool explain_doc;              /* this document holds the 情况说明 */
} rctx;

static iproj *new_project(rctx *r)
{
	idept *d = r->d;
	iproj *p = vec_push(d->a, &d->projects, &d->nproj, &d->capproj, sizeof *p);
	p->public_part = r->public_part;
	p->doc = r->doc->path;
	p->name = p->code = p->total = p->fiscal = p->other = p->use = "";
	for (int i = 0; i < 4; i++)
		p->sched[i] = "";
	p->unit = r->pending_unit;
	r->cur = p;
	r->last_l1 = r->last_l2 = NULL;
	r->ind.valid = false;
	r->region = R_PROJECTS;
	return p;
}

/* The project a label of the given field belongs to: the current one unless it already has it. */
static iproj *project_for(rctx *r, bool iproj_has)
{
	if (!r->cur || iproj_has)
		return new_project(r);
	return r->cur;
}

static void set_region(rctx *r, region g)
{
	r->region = g;
	r->item = NULL;
	if (g != R_PROJECTS)
		r->cur = NULL;
	r->ind.valid = false;
}

/* "第二部分　", "一、", "1.", "1、", "（一）" at the start of a heading */
static const char *strip_number_as(const char *s, bool title)
{
	static const char *const cn = "一二三四五六七八九十";
	const char *p = s;
	if (starts(p, "第")) {
		const char *q = p + 3;
		while (*q && strncmp(q, "部分", 6) != 0 && strstr(cn, (char[4]){q[0], q[1], q[2], 0}))
			q += 3;
		if (starts(q, "部分")) {
			p = q + 6;
			while (space_at(p))
				p += space_at(p);
			return p;
		}
	}
	if (starts(p, "（")) {
		const char *q = p + 3;
		while (*q && (unsigned char)*q >= 0xE0 && strstr(cn, (char[4]){q[0], q[1], q[2], 0}))
			q += 3;
		if (q > p + 3 && starts(q, "）"))
			return q + 3;
		return s;
	}
	const char *q = p;
	while ((unsigned char)*q >= 0xE0 && strstr(cn, (char[4]){q[0], q[1], q[2], 0}))
		q += 3;
	if (q == p)
		while (*q >= '0' && *q <= '9')
			q++;
	if (q > p && (starts(q, "、") || starts(q, "．"))) {
		q += 3;
	} else if (q > p && *q == '.' && (title || !(q[1] >= '0' && q[1] <= '9'))) {
		q += 1;
	} else {
		return s;
	}
	while (space_at(q))
		q += space_at(q);
	return q;
}

static const char *strip_number(const char *s)
{
	return strip_number_as(s, false);
}

static bool is_item_number(const char *s)
{
	return starts(s, "（") && strip_number(s) != s;
}

/* "XXXX年" in s followed by 部门预算 / 度部门预算: the year and where it starts */
static const char *find_year(const char *s, const char *follow, size_t *at)
{
	for (const char *p = s; *p; p++) {
		if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
		    p[3] >= '0' && p[3] <= '9' && starts(p + 4, "年") && (p == s || p[-1] < '0' || p[-1] > '9')) {
			const char *q = p + 7;
			if (starts(q, "度"))
				q += 3;
			if (!follow || starts(q, follow)) {
				*at = (size_t)(p - s);
				static char year[5];
				memcpy(year, p, 4);
				year[4] = 0;
				return year;
			}
		}
	}
	return NULL;
}

static void set_dept_name(rctx *r, const char *name)
{
	idept *d = r->d;
	if (!*name)
		return;
	if (!d->name) {
		d->name = name;
		d->name_doc = r->doc->path;
	} else if (strcmp(d->name, name) != 0) {
		imp_note(d, NULL, "导入：%s 中的部门名称“%s”与 %s 中的“%s”不同，用后者", r->doc->path, name,
		         d->name_doc, d->name);
	}
}

static void set_year(rctx *r, const char *year)
{
	idept *d = r->d;
	if (!d->year)
		d->year = arena_strdup(d->a, year);
	else if (strcmp(d->year, year) != 0 && r->region != R_EXPLAIN)
		imp_note(d, NULL, "导入：%s 中出现年度 %s，与已读到的 %s 不同，用后者", r->doc->path, year, d->year);
}

static int explain_field(const char *rest)
{
	if (strstr(rest, "部门职责"))
		return 1;
	if (strstr(rest, "总体情况"))
		return 2;
	if (starts(rest, "机关运行经费"))
		return 3;
	if (strstr(rest, "三公") && strstr(rest, "情况"))
		return 4;
	if (starts(rest, "政府采购") && strstr(rest, "情况"))
		return 5;
	if (starts(rest, "国有资产"))
		return 6;
	if (strcmp(rest, "名词解释") == 0)
		return 7;
	if (starts(rest, "其他需要说明") || strcmp(rest, "其他事项") == 0)
		return 8;
	return -1;
}

/* ---- paragraphs ---------------------------------------------------------------------------------- */

static void add_text(rctx *r, const char *t)
{
	idept *d = r->d;
	switch (r->region) {
	case R_SUMMARY:
		if (r->own_overall)
			strv_push(d->a, &d->summary, t);
		return;
	case R_MEASURES:
		if (r->own_overall)
			strv_push(d->a, &d->measures, t);
		return;
	case R_ITEMS:
		if (!r->own_overall)
			return;
		if (!r->item) {
			r->item = vec_push(d->a, &d->items, &d->nitems, &d->capitems, sizeof *r->item);
			r->item->title = "";
			imp_note(d, NULL, "导入：分项绩效目标下的文字“%s”前没有分项标题，归入一个无标题的分项", imp_clip(d->a, t, 30));
		}
		if (starts(t, "绩效目标：") || starts(t, "绩效目标:"))
			r->item->goal = imp_clean(d->a, t + (t[12] == ':' ? 13 : 15));
		else if (starts(t, "绩效指标：") || starts(t, "绩效指标:"))
			r->item->indicators = imp_clean(d->a, t + (t[12] == ':' ? 13 : 15));
		else
			strv_push(d->a, &r->item->text, t);
		return;
	case R_EXPLAIN:
		if (r->explain >= 0 && d->budget_doc == r->doc->path)
			strv_push(d->a, &d->explain[r->explain], t);
		return;
	case R_NONE:
	case R_OVERALL:
	case R_PROJECTS:
		break;
	}
	if (r->region == R_PROJECTS && r->cur && chars(t) > 0)
		imp_note(d, &r->cur->notes, "导入：%s 中项目表旁的文字未能归入任何字段：%s", r->doc->path, imp_clip(d->a, t, 40));
}

static bool overall_begin(rctx *r)
{
	idept *d = r->d;
	if (!d->overall) {
		d->overall = true;
		d->overall_doc = r->doc->path;
		r->own_overall = true;
	} else if (!r->own_overall) {
		imp_note(d, NULL, "导入：%s 中也有整体绩效目标，用 %s 中的那份", r->doc->path, d->overall_doc);
	}
	return r->own_overall;
}

static void para_line(rctx *r, const char *t)
{
	idept *d = r->d;
	arena *a = d->a;
	size_t n = chars(t);
	size_t at;
	const char *year;
	const char *prev = r->prev_para;
	r->prev_para = t;
	/* budget table titles and their subtitles */
	btable bk = n <= 40 ? imp_budget_kind(t) : BT_NONE;
	if (bk != BT_NONE) {
		r->pending_table = bk;
		return;
	}
	if (r->pending_table != BT_NONE) {
		/* "113 开发区组织人事局预算年度：2023　　单位：万元", "…截止时间：2022-12-31" */
		const char *cut = strstr(t, "截止时间：");
		if (cut)
			d->assets_date = imp_clean(a, cut + strlen("截止时间："));
		if (t[0] >= '0' && t[0] <= '9' && (strstr(t, "单位：") || strstr(t, "预算年度"))) {
			const char *q = t;
			while (*q >= '0' && *q <= '9')
				q++;
			if (!d->code && (*q == ' ' || space_at(q)))
				d->code = arena_strndup(a, t, (size_t)(q - t));
		}
		if (cut || strstr(t, "单位：") || strstr(t, "预算年度"))
			return;
	}
	if (starts(t, "注：") && r->region != R_SUMMARY && r->region != R_MEASURES && r->region != R_ITEMS)
		return;
	/* the 情况说明 */
	if (n <= 60 && ends(t, "情况说明") && (year = find_year(t, "部门预算", &at)) != NULL) {
		set_year(r, year);
		if (at)
			set_dept_name(r, imp_clean(a, arena_strndup(a, t, at)));
		set_region(r, R_EXPLAIN);
		r->explain = 0;
		r->explain_doc = true;
		if (!d->budget_doc)
			d->budget_doc = r->doc->path;
		d->has_explain = d->budget_doc == r->doc->path;
		return;
	}
	/* a cover or title: "乐亭县人力资源和社会保障局" then "2024年部门预算绩效目标" */
	if (n <= 60 && (year = find_year(t, "部门预算", &at)) != NULL && r->region != R_EXPLAIN) {
		set_year(r, year);
		if (at)
			set_dept_name(r, imp_clean(a, arena_strndup(a, t, at)));
		else if (prev && chars(prev) <= 40 && !strchr(prev, '\xef'))
			set_dept_name(r, prev);
		return;
	}
	const char *rest = n <= 40 ? strip_number(t) : t;
	if (n <= 40) {
		/* the parts of the 情况说明 after 五、预算绩效信息 (六、政府采购预算情况 …) */
		if (r->region != R_EXPLAIN && r->explain_doc && rest != t && !starts(t, "（")) {
			int f = explain_field(rest);
			if (f >= 0) {
				set_region(r, R_EXPLAIN);
				r->explain = f;
				return;
			}
		}
		if (r->region == R_EXPLAIN) {
			int f = explain_field(rest);
			if (f >= 0) {
				r->explain = f;
				return;
			}
			if (strstr(rest, "预算绩效信息")) {
				set_region(r, R_OVERALL);
				return;
			}
			if (strcmp(imp_key(a, t), "部门职责") == 0 || strcmp(imp_key(a, t), "机构设置") == 0)
				return;
		}
		if (strstr(rest, "整体绩效目标") && !strstr(rest, "分项")) {
			if ((year = find_year(rest, NULL, &at)) != NULL)
				set_year(r, year);
			overall_begin(r);
			set_region(r, R_OVERALL);
			return;
		}
		if (starts(rest, "总体绩效目标")) {
			overall_begin(r);
			set_region(r, R_SUMMARY);
			const char *v = rest + strlen("总体绩效目标");
			if (starts(v, "：") || *v == ':')
				v += *v == ':' ? 1 : 3;
			v = imp_clean(a, v);
			if (*v)
				add_text(r, v);
			return;
		}
		if (starts(rest, "分项绩效目标")) {
			overall_begin(r);
			set_region(r, R_ITEMS);
			const char *v = rest + strlen("分项绩效目标");
			if (starts(v, "：") || *v == ':') {
				v = imp_clean(a, v + (*v == ':' ? 1 : 3));
				if (*v && r->own_overall) {
					r->item = vec_push(a, &d->items, &d->nitems, &d->capitems, sizeof *r->item);
					r->item->title = v;
				}
			}
			return;
		}
		if (starts(rest, "工作保障措施") || strcmp(rest, "保障措施") == 0) {
			overall_begin(r);
			set_region(r, R_MEASURES);
			const char *v = rest + strlen(starts(rest, "工作") ? "工作保障措施" : "保障措施");
			if (starts(v, "：") || *v == ':')
				v = imp_clean(a, v + (*v == ':' ? 1 : 3));
			if (*v)
				add_text(r, v);
			return;
		}
		if (!ends(rest, "表") && (strstr(rest, "项目绩效目标") || strstr(rest, "公用绩效目标"))) {
			r->public_part = strstr(rest, "公用绩效目标") != NULL;
			set_region(r, R_PROJECTS);
			return;
		}
	}
	/* a form's title: the project's name, then 绩效目标表 or the department's 项目表题 (the 2025
	 * booklet's 项目绩效目标申报表) */
	static const char *const form_titles[] = {"项目绩效目标申报表", "绩效目标申报表", "绩效目标表"};
	const char *form = NULL;
	for (size_t k = 0; k < sizeof form_titles / sizeof *form_titles && !form; k++)
		if (ends(t, form_titles[k]))
			form = form_titles[k];
	if (n <= 120 && form && r->region != R_SUMMARY && r->region != R_MEASURES) {
		const char *name = strip_number_as(t, true);
		name = imp_clean(a, arena_strndup(a, name, strlen(name) - strlen(form)));
		if (strcmp(form, "绩效目标表") != 0 && *name)
			r->d->form_title = form;
		if (strcmp(name, "项目") == 0 || strcmp(name, "项目支出") == 0)
			name = "";
		if (r->region == R_ITEMS || r->region == R_OVERALL || r->region == R_SUMMARY ||
		    r->region == R_MEASURES || r->region == R_EXPLAIN)
			set_region(r, R_PROJECTS);
		iproj *p = new_project(r);
		p->titled = true;
		if (*name) {
			p->name = name;
			p->has_name = true;
		}
		return;
	}
	if (starts(t, "单位名称：") || starts(t, "编报单位：") || starts(t, "单位名称:")) {
		const char *v = t + (t[12] == ':' ? 13 : 15);
		char *u = (char *)imp_clean(a, v);
		char *cut = strstr(u, "单位：万元");
		if (!cut)
			cut = strstr(u, "金额单位");
		if (cut)
			*cut = 0;
		u = (char *)imp_clean(a, u);
		r->pending_unit = *u ? u : NULL;
		if (r->cur && r->cur->titled && !r->cur->has_code && !r->cur->rows.n)
			r->cur->unit = r->pending_unit;
		return;
	}
	if (r->region == R_ITEMS && is_item_number(t) && n <= 80) {
		if (r->own_overall) {
			r->item = vec_push(a, &d->items, &d->nitems, &d->capitems, sizeof *r->item);
			r->item->title = strip_number(t);
		}
		return;
	}
	add_text(r, t);
}

/* A paragraph of the table of contents: a title, a tab, a page number. */
static bool is_toc(const char *s)
{
	const char *tab = strrchr(s, '\t');
	if (!tab)
		return false;
	tab++;
	while (*tab == ' ')
		tab++;
	if (!*tab)
		return false;
	while (*tab >= '0' && *tab <= '9')
		tab++;
	return *tab == 0;
}

static void para(rctx *r, const char *text)
{
	if (is_toc(text))
		return;
	/* soft line breaks end paragraphs of prose */
	const char *p = text;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *t = imp_clean(r->d->a, arena_strndup(r->d->a, p, len));
		if (*t)
			para_line(r, t);
		p += len + (e ? 1 : 0);
	}
}

/* ---- tables --------------------------------------------------------------------------------------- */

/* The text of the origin of a covered cell (up while covered from above, left while covered from
 * the left). */
static const char *origin_text(const imp_block *b, size_t row, size_t col)
{
	for (;;) {
		const imp_cell *c = imp_at(b, row, col);
		if (c->cover == COVER_V && row > 0)
			row--;
		else if (c->cover == COVER_H && col > 0)
			col--;
		else
			return c->text;
	}
}

/* The next cell right of col that is not covered; ncols when none. */
static size_t next_origin(const imp_block *b, size_t row, size_t col)
{
	for (size_t c = col + 1; c < b->ncols; c++)
		if (imp_at(b, row, c)->cover == COVER_NONE)
			return c;
	return b->ncols;
}

typedef enum label {
	L_NONE, L_CODE, L_NAME, L_TOTAL, L_FISCAL, L_OTHER, L_USE, L_SCHEDULE, L_GOALS, L_INDICATORS,
	L_UNIT, L_L1
} label;

static label label_of(const char *k)
{
	static const struct { const char *k; label l; } map[] = {
		{"项目编码", L_CODE}, {"项目代码", L_CODE}, {"项目名称", L_NAME},
		{"预算数", L_TOTAL}, {"预算金额", L_TOTAL}, {"年度预算数", L_TOTAL}, {"项目预算数", L_TOTAL},
		{"资金总额", L_TOTAL}, {"年度资金总额", L_TOTAL}, {"预算数（万元）", L_TOTAL},
		{"其中：财政资金", L_FISCAL}, {"其中财政资金", L_FISCAL}, {"财政资金", L_FISCAL},
		{"其中：财政拨款", L_FISCAL}, {"财政拨款", L_FISCAL},
		{"其他资金", L_OTHER}, {"其中：其他资金", L_OTHER},
		{"预算规模及资金用途", L_USE}, {"资金用途", L_USE}, {"项目资金用途", L_USE},
		{"绩效目标", L_GOALS}, {"年度绩效目标", L_GOALS}, {"项目绩效目标", L_GOALS}, {"年度目标", L_GOALS},
		{"绩效指标", L_INDICATORS}, {"一级指标", L_L1},
		{"编报单位", L_UNIT}, {"单位名称", L_UNIT}, {"预算单位", L_UNIT},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (strcmp(k, map[i].k) == 0)
			return map[i].l;
	if (starts(k, "资金支出计划") || starts(k, "支出计划"))
		return L_SCHEDULE;
	return L_NONE;
}

static const char *const header6[6] = {"一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"};

static int header_index(const char *k)
{
	for (int i = 0; i < 6; i++)
		if (strcmp(k, header6[i]) == 0)
			return i;
	if (strcmp(k, "指标描述") == 0 || strcmp(k, "指标内容") == 0)
		return 3;
	if (strcmp(k, "目标值") == 0 || strcmp(k, "指标值（目标值）") == 0)
		return 4;
	if (strcmp(k, "确定依据") == 0 || strcmp(k, "指标值设定依据") == 0 || strcmp(k, "评（扣）分标准") == 0)
		return 5;
	return -1;
}

static bool header_row(rctx *r, const imp_block *b, size_t row)
{
	ind_map m = {0};
	int found = 0;
	bool seen[6] = {0};
	for (size_t c = 0; c < b->ncols; c++) {
		const imp_cell *cell = imp_at(b, row, c);
		if (cell->cover != COVER_NONE)
			continue;
		int i = header_index(imp_key(r->d->a, cell->text));
		if (i >= 0 && !seen[i]) {
			seen[i] = true;
			m.col[i] = c;
			found++;
		}
	}
	if (!seen[0] || !seen[1] || found < 4)
		return false;
	for (int i = 0; i < 6; i++)
		if (!seen[i])
			m.col[i] = b->ncols; /* a missing column reads as empty */
	m.valid = true;
	m.ncols = b->ncols;
	r->ind = m;
	return true;
}

static const char *cell_for_row(rctx *r, const char *s, const char *what, iproj *p)
{
	const char *t = imp_clean(r->d->a, s);
	if (strstr(t, "｜") || strchr(t, '|')) {
		buf b = {0};
		for (const char *q = t; *q;) {
			if (starts(q, "｜")) {
				buf_putc(&b, '/');
				q += 3;
			} else if (*q == '|') {
				buf_putc(&b, '/');
				q++;
			} else {
				buf_putc(&b, *q++);
			}
		}
		imp_note(r->d, &p->notes, "导入：%s“%s”中的竖线改作“/”", what, t);
		t = arena_strdup(r->d->a, b.data);
		buf_free(&b);
	}
	return t;
}

static void indicator_row(rctx *r, const imp_block *b, size_t row)
{
	const char *cell[6];
	bool any = false;
	iproj *p = r->cur ? r->cur : new_project(r);
	for (int i = 0; i < 6; i++) {
		size_t c = r->ind.col[i];
		if (c >= b->ncols) {
			cell[i] = "";
			continue;
		}
		const imp_cell *x = imp_at(b, row, c);
		if (i < 2 && x->cover != COVER_NONE)
			cell[i] = ""; /* merged with the row above: same as above */
		else
			cell[i] = cell_for_row(r, x->cover == COVER_NONE ? x->text : origin_text(b, row, c), header6[i], p);
		if (*cell[i])
			any = true;
	}
	if (!any)
		return;
	/* a label repeated where a merge was split (at a page break) is "same as above" */
	if (*cell[0] && r->last_l1 && strcmp(cell[0], r->last_l1) == 0)
		cell[0] = "";
	if (*cell[0])
		r->last_l2 = NULL;
	else if (*cell[1] && r->last_l2 && strcmp(cell[1], r->last_l2) == 0)
		cell[1] = "";
	if (*cell[0])
		r->last_l1 = cell[0];
	if (*cell[1])
		r->last_l2 = cell[1];
	buf line = {0};
	for (int i = 0; i < 6; i++) {
		if (i)
			buf_puts(&line, "｜");
		buf_puts(&line, cell[i]);
	}
	strv_push(r->d->a, &p->rows, arena_strdup(r->d->a, line.data));
	buf_free(&line);
}

static bool is_goal_number(const char *k)
{
	if (starts(k, "目标"))
		k += strlen("目标");
	if (!*k)
		return false;
	for (; *k; k++)
		if (*k < '0' || *k > '9')
			return false;
	return true;
}

static void goals_of_row(rctx *r, const imp_block *b, size_t row, size_t col, iproj *p)
{
	for (size_t c = col + 1; c < b->ncols; c++) {
		const imp_cell *x = imp_at(b, row, c);
		if (x->cover != COVER_NONE || !*x->text || is_goal_number(imp_key(r->d->a, x->text)))
			continue;
		/* one goal per paragraph of the cell */
		const char *q = x->text;
		while (*q) {
			const char *e = strchr(q, '\n');
			size_t len = e ? (size_t)(e - q) : strlen(q);
			const char *g = imp_clean(r->d->a, arena_strndup(r->d->a, q, len));
			if (*g)
				strv_push(r->d->a, &p->goals, g);
			q += len + (e ? 1 : 0);
		}
	}
}

static const char *value_right(rctx *r, const imp_block *b, size_t row, size_t col)
{
	size_t c = next_origin(b, row, col);
	return c < b->ncols ? imp_clean(r->d->a, imp_at(b, row, c)->text) : "";
}

static const char *const months[4] = {"3月底", "6月底", "10月底", "12月底"};

static int month_index(const char *k)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(k, months[i]) == 0)
			return i;
	static const char *const alt[4] = {"一季度", "二季度", "三季度", "四季度"};
	for (int i = 0; i < 4; i++)
		if (strcmp(k, alt[i]) == 0 || (starts(k, alt[i]) && strlen(k) <= strlen(alt[i]) + 6))
			return i;
	return -1;
}

static void project_table(rctx *r, const imp_block *b)
{
	idept *d = r->d;
	size_t use_col = b->ncols, goal_col = b->ncols;
	size_t month_col[4] = {b->ncols, b->ncols, b->ncols, b->ncols};
	size_t month_row = (size_t)-1;
	for (size_t row = 0; row < b->nrows; row++) {
		if (header_row(r, b, row))
			continue;
		/* the labels of this row */
		bool labels = false;
		for (size_t c = 0; c < b->ncols; c++) {
			const imp_cell *x = imp_at(b, row, c);
			if (x->cover != COVER_NONE || !*x->text)
				continue;
			const char *k = imp_key(d->a, x->text);
			label l = label_of(k);
			if (c == use_col && l != L_USE)
				use_col = b->ncols;
			if (c == goal_col && l != L_GOALS)
				goal_col = b->ncols;
			if (l == L_NONE && (starts(k, "单位名称：") || starts(k, "编报单位："))) {
				const char *u = imp_clean(d->a, strstr(x->text, "：") + 3);
				r->pending_unit = *u ? u : NULL;
				if (r->cur && !r->cur->has_code && !r->cur->rows.n)
					r->cur->unit = r->pending_unit;
				labels = true;
				continue;
			}
			if (l == L_NONE && (strcmp(k, "部门") == 0 || strcmp(k, "部门名称") == 0 || strcmp(k, "年度") == 0 ||
			                    strcmp(k, "预算年度") == 0)) {
				const char *v = value_right(r, b, row, c);
				if (strcmp(k, "部门") == 0 || strcmp(k, "部门名称") == 0)
					set_dept_name(r, v);
				if (strstr(k, "年度") && v[0] >= '0' && v[0] <= '9' && strlen(v) >= 4 && v[1] >= '0' &&
				    v[2] >= '0' && v[3] >= '0' && v[1] <= '9' && v[2] <= '9' && v[3] <= '9')
					set_year(r, arena_strndup(d->a, v, 4));
				labels = true;
				continue;
			}
			if (l == L_NONE && strcmp(k, "单位：万元") == 0) {
				labels = true;
				continue;
			}
			int mi = month_index(k);
			if (mi >= 0) {
				month_col[mi] = c;
				month_row = row;
				labels = true;
				continue;
			}
			iproj *p;
			switch (l) {
			case L_NONE:
			case L_L1:
				break;
			case L_CODE:
				p = project_for(r, r->cur && (r->cur->has_code || r->cur->rows.n));
				p->code = value_right(r, b, row, c);
				p->has_code = true;
				labels = true;
				break;
			case L_NAME:
				p = project_for(r, r->cur && ((r->cur->has_name && !r->cur->titled) || r->cur->rows.n ||
				                              (r->cur->titled && r->cur->has_code && r->cur->has_name &&
				                               r->cur->has_total)));
				{
					const char *v = value_right(r, b, row, c);
					if (p->has_name && strcmp(p->name, v) != 0 && *v)
						imp_note(d, &p->notes, "导入：标题中的项目名称“%s”与表中的“%s”不同，用表中的", p->name, v);
					if (*v || !p->has_name)
						p->name = v;
				}
				p->has_name = true;
				p->titled = false;
				labels = true;
				break;
			case L_TOTAL:
				p = project_for(r, r->cur && (r->cur->has_total || r->cur->rows.n));
				p->total = imp_amount(d, value_right(r, b, row, c), "预算数", &p->notes);
				p->has_total = true;
				labels = true;
				break;
			case L_FISCAL:
				p = project_for(r, r->cur && (r->cur->has_fiscal || r->cur->rows.n));
				p->fiscal = imp_amount(d, value_right(r, b, row, c), "财政资金", &p->notes);
				p->has_fiscal = true;
				labels = true;
				break;
			case L_OTHER:
				p = project_for(r, r->cur && (r->cur->has_other || r->cur->rows.n));
				p->other = imp_amount(d, value_right(r, b, row, c), "其他资金", &p->notes);
				p->has_other = true;
				labels = true;
				break;
			case L_USE: {
				p = project_for(r, r->cur && (r->cur->has_use || r->cur->rows.n));
				size_t nc = next_origin(b, row, c);
				const char *v = nc < b->ncols ? imp_at(b, row, nc)->text : "";
				if (nc < b->ncols && label_of(imp_key(d->a, v)) == L_NONE && *v) {
					p->use = imp_clean(d->a, v);
					p->has_use = true;
				} else {
					use_col = c; /* the text is in a row below, beside the merged label */
				}
				labels = true;
				c = nc < b->ncols && label_of(imp_key(d->a, v)) == L_NONE ? nc : c;
				break;
			}
			case L_SCHEDULE:
				project_for(r, r->cur && (r->cur->has_sched || r->cur->rows.n));
				labels = true;
				break;
			case L_GOALS:
				p = project_for(r, r->cur && (r->cur->goals.n || r->cur->rows.n));
				goal_col = c;
				goals_of_row(r, b, row, c, p);
				labels = true;
				c = b->ncols;
				break;
			case L_INDICATORS:
				labels = true;
				break;
			case L_UNIT: {
				const char *u = value_right(r, b, row, c);
				r->pending_unit = *u ? u : NULL;
				if (r->cur && !r->cur->has_code && !r->cur->rows.n)
					r->cur->unit = r->pending_unit;
				labels = true;
				break;
			}
			}
		}
		if (labels) {
			r->ind.valid = false;
			continue;
		}
		/* the rows a merged label covers */
		if (use_col < b->ncols && imp_at(b, row, use_col)->cover == COVER_V && r->cur) {
			for (size_t c = b->ncols; c-- > use_col + 1;) {
				const imp_cell *x = imp_at(b, row, c);
				if (x->cover == COVER_NONE && *x->text) {
					r->cur->use = imp_clean(d->a, x->text);
					r->cur->has_use = true;
					break;
				}
			}
			continue;
		}
		if (goal_col < b->ncols && imp_at(b, row, goal_col)->cover == COVER_V && r->cur) {
			goals_of_row(r, b, row, goal_col, r->cur);
			continue;
		}
		if (month_row != (size_t)-1 && row == month_row + 1 && r->cur) {
			for (int i = 0; i < 4; i++)
				r->cur->sched[i] = month_col[i] < b->ncols
				                       ? imp_clean(d->a, origin_text(b, row, month_col[i]))
				                       : "";
			r->cur->has_sched = true;
			continue;
		}
		if (r->ind.valid && r->ind.ncols == b->ncols)
			indicator_row(r, b, row);
	}
}

static void table(rctx *r, const imp_block *b)
{
	idept *d = r->d;
	btable k = r->pending_table;
	r->pending_table = BT_NONE;
	if (k != BT_NONE && b->nrows) {
		/* a caption row: "113 开发区组织人事局 | 预算年度：2023 单位：万元", "…截止时间：2022-12-31" */
		for (size_t c = 0; c < b->ncols; c++) {
			const char *t = imp_at(b, 0, c)->text, *cut = strstr(t, "截止时间：");
			if (cut)
				d->assets_date = imp_clean(d->a, cut + strlen("截止时间："));
			if (c == 0 && t[0] >= '0' && t[0] <= '9' && !d->code) {
				const char *q = t;
				while (*q >= '0' && *q <= '9')
					q++;
				if (space_at(q))
					d->code = arena_strndup(d->a, t, (size_t)(q - t));
			}
		}
	}
	if (k != BT_NONE) {
		if (!d->budget_doc)
			d->budget_doc = r->doc->path;
		if (d->budget_doc == r->doc->path && !d->btables[k])
			d->btables[k] = b;
		return;
	}
	project_table(r, b);
}

/* ---- merging documents -------------------------------------------------------------------------- */

static bool same_amount(const char *a, const char *b)
{
	decimal x, y;
	if (dec_parse(a, strlen(a), &x, NULL) == DEC_OK && dec_parse(b, strlen(b), &y, NULL) == DEC_OK)
		return dec_cmp(x, y) == 0;
	return strcmp(a, b) == 0;
}

static bool same_strv(const strv *a, const strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* Projects of this document that an earlier one already gave: dropped, and reported. */
static void drop_duplicates(rctx *r)
{
	idept *d = r->d;
	size_t k = r->first_proj;
	for (size_t i = r->first_proj; i < d->nproj; i++) {
		iproj *p = &d->projects[i];
		const iproj *dup = NULL;
		for (size_t j = 0; j < r->first_proj && !dup; j++)
			if (strcmp(d->projects[j].name, p->name) == 0 && strcmp(d->projects[j].code, p->code) == 0)
				dup = &d->projects[j];
		if (dup) {
			bool same = same_strv(&dup->rows, &p->rows) && same_strv(&dup->goals, &p->goals) &&
			            same_amount(dup->total, p->total);
			imp_note(d, NULL, "导入：项目“%s”在 %s 和 %s 中都有%s，只保留前者", p->name, dup->doc, p->doc,
			         same ? "（内容相同）" : "（内容不同，请核对）");
			continue;
		}
		d->projects[k++] = *p;
	}
	d->nproj = k;
}

void imp_recognise(idept *d, const imp_doc *doc)
{
	rctx r = {.d = d, .doc = doc, .first_proj = d->nproj, .explain = -1};
	if (doc->title) {
		size_t at;
		const char *year = find_year(doc->title, NULL, &at);
		if (year && at) {
			set_year(&r, year);
			set_dept_name(&r, imp_clean(d->a, arena_strndup(d->a, doc->title, at)));
		}
	}
	for (size_t i = 0; i < doc->n; i++) {
		const imp_block *b = &doc->blocks[i];
		switch (b->kind) {
		case BLK_SHEET:
			r.ind.valid = false;
			r.pending_table = imp_budget_kind(b->text);
			if (r.region == R_SUMMARY || r.region == R_ITEMS || r.region == R_MEASURES)
				set_region(&r, R_NONE);
			break;
		case BLK_PARA:
			para(&r, b->text);
			break;
		case BLK_TABLE:
			table(&r, b);
			break;
		}
	}
	/* projects without a name (a form with no 项目名称 and no title) cannot be written */
	for (size_t i = r.first_proj; i < d->nproj; i++)
		if (!*d->projects[i].name && (d->projects[i].rows.n || d->projects[i].goals.n)) {
			d->projects[i].name = arena_printf(d->a, "未命名项目%zu", i + 1);
			imp_note(d, &d->projects[i].notes, "导入：%s 中的这张项目表没有项目名称，暂名“%s”", doc->path,
			         d->projects[i].name);
		}
	size_t k = r.first_proj;
	for (size_t i = r.first_proj; i < d->nproj; i++)
		if (*d->projects[i].name)
			d->projects[k++] = d->projects[i];
	d->nproj = k;
	drop_duplicates(&r);
	if (doc->ins || doc->del)
		imp_note(d, NULL, "导入：%s 有修订标记（插入 %zu 处、删除 %zu 处）：按接受全部修订后的文字导入", doc->path,
		         doc->ins, doc->del);
	if (doc->moved)
		imp_note(d, NULL, "导入：%s 中有 %zu 个文本框、图片或嵌入对象，其中的文字未导入", doc->path, doc->moved);
}

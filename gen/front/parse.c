/* parse.c — builds the syntax tree (ast.h) from classified lines (lex.h). A small state machine:
 * the department header, then sections 【整体绩效目标】 and 【项目】; inside them fields, paragraph
 * blocks and indicator rows. 包含： splices another file in place. Reports and carries on. */
#include "front/parse.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "front/lex.h"

enum { PARSE_MAX_INCLUDE_DEPTH = 16 };

/* The bytes a department may read, its source and every inclusion counted (a file included
 * twice counts twice), so that includes cannot multiply the work: seven files of 2 KB, each
 * including the next 20 times, expanded to 3.2 million paragraphs (24 s and 4.4 GB) before this
 * limit. 16 MB is the limit of one source file (LEX_MAX_FILE_MB), so a department costs what its
 * largest possible source costs: about 0.3 s and 40 MB for 16 MB of paragraphs (that fan-out
 * now stops after 0.26 s and 68 MB). The largest real department (input/2023-…, with
 * 共用/名词解释.txt) reads 108 KB, 150 times less. */
enum { PARSE_MAX_DEPT_MB = LEX_MAX_FILE_MB };

/* Limits that keep a build's time and memory bounded whatever the source says (docs/language.md
 * §7): past one, an error is reported once and the rest of that kind is not stored. Measured on
 * 2 cores: 20,000 indicator rows build in about 10 s and 300 MB, 1,000 projects in about 30 s;
 * the samples have at most 13 rows per project and 56 projects. */
enum {
	PARSE_MAX_PROJECTS = 1000,         /* 【项目】 per department */
	PARSE_MAX_PROJECT_ROWS = 200,      /* indicator rows per project */
	PARSE_MAX_ROWS = 20000,            /* indicator rows per department */
	PARSE_MAX_GOALS = 50,              /* 绩效目标 per project */
	PARSE_MAX_SECTION_LINES = 5000     /* lines per budget-data section */
};

typedef enum parse_ctx {
	CTX_HEADER,  /* before the first section */
	CTX_OVERALL, /* inside 【整体绩效目标】 */
	CTX_PROJECT, /* inside 【项目】 */
	CTX_BUDGET,  /* inside a budget-data section: generic lines */
	CTX_SKIP     /* inside an unknown section: lines are ignored */
} parse_ctx;

typedef enum para_target {
	PARA_NONE,     /* text here is an error */
	PARA_SUMMARY,  /* after 总体绩效目标： */
	PARA_ITEM,     /* after 分项绩效目标： (unlabelled description) */
	PARA_MEASURES, /* after 工作保障措施： */
	PARA_INTRO     /* after 分项引言： */
} para_target;

/* An acknowledgement (“# 已核对：种类”) waiting for the line it applies to: the next one that is
 * neither blank nor a comment. */
typedef struct pending_ack {
	srcloc at;
	diag_code code;
} pending_ack;

typedef struct parser {
	arena *a;
	diag_ctx *d;
	ast_department *dept;
	parse_ctx ctx;
	para_target para;
	ast_project *proj;  /* current project (CTX_PROJECT) */
	ast_section *sec;   /* current budget-data section (CTX_BUDGET) */
	ast_item *item;     /* current item (PARA_ITEM) */
	bool in_rows;       /* right after 绩效指标： in a project */
	size_t nrows;       /* indicator rows stored, all projects */
	bool too_many_projects, too_many_rows; /* reported (once per department) */
	char *stack[PARSE_MAX_INCLUDE_DEPTH + 1]; /* real paths of the files being read */
	int depth;
	const parse_roots *roots; /* where includes may reach; NULL: anywhere (in-memory sources) */
	size_t bytes;             /* read so far, every inclusion counted */
	size_t lines;             /* lexed so far, every inclusion counted */
	bool too_big;             /* PARSE_MAX_DEPT_MB or LEX_MAX_LINES reached (reported once) */
	/* what ＋ lines continue: one field (ncont 1) or the cells of an indicator row (ncont 6);
	 * their paragraphs gather in cont_text and are stored when another line comes (cont_end),
	 * so that a long run of ＋ lines costs its length, not its square */
	ast_str *cont[AST_ROW_CELLS];
	buf cont_text[AST_ROW_CELLS];
	bool cont_dirty[AST_ROW_CELLS];
	int ncont;
	bool cont_row;            /* cont[] are the cells of a row */
	bool cont_quiet;          /* the line above was dropped at a limit: ignore its ＋ lines */
	pending_ack *acks;
	size_t nacks, acks_cap;
} parser;

static void parse_file(parser *p, const char *path, srcloc from);

static ast_str str_of(const lex_line *l)
{
	ast_str s = {l->value, l->vloc};
	return s;
}

static ast_str text_of(const lex_line *l)
{
	ast_str s = {l->text, l->loc};
	return s;
}

static void set_field(parser *p, ast_str *slot, const lex_line *l)
{
	if (slot->s) {
		diag_report(p->d, l->loc, D_FIELD_DUPLICATE, kw_name(l->key));
		diag_report(p->d, slot->loc, D_NOTE_FIRST_HERE);
		return;
	}
	*slot = str_of(l);
}

static const char *owner_of_field(kw k)
{
	switch (k) {
	case KW_UNIT:
	case KW_GOAL_CELL:
		return "部门头或【项目】";
	case KW_DEPT:
	case KW_DEPT_CODE:
	case KW_YEAR:
	case KW_VARIANT:
	case KW_FORM_TITLE:
		return "部门头（第一个【…】之前）";
	case KW_SUMMARY:
	case KW_ITEM:
	case KW_MEASURES:
	case KW_INTRO:
	case KW_NUMBERING:
		return "【整体绩效目标】";
	case KW_GOAL:
	case KW_INDICATORS:
		return "“分项绩效目标：”之后或【项目】";
	case KW_NAME:
	case KW_PART:
	case KW_CODE:
	case KW_TOTAL:
	case KW_FISCAL:
	case KW_OTHER:
	case KW_USE:
	case KW_SCHEDULE:
		return "【项目】";
	case KW_INCLUDE:
	case KW_NONE:
	case KW_COUNT:
		break;
	}
	return "任何位置";
}

static void check_reference(parser *p, const lex_line *l)
{
	const char *brace = strpbrk(l->text, "{");
	if (!brace)
		brace = strstr(l->text, "｛");
	if (brace)
		diag_report(p->d, lex_loc_at(l, brace), D_REFERENCE_RESERVED);
}

static void report_text(parser *p, const lex_line *l)
{
	if (l->word) {
		const char *hint = kw_suggest(l->word);
		if (hint)
			diag_report(p->d, l->loc, D_UNKNOWN_FIELD, l->word, hint);
		else
			diag_report(p->d, l->loc, D_UNKNOWN_FIELD_BARE, l->word);
	} else if (l->has_bar) {
		diag_report(p->d, l->loc, D_ROW_MISPLACED);
	} else {
		diag_report(p->d, l->loc, D_TEXT_MISPLACED);
	}
}

static void add_paragraph(parser *p, ast_str **items, size_t *n, size_t *cap, ast_str s)
{
	ast_str *slot = vec_push(p->a, items, n, cap, sizeof **items);
	*slot = s;
}

/* ---- continuation lines (＋) ---------------------------------------------------------- */

/* Stores the paragraphs gathered for the current target and forgets the target. */
static void cont_end(parser *p)
{
	for (int i = 0; i < p->ncont; i++) {
		if (p->cont_dirty[i])
			p->cont[i]->s = arena_strndup(p->a, p->cont_text[i].data, p->cont_text[i].len);
		p->cont_dirty[i] = false;
		p->cont_text[i].len = 0;
	}
	p->ncont = 0;
	p->cont_row = false;
	p->cont_quiet = false;
}

/* ＋ lines that follow will add paragraphs to this field. */
static void cont_field(parser *p, ast_str *field)
{
	cont_end(p);
	p->cont[0] = field;
	p->ncont = 1;
}

static void cont_cells(parser *p, ast_row *r)
{
	cont_end(p);
	for (int i = 0; i < AST_ROW_CELLS; i++)
		p->cont[i] = &r->cell[i];
	p->ncont = r->ncells < AST_ROW_CELLS ? r->ncells : AST_ROW_CELLS;
	p->cont_row = true;
}

/* One more paragraph of target i; an empty text adds nothing, and a first paragraph that was
 * left empty is replaced ("资金用途：" then ＋ lines). */
static void cont_append(parser *p, int i, const char *text)
{
	if (!*text)
		return;
	buf *b = &p->cont_text[i];
	if (!p->cont_dirty[i]) {
		b->len = 0;
		buf_puts(b, p->cont[i]->s ? p->cont[i]->s : "");
		p->cont_dirty[i] = true;
	}
	if (b->len)
		buf_putc(b, '\n');
	buf_puts(b, text);
}

static void cont_free(parser *p)
{
	cont_end(p);
	for (int i = 0; i < AST_ROW_CELLS; i++)
		buf_free(&p->cont_text[i]);
}

/* ---- header ---------------------------------------------------------------- */

static void header_line(parser *p, const lex_line *l)
{
	ast_department *d = p->dept;
	if (l->kind != LINE_FIELD) {
		report_text(p, l);
		return;
	}
	ast_str *slot = l->key == KW_DEPT        ? &d->name
	                : l->key == KW_DEPT_CODE ? &d->code
	                : l->key == KW_YEAR      ? &d->year
	                : l->key == KW_UNIT      ? &d->unit
	                : l->key == KW_VARIANT   ? &d->variant
	                : l->key == KW_GOAL_CELL ? &d->goal_cell
	                : l->key == KW_FORM_TITLE ? &d->form_title
	                                         : NULL;
	if (slot)
		set_field(p, slot, l);
	else
		diag_report(p->d, l->loc, D_FIELD_MISPLACED, kw_name(l->key), owner_of_field(l->key));
}

/* ---- 【整体绩效目标】 --------------------------------------------------------- */

/* A paragraph line (text, or the value of a ＋ line) in 【整体绩效目标】. */
static void overall_paragraph(parser *p, const lex_line *l, ast_str text)
{
	ast_overall *o = p->dept->overall;
	if (p->para != PARA_NONE)
		check_reference(p, l);
	switch (p->para) {
	case PARA_SUMMARY:
		add_paragraph(p, &o->summary, &o->nsummary, &o->summary_cap, text);
		break;
	case PARA_MEASURES:
		add_paragraph(p, &o->measures, &o->nmeasures, &o->measures_cap, text);
		break;
	case PARA_INTRO:
		add_paragraph(p, &o->intro, &o->nintro, &o->intro_cap, text);
		break;
	case PARA_ITEM:
		add_paragraph(p, &p->item->text, &p->item->ntext, &p->item->text_cap, text);
		break;
	case PARA_NONE:
		report_text(p, l);
		break;
	}
}

static void overall_text(parser *p, const lex_line *l)
{
	overall_paragraph(p, l, text_of(l));
}

/* The field names of 【整体绩效目标】; any other “词：” there starts an ordinary paragraph. */
static bool overall_field(kw k)
{
	return k == KW_SUMMARY || k == KW_ITEM || k == KW_MEASURES || k == KW_GOAL ||
	       k == KW_INDICATORS || k == KW_INTRO || k == KW_NUMBERING;
}

static void overall_line(parser *p, const lex_line *l)
{
	ast_overall *o = p->dept->overall;
	if (l->kind != LINE_FIELD) {
		overall_text(p, l);
		return;
	}
	if (l->key == KW_SUMMARY) {
		p->para = PARA_SUMMARY;
		if (*l->value)
			add_paragraph(p, &o->summary, &o->nsummary, &o->summary_cap, str_of(l));
		check_reference(p, l);
	} else if (l->key == KW_MEASURES) {
		p->para = PARA_MEASURES;
		if (*l->value)
			add_paragraph(p, &o->measures, &o->nmeasures, &o->measures_cap, str_of(l));
		check_reference(p, l);
	} else if (l->key == KW_INTRO) {
		if (o->nitems) {
			diag_report(p->d, l->loc, D_FIELD_MISPLACED, kw_name(l->key),
			            "【整体绩效目标】中第一个“分项绩效目标：”之前");
			p->para = PARA_NONE;
			return;
		}
		if (o->intro_field.s) {
			diag_report(p->d, l->loc, D_FIELD_DUPLICATE, kw_name(l->key));
			diag_report(p->d, o->intro_field.loc, D_NOTE_FIRST_HERE);
		}
		o->intro_field = (ast_str){l->value, l->loc};
		p->para = PARA_INTRO;
		if (*l->value)
			add_paragraph(p, &o->intro, &o->nintro, &o->intro_cap, str_of(l));
		check_reference(p, l);
	} else if (l->key == KW_NUMBERING) {
		set_field(p, &o->numbering, l);
		p->para = PARA_NONE;
	} else if (l->key == KW_ITEM) {
		p->para = PARA_ITEM;
		p->item = vec_push(p->a, &o->items, &o->nitems, &o->items_cap, sizeof *o->items);
		p->item->loc = l->loc;
		p->item->title = str_of(l);
		if (!*l->value)
			diag_report(p->d, l->vloc, D_FIELD_MISSING, "分项绩效目标的标题", "写在冒号之后");
		check_reference(p, l);
	} else if ((l->key == KW_GOAL || l->key == KW_INDICATORS) && p->para == PARA_ITEM) {
		ast_str *slot = l->key == KW_GOAL ? &p->item->goal : &p->item->indicators;
		bool fresh = !slot->s;
		set_field(p, slot, l);
		if (fresh)
			cont_field(p, slot);
		check_reference(p, l);
	} else if (p->para != PARA_NONE && !overall_field(l->key)) {
		/* another section's field name at the start of a paragraph is ordinary text */
		overall_text(p, l);
	} else {
		diag_report(p->d, l->loc, D_FIELD_MISPLACED, kw_name(l->key), owner_of_field(l->key));
	}
}

/* ---- 【项目】 ------------------------------------------------------------------ */

/* False, after reporting the first time, when a list already holds `limit` entries. */
static bool within(parser *p, const lex_line *l, size_t n, size_t limit, bool *reported,
                   const char *what, const char *unit)
{
	if (n < limit)
		return true;
	if (!*reported)
		diag_report(p->d, l->loc, D_TOO_MANY, what, (int)limit, unit);
	*reported = true;
	return false;
}

static void project_row(parser *p, const lex_line *l)
{
	ast_project *pr = p->proj;
	if (!within(p, l, pr->nrows, PARSE_MAX_PROJECT_ROWS, &pr->too_many_rows, "项目的指标行", "行") ||
	    !within(p, l, p->nrows, PARSE_MAX_ROWS, &p->too_many_rows, "部门的指标行", "行")) {
		p->cont_quiet = true;
		return;
	}
	p->nrows++;
	const char *cells[AST_ROW_CELLS];
	srcloc locs[AST_ROW_CELLS];
	int n = lex_split_row(p->a, l, cells, locs, AST_ROW_CELLS);
	ast_row *r = vec_push(p->a, &pr->rows, &pr->nrows, &pr->rows_cap, sizeof *pr->rows);
	r->loc = l->loc;
	r->ncells = n;
	for (int i = 0; i < AST_ROW_CELLS && i < n; i++)
		r->cell[i] = (ast_str){cells[i], locs[i]};
	if (n != AST_ROW_CELLS)
		diag_report(p->d, l->loc, D_ROW_CELLS, n);
	check_reference(p, l);
	cont_cells(p, r);
}

static void project_line(parser *p, const lex_line *l)
{
	ast_project *pr = p->proj;
	if (l->kind != LINE_FIELD) {
		if (p->in_rows && l->has_bar)
			project_row(p, l);
		else
			report_text(p, l);
		return;
	}
	p->in_rows = false;
	ast_str *slot = l->key == KW_NAME       ? &pr->name
	                : l->key == KW_UNIT     ? &pr->unit
	                : l->key == KW_PART     ? &pr->part
	                : l->key == KW_CODE     ? &pr->code
	                : l->key == KW_TOTAL    ? &pr->total
	                : l->key == KW_FISCAL   ? &pr->fiscal
	                : l->key == KW_OTHER    ? &pr->other
	                : l->key == KW_USE      ? &pr->use
	                : l->key == KW_SCHEDULE ? &pr->schedule
	                : l->key == KW_GOAL_CELL ? &pr->goal_cell
	                                        : NULL;
	if (slot) {
		bool fresh = !slot->s;
		set_field(p, slot, l);
		if (l->key == KW_USE) {
			if (fresh)
				cont_field(p, slot);
			check_reference(p, l);
		}
	} else if (l->key == KW_GOAL) {
		if (!within(p, l, pr->ngoals, PARSE_MAX_GOALS, &pr->too_many_goals, "项目的绩效目标", "条")) {
			p->cont_quiet = true;
			return;
		}
		ast_str *g = vec_push(p->a, &pr->goals, &pr->ngoals, &pr->goals_cap, sizeof *pr->goals);
		*g = str_of(l);
		check_reference(p, l);
		cont_field(p, g);
	} else if (l->key == KW_INDICATORS) {
		set_field(p, &pr->indicators, l);
		p->in_rows = true;
		if (*l->value)
			diag_report(p->d, l->vloc, D_ROW_MISPLACED);
	} else {
		diag_report(p->d, l->loc, D_FIELD_MISPLACED, kw_name(l->key), owner_of_field(l->key));
	}
}

/* ---- budget-data sections ------------------------------------------------------ */

static bool is_colon_at(const char *s, size_t *len)
{
	if (*s == ':') {
		*len = 1;
		return true;
	}
	if (strncmp(s, "：", 3) == 0) {
		*len = 3;
		return true;
	}
	return false;
}

/* Keeps the line for budget.c: its text, a key/value split at the first colon when the key is
 * short and has no ｜, and its cells when it has ｜. */
static void budget_line(parser *p, const lex_line *l)
{
	ast_section *sec = p->sec;
	if (!within(p, l, sec->nlines, PARSE_MAX_SECTION_LINES, &sec->too_many, "这一段的行",
	            "行"))
		return;
	ast_line *al = vec_push(p->a, &sec->lines, &sec->nlines, &sec->lines_cap, sizeof *al);
	al->loc = l->loc;
	al->text = text_of(l);
	for (const char *c = l->text; *c; c++) {
		size_t clen;
		if (*c == '|' || strncmp(c, "｜", 3) == 0)
			break;
		if (is_colon_at(c, &clen)) {
			size_t kn = (size_t)(c - l->text);
			while (kn && (l->text[kn - 1] == ' ' || l->text[kn - 1] == '\t'))
				kn--;
			if (kn && utf8_count(l->text, kn) <= 20) {
				const char *v = c + clen;
				while (*v == ' ' || *v == '\t')
					v++;
				if (strncmp(v, "\xE3\x80\x80", 3) == 0)
					v += 3;
				al->key = (ast_str){arena_strndup(p->a, l->text, kn), l->loc};
				al->value = (ast_str){v, lex_loc_at(l, v)};
			}
			break;
		}
	}
	if (l->has_bar) {
		const char *cells[AST_MAX_CELLS];
		srcloc locs[AST_MAX_CELLS];
		int n = lex_split_row(p->a, l, cells, locs, AST_MAX_CELLS);
		al->ncells = n;
		for (int i = 0; i < n && i < AST_MAX_CELLS; i++)
			al->cell[i] = (ast_str){cells[i], locs[i]};
		if (n > AST_MAX_CELLS)
			diag_report(p->d, l->loc, D_ROW_CELLS, n);
	}
}

/* A ＋ line: one more paragraph of the field or indicator row above it. */
static void cont_line(parser *p, const lex_line *l)
{
	if (p->ctx == CTX_SKIP || p->cont_quiet)
		return;
	if (p->ncont && p->cont_row) {
		static const char *const names[2] = {"一级指标", "二级指标"};
		const char *cells[AST_ROW_CELLS];
		srcloc locs[AST_ROW_CELLS];
		int n = l->has_bar ? lex_split_row(p->a, l, cells, locs, AST_ROW_CELLS) : 1;
		if (n != AST_ROW_CELLS) {
			diag_report(p->d, l->loc, D_CONT_ROW);
			return;
		}
		bool ok = true;
		for (int c = 0; c < 2; c++) {
			if (*cells[c]) {
				diag_report(p->d, locs[c], D_CONT_NAME, names[c]);
				ok = false;
			}
		}
		if (!ok)
			return;
		for (int c = 2; c < p->ncont; c++)
			cont_append(p, c, cells[c]);
		check_reference(p, l);
	} else if (p->ncont) {
		cont_append(p, 0, l->value);
		check_reference(p, l);
	} else if (p->ctx == CTX_OVERALL && p->para != PARA_NONE) {
		if (*l->value)
			overall_paragraph(p, l, str_of(l));
	} else {
		diag_report(p->d, l->loc, D_CONT_MISPLACED);
	}
}

static bool skip_blanks(const char **t)
{
	bool any = false;
	for (;;) {
		if (**t == ' ' || **t == '\t' || **t == ',')
			*t += 1;
		else if (strncmp(*t, "\u3000", 3) == 0 || strncmp(*t, "，", 3) == 0 ||
		         strncmp(*t, "、", 3) == 0)
			*t += 3;
		else
			return any;
		any = true;
	}
}

/* “# 已核对：种类[，种类…] [说明]”: acknowledges warnings of those kinds on the next line that is
 * neither blank nor a comment (docs/language.md §7). Other comments are left alone. */
static void ack_comment(parser *p, const lex_line *l)
{
	const char *t = l->text + (l->text[0] == '#' ? 1 : 3);
	skip_blanks(&t);
	static const char word[] = "已核对";
	if (strncmp(t, word, sizeof word - 1) != 0)
		return;
	t += sizeof word - 1;
	skip_blanks(&t);
	if (*t == ':')
		t += 1;
	else if (strncmp(t, "：", 3) == 0)
		t += 3;
	else
		return;
	bool any = false;
	for (bool first = true;; first = false) {
		/* a kind: its Chinese name (as messages name it) or its identifier; after the first, kinds
		 * follow ，or 、 (a Chinese name after a blank starts the free reason) */
		const char *gap = t;
		skip_blanks(&t);
		bool comma = false;
		for (; gap < t; gap++)
			comma |= *gap == ',' || strncmp(gap, "，", 3) == 0 || strncmp(gap, "、", 3) == 0;
		const char *start = t;
		while ((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '-')
			t++;
		if (t == start && (first || comma)) {
			while (*t && *t != ' ' && *t != '\t' && *t != ',' && strncmp(t, "\u3000", 3) != 0 &&
			       strncmp(t, "，", 3) != 0 && strncmp(t, "、", 3) != 0)
				t++;
		}
		if (t == start)
			break;
		any = true;
		const char *name = arena_strndup(p->a, start, (size_t)(t - start));
		srcloc at = lex_loc_at(l, start);
		diag_code code;
		if (!diag_code_lookup(name, &code))
			diag_report(p->d, at, D_ACK_KIND, name, "没有这一种警告；种类的名称见 docs/language.md 第 7 节");
		else if (diag_level_of(code) != DIAG_WARNING)
			diag_report(p->d, at, D_ACK_KIND, name, "只有警告可以核对，错误必须改正");
		else
			*(pending_ack *)vec_push(p->a, &p->acks, &p->nacks, &p->acks_cap, sizeof *p->acks) =
				(pending_ack){at, code};
	}
	if (!any)
		diag_report(p->d, lex_loc_at(l, t), D_ACK_KIND, "已核对：",
		            "冒号后应写警告的种类，如“项目编码格式不对”");
}

/* Gives the pending acknowledgements their line (line -1: the file ended first, so they will
 * match nothing and be reported). */
static void bind_acks(parser *p, const src_file *f, int line)
{
	for (size_t i = 0; i < p->nacks; i++)
		diag_acknowledge(p->d, p->acks[i].at, f, line, p->acks[i].code);
	p->nacks = 0;
}

/* ---- lines, sections, includes ----------------------------------------------- */

static void section_line(parser *p, const lex_line *l)
{
	ast_department *d = p->dept;
	p->para = PARA_NONE;
	p->in_rows = false;
	switch (l->sec) {
	case SEC_OVERALL:
		if (d->overall) {
			diag_report(p->d, l->loc, D_OVERALL_DUPLICATE);
			diag_report(p->d, d->overall->loc, D_NOTE_FIRST_HERE);
			p->ctx = CTX_SKIP;
			return;
		}
		d->overall = arena_alloc(p->a, sizeof *d->overall);
		d->overall->loc = l->loc;
		p->ctx = CTX_OVERALL;
		if (*l->rest) /* text after 【整体绩效目标】 has no place to go */
			diag_report(p->d, l->vloc, D_TEXT_MISPLACED);
		break;
	case SEC_PROJECT:
		if (!within(p, l, d->nprojects, PARSE_MAX_PROJECTS, &p->too_many_projects, "部门的项目",
		            "个")) {
			p->ctx = CTX_SKIP;
			break;
		}
		p->proj = vec_push(p->a, &d->projects, &d->nprojects, &d->projects_cap,
		                   sizeof *d->projects);
		p->proj->loc = l->loc;
		if (*l->rest) /* 【项目】名称 is a shorthand for 项目名称： */
			p->proj->name = (ast_str){l->rest, l->vloc};
		p->ctx = CTX_PROJECT;
		break;
	case SEC_INCOME:
	case SEC_EXPENSE:
	case SEC_BASIC:
	case SEC_THREE:
	case SEC_PROCURE:
	case SEC_ASSETS:
	case SEC_ORGS:
	case SEC_LASTYEAR:
	case SEC_NOTES:
		p->sec = vec_push(p->a, &d->sections, &d->nsections, &d->sections_cap,
		                  sizeof *d->sections);
		p->sec->kind = (int)l->sec;
		p->sec->loc = l->loc;
		p->ctx = CTX_BUDGET;
		break;
	case SEC_UNKNOWN:
	case SEC_COUNT:
		diag_report(p->d, l->loc, D_UNKNOWN_SECTION, l->value);
		p->ctx = CTX_SKIP;
		break;
	}
}

static void include_line(parser *p, const lex_line *l)
{
	if (!*l->value) {
		diag_report(p->d, l->vloc, D_FIELD_MISSING, "包含的文件路径", "写在冒号之后");
		return;
	}
	const char *from = l->loc.file->path;
	const char *slash = strrchr(from, '/');
	char *path;
	if (l->value[0] == '/' || !slash)
		path = arena_strdup(p->a, l->value);
	else
		path = arena_printf(p->a, "%.*s/%s", (int)(slash - from), from, l->value);
	parse_file(p, path, l->vloc);
}

static void parse_lines(parser *p, const lex_result *lr)
{
	for (size_t i = 0; i < lr->n; i++) {
		const lex_line *l = &lr->lines[i];
		if (l->kind == LINE_COMMENT)
			ack_comment(p, l);
		if (l->kind == LINE_BLANK || l->kind == LINE_COMMENT)
			continue;
		bind_acks(p, l->loc.file, l->loc.line);
		if (l->kind == LINE_CONT) {
			cont_line(p, l);
			continue;
		}
		cont_end(p);
		if (l->kind == LINE_SECTION) {
			section_line(p, l);
			continue;
		}
		if (l->kind == LINE_FIELD && l->key == KW_INCLUDE) {
			include_line(p, l);
			continue;
		}
		switch (p->ctx) {
		case CTX_HEADER: header_line(p, l); break;
		case CTX_OVERALL: overall_line(p, l); break;
		case CTX_PROJECT: project_line(p, l); break;
		case CTX_BUDGET: budget_line(p, l); break;
		case CTX_SKIP: break;
		}
	}
	if (p->nacks && lr->n)
		bind_acks(p, lr->lines[0].loc.file, -1);
}

static void parse_source(parser *p, const src_file *f)
{
	lex_result lr = lex_file(p->a, p->d, f);
	p->lines += lr.n;
	parse_lines(p, &lr);
}

/* Whether real (a realpath) is one of the roots or inside one. */
static bool inside_roots(const parse_roots *roots, const char *real)
{
	if (!roots)
		return true;
	for (size_t i = 0; i < roots->n; i++) {
		const char *r = roots->real[i];
		size_t n = strlen(r);
		if (n && r[n - 1] == '/')
			n--; /* "/" itself */
		if (strncmp(real, r, n) == 0 && (real[n] == '/' || real[n] == '\0'))
			return true;
	}
	return false;
}

/* Reads one file (the main one when from.file is NULL) and parses it in the current state. */
static void parse_file(parser *p, const char *path, srcloc from)
{
	if (p->depth >= PARSE_MAX_INCLUDE_DEPTH) {
		diag_report(p->d, from, D_INCLUDE_DEPTH, PARSE_MAX_INCLUDE_DEPTH);
		return;
	}
	char *real = realpath(path, NULL);
	if (real) {
		for (int i = 0; i < p->depth; i++) {
			if (strcmp(p->stack[i], real) == 0) {
				diag_report(p->d, from, D_INCLUDE_CYCLE, path);
				free(real);
				return;
			}
		}
	}
	if (real && from.file && !inside_roots(p->roots, real)) {
		diag_report(p->d, from, D_INCLUDE_OUTSIDE, path, p->roots->shown);
		free(real);
		return;
	}
	if (from.file && !p->too_big && p->lines >= LEX_MAX_LINES) {
		/* the same bound for a department as for one file: includes cannot multiply it */
		diag_report(p->d, from, D_INCLUDE_LINES, LEX_MAX_LINES);
		p->too_big = true;
	}
	if (from.file && p->too_big) {
		free(real);
		return;
	}
	char *data = NULL;
	size_t len = 0;
	int err = real ? file_read(path, (size_t)LEX_MAX_FILE_MB << 20, &data, &len) : errno;
	if (!err && p->bytes + len > (size_t)PARSE_MAX_DEPT_MB << 20) {
		/* only an include can get here: one file is at most LEX_MAX_FILE_MB */
		diag_report(p->d, from, D_INCLUDE_TOTAL, PARSE_MAX_DEPT_MB);
		p->too_big = true;
		free(data);
		free(real);
		return;
	}
	p->bytes += len;
	if (err) {
		if (err == EFBIG)
			diag_report(p->d, from, D_FILE_TOO_BIG, path, LEX_MAX_FILE_MB);
		else if (from.file)
			diag_report(p->d, from, D_INCLUDE_NOT_FOUND, path, errno_text(err));
		else
			diag_report(p->d, from, D_FILE_READ, path, errno_text(err));
		free(real);
		return;
	}
	char *text = arena_strndup(p->a, data, len);
	free(data);
	const src_file *f = diag_add_file(p->d, path, text, len);
	if (!p->dept->file)
		p->dept->file = f;
	p->stack[p->depth++] = real;
	parse_source(p, f);
	p->depth--;
	free(real);
}

ast_department *parse_department_in(arena *a, diag_ctx *d, const char *path, const parse_roots *roots)
{
	parser p = {.a = a, .d = d, .roots = roots};
	p.dept = arena_alloc(a, sizeof *p.dept);
	parse_file(&p, path, (srcloc){0});
	cont_free(&p);
	if (!p.dept->file)
		return NULL;
	return p.dept;
}

ast_department *parse_department(arena *a, diag_ctx *d, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? arena_strndup(a, path, slash == path ? 1 : (size_t)(slash - path))
	                  : arena_strdup(a, ".");
	char *real = realpath(dir, NULL);
	const char *reals[1] = {real ? arena_strdup(a, real) : NULL};
	free(real);
	parse_roots roots = {reals, reals[0] ? 1 : 0, dir};
	return parse_department_in(a, d, path, &roots);
}

ast_department *parse_department_text(arena *a, diag_ctx *d, const char *name, const char *text,
                                      size_t len)
{
	parser p = {.a = a, .d = d};
	p.dept = arena_alloc(a, sizeof *p.dept);
	char *copy = arena_strndup(a, text, len);
	const src_file *f = diag_add_file(d, name, copy, len);
	p.dept->file = f;
	parse_source(&p, f);
	cont_free(&p);
	return p.dept;
}

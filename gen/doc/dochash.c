/* dochash.c — the content hash of a document IR (dochash.h). Walks doc.h's structures in
 * declaration order; each hash_… function below covers one struct and names every field of it,
 * so that a field added to doc.h has an obvious place here (tests/unit/test_dochash.c fails until
 * every field of doc.h is named in the function that walks its struct). */
#include "doc/dochash.h"

#include <stdlib.h>

#include "base/util.h"

/* The walk's state: the hash, and the styles met so far. An emitter may tell styles apart by
 * pointer (the Word back end makes one paragraph style per doc_style), so sharing is part of the
 * document: each style is hashed with its ordinal of first appearance as well as its fields. */
typedef struct walk {
	hash_ctx h;
	const doc_style **seen;
	size_t nseen, cap;
} walk;

static void hash_int(walk *w, int64_t v)
{
	hash_u64(&w->h, (uint64_t)v);
}

static void hash_text(walk *w, const char *s)
{
	hash_str(&w->h, s);
}

static void hash_style(walk *w, const doc_style *s)
{
	hash_int(w, s != NULL);
	if (!s)
		return;
	size_t k = 0;
	while (k < w->nseen && w->seen[k] != s)
		k++;
	hash_int(w, (int64_t)k);
	if (k < w->nseen)
		return; /* its fields were hashed where it first appeared */
	if (w->nseen == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 32;
		w->seen = xrealloc(w->seen, w->cap * sizeof *w->seen);
	}
	w->seen[w->nseen++] = s;
	hash_text(w, s->name);
	hash_int(w, s->role);
	hash_int(w, s->size);
	hash_int(w, s->bold);
	hash_int(w, s->align);
	hash_int(w, s->valign);
	hash_int(w, s->first_indent);
	hash_int(w, s->line_height);
	hash_int(w, s->space_before);
	hash_int(w, s->space_after);
	hash_int(w, s->pad_x);
	hash_int(w, s->pad_y);
	hash_int(w, s->min_size);
}

static void hash_page(walk *c, const doc_page *p)
{
	hash_int(c, p->orientation);
	hash_int(c, p->width);
	hash_int(c, p->height);
	hash_int(c, p->margin_top);
	hash_int(c, p->margin_right);
	hash_int(c, p->margin_bottom);
	hash_int(c, p->margin_left);
	hash_int(c, p->footer_distance);
}

static void hash_cell(walk *c, const doc_cell *cell)
{
	hash_int(c, cell->row);
	hash_int(c, cell->col);
	hash_int(c, cell->rowspan);
	hash_int(c, cell->colspan);
	hash_text(c, cell->text);
	hash_style(c, cell->style);
	hash_int(c, cell->numfmt);
	hash_int(c, cell->value.micros);
	hash_int(c, (int64_t)cell->nsum);
	for (size_t i = 0; i < cell->nsum; i++)
		hash_int(c, cell->sum_of[i]);
	hash_int(c, cell->repeat_label);
	hash_text(c, cell->slot);
}

static void hash_table(walk *c, const doc_table *t)
{
	hash_int(c, t != NULL);
	if (!t)
		return;
	hash_text(c, t->kind);
	hash_text(c, t->title);
	hash_text(c, t->sheet_name);
	hash_text(c, t->caption_left);
	hash_text(c, t->caption_right);
	hash_text(c, t->note);
	hash_style(c, t->title_style);
	hash_style(c, t->caption_style);
	hash_style(c, t->note_style);
	hash_int(c, t->ncols);
	for (int i = 0; i < t->ncols; i++)
		hash_int(c, t->col_widths[i]);
	hash_int(c, t->nrows);
	hash_int(c, (int64_t)t->ncells);
	for (size_t i = 0; i < t->ncells; i++)
		hash_cell(c, &t->cells[i]);
	hash_int(c, t->repeat_first);
	hash_int(c, t->repeat_count);
	hash_int(c, t->border);
	hash_int(c, t->col_min != NULL);
	for (int i = 0; t->col_min && i < t->ncols; i++)
		hash_int(c, t->col_min[i]);
	hash_int(c, t->col_max != NULL);
	for (int i = 0; t->col_max && i < t->ncols; i++)
		hash_int(c, t->col_max[i]);
	hash_int(c, t->one_page);
}

static void hash_block(walk *c, const doc_block *b)
{
	hash_int(c, b->kind);
	hash_style(c, b->style);
	hash_text(c, b->text);
	hash_int(c, b->level);
	hash_int(c, b->in_toc);
	hash_int(c, b->hidden);
	hash_int(c, b->anchor);
	hash_table(c, b->table);
	hash_int(c, b->space);
	hash_int(c, b->toc_levels);
	hash_int(c, b->keep_with_next);
}

hash_digest doc_hash(const doc_document *doc)
{
	walk c = {0};
	hash_init(&c.h);
	hash_text(&c, "budgetgen document IR 1");
	hash_text(&c, doc->title);
	hash_text(&c, doc->author);
	hash_text(&c, doc->subject);
	hash_int(&c, doc->year);
	hash_text(&c, doc->page_number_format);
	hash_style(&c, doc->page_number_style);
	hash_style(&c, doc->toc_title_style);
	for (int i = 0; i < 3; i++)
		hash_style(&c, doc->toc_styles[i]);
	hash_int(&c, (int64_t)doc->nsections);
	for (size_t s = 0; s < doc->nsections; s++) {
		const doc_section *sec = &doc->sections[s];
		hash_page(&c, &sec->page);
		hash_int(&c, sec->numbered);
		hash_int(&c, (int64_t)sec->nblocks);
		for (size_t i = 0; i < sec->nblocks; i++)
			hash_block(&c, &sec->blocks[i]);
	}
	hash_int(&c, (int64_t)doc->nwords);
	for (size_t i = 0; i < doc->nwords; i++)
		hash_text(&c, doc->words[i]);
	free(c.seen);
	return hash_final(&c.h);
}

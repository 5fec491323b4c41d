/* dump.c — writes the model as indented JSON (dump.h). One small function per JSON object. */
#include "dump.h"

#include <string.h>

static void json_amount(buf *b, model_amount a)
{
	if (!a.present) {
		buf_puts(b, "null");
		return;
	}
	char s[32];
	dec_format_exact(a.value, s);
	buf_put_json_string(b, s);
}

static void json_strings(buf *b, const char *const *items, size_t n, const char *indent)
{
	if (n == 0) {
		buf_puts(b, "[]");
		return;
	}
	buf_puts(b, "[\n");
	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "%s  ", indent);
		buf_put_json_string(b, items[i]);
		buf_puts(b, i + 1 < n ? ",\n" : "\n");
	}
	buf_printf(b, "%s]", indent);
}

static void json_indicator(buf *b, const model_indicator *mi)
{
	buf_puts(b, "        {\"l1\": ");
	buf_put_json_string(b, model_l1_name(mi->l1));
	buf_puts(b, ", \"l2\": ");
	buf_put_json_string(b, model_l2_name(mi->l2));
	buf_puts(b, ", \"l3\": ");
	buf_put_json_string(b, mi->l3);
	buf_puts(b, ", \"desc\": ");
	buf_put_json_string(b, mi->desc);
	buf_puts(b, ", \"value\": ");
	buf_put_json_string(b, mi->value);
	buf_puts(b, ", \"basis\": ");
	buf_put_json_string(b, mi->basis);
	buf_puts(b, "}");
}

static void json_project(buf *b, const model_project *p)
{
	buf_puts(b, "    {\n      \"part\": ");
	buf_put_json_string(b, model_part_name(p->part));
	buf_puts(b, ",\n      \"code\": ");
	buf_put_json_string(b, p->code);
	buf_puts(b, ",\n      \"name\": ");
	buf_put_json_string(b, p->name);
	buf_puts(b, ",\n      \"unit\": ");
	buf_put_json_string(b, p->unit);
	buf_puts(b, ",\n      \"budget\": {\"total\": ");
	json_amount(b, p->total);
	buf_puts(b, ", \"fiscal\": ");
	json_amount(b, p->fiscal);
	buf_puts(b, ", \"other\": ");
	json_amount(b, p->other);
	buf_puts(b, "},\n      \"use\": ");
	buf_put_json_string(b, p->use);
	buf_puts(b, ",\n      \"schedule\": ");
	if (p->has_schedule) {
		buf_puts(b, "[");
		for (int i = 0; i < 4; i++) {
			buf_put_json_string(b, p->schedule[i].text);
			if (i < 3)
				buf_puts(b, ", ");
		}
		buf_puts(b, "]");
	} else {
		buf_puts(b, "null");
	}
	if (p->goals_one_cell) /* only when set: the JSON of sources without it stays as it was */
		buf_puts(b, ",\n      \"goal_cell\": \"一格\"");
	buf_puts(b, ",\n      \"goals\": ");
	json_strings(b, p->goals, p->ngoals, "      ");
	buf_puts(b, ",\n      \"indicators\": [");
	for (size_t i = 0; i < p->nindicators; i++) {
		buf_puts(b, i ? ",\n" : "\n");
		json_indicator(b, &p->indicators[i]);
	}
	buf_puts(b, p->nindicators ? "\n      ]\n    }" : "]\n    }");
}

static void json_overall(buf *b, const model_overall *o)
{
	if (!o->present) {
		buf_puts(b, "null");
		return;
	}
	buf_puts(b, "{\n    \"summary\": ");
	json_strings(b, o->summary, o->nsummary, "    ");
	if (o->nintro) { /* intro and numbering only when written, as goal_cell */
		buf_puts(b, ",\n    \"intro\": ");
		json_strings(b, o->intro, o->nintro, "    ");
	}
	if (o->numbering == ITEM_NUM_COMMA)
		buf_puts(b, ",\n    \"numbering\": \"一、\"");
	buf_puts(b, ",\n    \"items\": [");
	for (size_t i = 0; i < o->nitems; i++) {
		const model_item *it = &o->items[i];
		buf_puts(b, i ? ",\n" : "\n");
		buf_puts(b, "      {\"title\": ");
		buf_put_json_string(b, it->title);
		buf_puts(b, ", \"goal\": ");
		buf_put_json_string(b, it->goal);
		buf_puts(b, ", \"indicators\": ");
		buf_put_json_string(b, it->indicators);
		buf_puts(b, ", \"text\": ");
		json_strings(b, it->text, it->ntext, "      ");
		buf_puts(b, "}");
	}
	buf_puts(b, o->nitems ? "\n    ],\n    \"measures\": " : "],\n    \"measures\": ");
	json_strings(b, o->measures, o->nmeasures, "    ");
	buf_puts(b, "\n  }");
}

void dump_json(buf *b, const model_department *m)
{
	buf_puts(b, "{\n  \"department\": {\"code\": ");
	buf_put_json_string(b, m->code);
	buf_puts(b, ", \"name\": ");
	buf_put_json_string(b, m->name);
	buf_printf(b, ", \"year\": %d, \"unit\": ", m->year);
	buf_put_json_string(b, m->unit);
	buf_puts(b, ", \"variant\": ");
	buf_put_json_string(b, m->variant == VARIANT_COMPACT ? "简明" : "完整");
	buf_puts(b, ", \"form_title\": "); /* 项目表题, what follows a project's name in its title */
	buf_put_json_string(b, *m->form_title ? m->form_title : "绩效目标表");
	buf_puts(b, "},\n  \"overall\": ");
	json_overall(b, &m->overall);
	buf_puts(b, ",\n  \"projects\": [");
	for (size_t i = 0; i < m->nprojects; i++) {
		buf_puts(b, i ? ",\n" : "\n");
		json_project(b, &m->projects[i]);
	}
	buf_puts(b, m->nprojects ? "\n  ]\n}\n" : "]\n}\n");
}

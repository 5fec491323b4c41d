/* outputs.c — the files a department makes and their names (outputs.h). */
#include "batch/outputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *build_safe_name(const char *title, size_t max_bytes)
{
	buf b = {0};
	size_t n = strlen(title), k;
	for (size_t i = 0; i < n; i += k) {
		uint32_t cp;
		k = utf8_decode(title + i, n - i, &cp);
		if (!k) {
			k = 1;
			continue;
		}
		bool bad = cp < 0x20 || cp == 0x7F || (cp < 0x80 && strchr("/\\:*?\"<>|", (int)cp));
		if (b.len + (bad ? 1 : k) > max_bytes)
			break;
		if (bad)
			buf_putc(&b, '_');
		else if (!(b.len == 0 && (cp == '.' || cp_is_space(cp))))
			buf_put(&b, title + i, k);
	}
	while (b.len && (b.data[b.len - 1] == '.' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	if (!b.len)
		buf_puts(&b, "未命名");
	return b.data;
}

char *output_department_dir(const model_department *m)
{
	char *name = build_safe_name(m->name, 150);
	size_t n = strlen(name) + 32;
	char *path = xmalloc(n);
	snprintf(path, n, "%d-%s", m->year, name);
	free(name);
	return path;
}

/* ORDER out_kind */
static const char *const kind_names[] = {"booklet.pdf", "booklet.xlsx", "booklet.docx", "project.pdf"};

const char *out_kind_name(out_kind k)
{
	return kind_names[k];
}

size_t output_count(const model_department *m)
{
	return BOOKLET_OUTPUTS + m->nprojects;
}

char *output_name(const char *dir, const model_department *m, size_t i)
{
	static const char *const ext[BOOKLET_OUTPUTS] = {"pdf", "xlsx", "docx"};
	buf b = {0};
	if (i < BOOKLET_OUTPUTS) {
		buf_printf(&b, "%s/%d年部门预算绩效目标.%s", dir, m->year, ext[i]);
	} else {
		const model_project *p = &m->projects[i - BOOKLET_OUTPUTS];
		char *name = build_safe_name(p->name, 150);
		buf_printf(&b, "%s/项目/%02zu-%s.pdf", dir, p->number, name);
		free(name);
	}
	return b.data;
}

out_kind output_kind(size_t i)
{
	return i < BOOKLET_OUTPUTS ? (out_kind)i : OUT_PROJECT;
}

/* manifest.c — a department's manifest in OUT/.budgetgen (manifest.h): read, validated and
 * formatted in the line format of records.h; and the lock on the state directory. */
#include "batch/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/records.h"

static const char manifest_magic[] = "budgetgen manifest 1";

/* Why the paths of a parsed manifest may not be acted on, or NULL: its directory must be one
 * name in OUT, its outputs in that directory with a size as written. */
static const char *unsafe(const manifest *m)
{
	if (!rec_path_ok(m->dir) || strchr(m->dir, '/'))
		return "部门目录不是输出目录中的一个目录名";
	size_t n = strlen(m->dir);
	for (size_t i = 0; i < m->noutputs; i++) {
		const manifest_output *o = &m->outputs[i];
		if (!rec_path_ok(o->path) || strncmp(o->path, m->dir, n) != 0 || o->path[n] != '/')
			return "输出文件的路径不在部门目录内";
		if (o->size < 0 || o->mtime_ns < 0)
			return "输出文件的大小或时间是负数";
	}
	return NULL;
}

bool manifest_read(const char *path, manifest *m, const char **why)
{
	memset(m, 0, sizeof *m);
	*why = NULL;
	char *data;
	size_t len;
	struct stat st;
	if (lstat(path, &st) != 0)
		return false;
	if (!S_ISREG(st.st_mode)) {
		*why = "不是普通文件";
		return false;
	}
	if (file_read(path, (size_t)256 << 20, &data, &len) != 0)
		return false;
	const char *p = data, *end = data + len, *line, *rest;
	size_t n, rlen;
	/* a file of this version (not one of an older program, which is simply replaced) */
	bool ours = len >= sizeof manifest_magic && memcmp(data, manifest_magic, sizeof manifest_magic - 1) == 0 &&
	            data[sizeof manifest_magic - 1] == '\n';
	bool ok = (line = rec_next_line(&p, end, &n)) && n == strlen(manifest_magic) &&
	          memcmp(line, manifest_magic, n) == 0;
	bool have_key = false;
	manifest_output *cur = NULL;
	while (ok && (line = rec_next_line(&p, end, &n)) != NULL) {
		const char *le = line + n;
		if (rec_field(line, n, "source", &rest, &rlen)) {
			free(m->source);
			m->source = rec_unescape(rest, rlen);
		} else if (rec_field(line, n, "given", &rest, &rlen)) {
			free(m->given);
			m->given = rec_unescape(rest, rlen);
		} else if (rec_field(line, n, "name", &rest, &rlen)) {
			free(m->name);
			m->name = rec_unescape(rest, rlen);
		} else if (rec_field(line, n, "dir", &rest, &rlen)) {
			free(m->dir);
			m->dir = rec_unescape(rest, rlen);
		} else if (rec_field(line, n, "key", &rest, &rlen)) {
			ok = have_key = hash_parse_hex(rest, rlen, &m->key);
		} else if (rec_field(line, n, "input", &rest, &rlen)) {
			m->inputs = xrealloc(m->inputs, (m->ninputs + 1) * sizeof *m->inputs);
			m->inputs[m->ninputs++] = rec_unescape(rest, rlen);
		} else if (rec_field(line, n, "output", &rest, &rlen)) {
			m->outputs = xrealloc(m->outputs, (m->noutputs + 1) * sizeof *m->outputs);
			cur = &m->outputs[m->noutputs++];
			memset(cur, 0, sizeof *cur);
			ok = rec_take_hash(&rest, le, &cur->key) && rec_take_int(&rest, le, &cur->size) &&
			     rec_take_int(&rest, le, &cur->mtime_ns) && rest < le;
			cur->path = rec_unescape(rest, (size_t)(le - rest));
		} else if (rec_field(line, n, "glyph", &rest, &rlen)) {
			int64_t cp = 0, status = 0;
			ok = cur && rec_take_int(&rest, le, &cp) && rec_take_int(&rest, le, &status) && cp >= 0 &&
			     cp <= 0x10FFFF;
			if (ok) {
				cur->glyphs = xrealloc(cur->glyphs, (cur->nglyphs + 1) * sizeof *cur->glyphs);
				cur->glyphs[cur->nglyphs++] = (manifest_glyph){
					(uint32_t)cp, (int)status, rec_unescape(rest, (size_t)(le - rest))};
			}
		} else if (rec_field(line, n, "messages", &rest, &rlen)) {
			/* the last record: its length, then the text itself up to the end */
			int64_t k = 0;
			for (size_t i = 0; ok && i < rlen; i++) {
				ok = rest[i] >= '0' && rest[i] <= '9' && k < (INT64_MAX - 9) / 10;
				k = k * 10 + (rest[i] - '0');
			}
			ok = ok && rlen > 0 && k <= end - p;
			if (ok) {
				m->messages = xmalloc((size_t)k + 1);
				memcpy(m->messages, p, (size_t)k);
				m->messages[k] = '\0';
				m->nmessages = (size_t)k;
				p += k;
			}
			break;
		} else {
			ok = false;
		}
	}
	free(data);
	ok = ok && have_key && m->source && m->given && m->dir && m->messages;
	if (ok)
		*why = unsafe(m);
	else if (ours)
		*why = "格式不对";
	if (!ok || *why) {
		manifest_free(m);
		return false;
	}
	m->file_size = st.st_size;
	m->file_mtime_ns = timespec_ns(st.st_mtim);
	m->name = m->name ? m->name : xstrdup(m->dir);
	m->file = xstrdup(path);
	return true;
}

void manifest_format(const manifest *m, buf *out)
{
	char hex[HASH_HEX];
	buf_printf(out, "%s\nsource ", manifest_magic);
	rec_put_escaped(out, m->source);
	buf_puts(out, "\ngiven ");
	rec_put_escaped(out, m->given);
	buf_puts(out, "\nname ");
	rec_put_escaped(out, m->name);
	buf_puts(out, "\ndir ");
	rec_put_escaped(out, m->dir);
	hash_hex(&m->key, hex);
	buf_printf(out, "\nkey %s\n", hex);
	for (size_t i = 0; i < m->ninputs; i++) {
		buf_puts(out, "input ");
		rec_put_escaped(out, m->inputs[i]);
		buf_putc(out, '\n');
	}
	for (size_t i = 0; i < m->noutputs; i++) {
		const manifest_output *o = &m->outputs[i];
		hash_hex(&o->key, hex);
		buf_printf(out, "output %s %lld %lld ", hex, (long long)o->size, (long long)o->mtime_ns);
		rec_put_escaped(out, o->path);
		buf_putc(out, '\n');
		for (size_t g = 0; g < o->nglyphs; g++) {
			buf_printf(out, "glyph %u %d ", (unsigned)o->glyphs[g].cp, o->glyphs[g].status);
			rec_put_escaped(out, o->glyphs[g].context);
			buf_putc(out, '\n');
		}
	}
	buf_printf(out, "messages %zu\n", m->nmessages);
	if (m->nmessages)
		buf_put(out, m->messages, m->nmessages);
}

void manifest_free(manifest *m)
{
	free(m->file);
	free(m->source);
	free(m->given);
	free(m->name);
	free(m->dir);
	for (size_t i = 0; i < m->ninputs; i++)
		free(m->inputs[i]);
	free(m->inputs);
	for (size_t i = 0; i < m->noutputs; i++) {
		manifest_output *o = &m->outputs[i];
		free(o->path);
		for (size_t g = 0; g < o->nglyphs; g++)
			free(o->glyphs[g].context);
		free(o->glyphs);
	}
	free(m->outputs);
	free(m->messages);
	memset(m, 0, sizeof *m);
}

/* ---- the lock -------------------------------------------------------------------------------------- */

int manifest_lock(const char *state_dir, void (*wait_note)(void))
{
	int e = dir_make(state_dir);
	if (e) {
		errno = e;
		return -1;
	}
	int fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* the lock is on the directory */
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK && wait_note)
			wait_note();
		while ((e = flock(fd, LOCK_EX) != 0 ? errno : 0) == EINTR) {
		}
		if (e) {
			close(fd);
			errno = e;
			return -1;
		}
	}
	return fd;
}

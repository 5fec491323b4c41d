/* test_manifest.c — the incremental build's pieces: SHA-256 against the FIPS 180-4 examples, the
 * document IR hash, manifests written and read back, transactions run, rolled back and recovered
 * from a journal as a killed build leaves it, stray temporaries. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/dochash.h"
#include "base/hash.h"
#include "batch/hashcache.h"
#include "batch/manifest.h"
#include "batch/txn.h"
#include "unit.h"
#include "base/util.h"

static const char *hex_of(const void *data, size_t n)
{
	static char out[HASH_HEX];
	hash_digest d = hash_bytes(data, n);
	hash_hex(&d, out);
	return out;
}

static void test_sha256(void)
{
	CHECK_STR_EQ(hex_of("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR_EQ(hex_of("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	CHECK_STR_EQ(hex_of(two, strlen(two)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a', fed in uneven pieces */
	hash_ctx c;
	hash_init(&c);
	char chunk[997];
	memset(chunk, 'a', sizeof chunk);
	size_t left = 1000000;
	while (left) {
		size_t k = left < sizeof chunk ? left : sizeof chunk;
		hash_update(&c, chunk, k);
		left -= k;
	}
	hash_digest d = hash_final(&c);
	char hex[HASH_HEX];
	hash_hex(&d, hex);
	CHECK_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	hash_digest back;
	CHECK(hash_parse_hex(hex, strlen(hex), &back) && hash_equal(&back, &d));
	CHECK(!hash_parse_hex("xyz", 3, &back));
	/* at every length around the block and padding boundaries, data fed whole and fed in pieces of
	 * 1 and 63 bytes hash the same */
	static unsigned char data[100003];
	unsigned seed = 12345;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)((seed = seed * 1103515245u + 12345u) >> 16);
	size_t lengths[] = {1, 55, 56, 63, 64, 65, 127, 128, 129, 1000, 4096, 100003};
	bool same = true;
	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		hash_digest whole = hash_bytes(data, lengths[i]);
		for (size_t piece = 1; piece < 64; piece += 62) {
			hash_ctx pc;
			hash_init(&pc);
			for (size_t at = 0; at < lengths[i]; at += piece)
				hash_update(&pc, data + at, lengths[i] - at < piece ? lengths[i] - at : piece);
			hash_digest parts = hash_final(&pc);
			same &= hash_equal(&whole, &parts);
		}
	}
	CHECK(same);
	/* and all of it, not a whole number of blocks, as Python's hashlib.sha256 has it */
	CHECK_STR_EQ(hex_of(data, sizeof data), "9fdfe5c6a265b12a2af96ff6538d8d51106d662ac6d14d8766e0129fcf15b008");
	/* framing: ("ab","c") and ("a","bc") differ */
	hash_ctx x, y;
	hash_init(&x);
	hash_str(&x, "ab");
	hash_str(&x, "c");
	hash_init(&y);
	hash_str(&y, "a");
	hash_str(&y, "bc");
	hash_digest dx = hash_final(&x), dy = hash_final(&y);
	CHECK(!hash_equal(&dx, &dy));
}

static void test_doc_hash(void)
{
	doc_style s1 = {.name = "正文", .size = 16000}, s2 = s1;
	doc_block blocks[2] = {{.kind = BLOCK_PARAGRAPH, .style = &s1, .text = "一"},
	                       {.kind = BLOCK_PARAGRAPH, .style = &s1, .text = "二"}};
	doc_section sec = {.blocks = blocks, .nblocks = 2};
	doc_document doc = {.title = "t", .sections = &sec, .nsections = 1};
	hash_digest a = doc_hash(&doc);
	hash_digest again = doc_hash(&doc);
	CHECK(hash_equal(&a, &again));
	blocks[1].text = "三";
	hash_digest b = doc_hash(&doc);
	CHECK(!hash_equal(&a, &b));
	blocks[1].text = "二";
	blocks[1].style = &s2; /* equal fields, but a second style: Word would get two styles */
	hash_digest c = doc_hash(&doc);
	CHECK(!hash_equal(&a, &c));
}

static void test_manifest_round_trip(const char *dir)
{
	manifest_glyph g = {0x20000, 3, "𠀀字\n第二行"};
	manifest_output o[2] = {
		{.path = "2025-测试局/2025年部门预算绩效目标.pdf", .size = 123, .mtime_ns = 1700000000123456789},
		{.path = "2025-测试局/项目/01-人才 工作.pdf", .size = 45, .mtime_ns = 5, .glyphs = &g, .nglyphs = 1},
	};
	o[0].key = hash_bytes("a", 1);
	o[1].key = hash_bytes("b", 1);
	char *inputs[] = {"/x/源.txt", "/x/共用/名词解释.txt"};
	manifest m = {.source = "/x/源.txt", .given = "input/源.txt", .name = "测试局",
	              .dir = "2025-测试局", .key = hash_bytes("k", 1), .inputs = inputs, .ninputs = 2,
	              .outputs = o, .noutputs = 2, .messages = "警告\n\\tab\t", .nmessages = 11};
	buf text = {0};
	manifest_format(&m, &text);
	char *path = xmalloc(strlen(dir) + 32);
	sprintf(path, "%s/m.manifest", dir);
	CHECK_INT_EQ(file_write_atomic(path, text.data, text.len), 0);
	manifest r;
	const char *why;
	if (CHECK(manifest_read(path, &r, &why))) {
		CHECK_STR_EQ(r.source, m.source);
		CHECK_STR_EQ(r.given, m.given);
		CHECK_STR_EQ(r.name, m.name);
		CHECK_STR_EQ(r.dir, m.dir);
		CHECK(hash_equal(&r.key, &m.key));
		CHECK_INT_EQ(r.ninputs, 2);
		CHECK_STR_EQ(r.inputs[1], inputs[1]);
		CHECK_INT_EQ(r.noutputs, 2);
		CHECK_STR_EQ(r.outputs[1].path, o[1].path);
		CHECK_INT_EQ(r.outputs[0].mtime_ns, o[0].mtime_ns);
		CHECK(hash_equal(&r.outputs[1].key, &o[1].key));
		CHECK_INT_EQ(r.outputs[1].nglyphs, 1);
		CHECK_INT_EQ(r.outputs[1].glyphs[0].cp, 0x20000);
		CHECK_STR_EQ(r.outputs[1].glyphs[0].context, g.context);
		CHECK_INT_EQ(r.nmessages, m.nmessages);
		CHECK(memcmp(r.messages, m.messages, m.nmessages) == 0);
		buf again = {0};
		manifest_format(&r, &again);
		CHECK(again.len == text.len && memcmp(again.data, text.data, text.len) == 0);
		buf_free(&again);
		manifest_free(&r);
	}
	/* truncated: not a manifest (everything will be rebuilt) */
	CHECK_INT_EQ(file_write_atomic(path, text.data, text.len / 2), 0);
	CHECK(!manifest_read(path, &r, &why) && why);
	/* naming what a build must not touch: reported, never read */
	const char *bad[] = {"../victim.txt", "/etc/passwd", "2025-测试局/../../x", "其他局/a.pdf"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		o[1].path = (char *)bad[i];
		text.len = 0;
		manifest_format(&m, &text);
		CHECK_INT_EQ(file_write_atomic(path, text.data, text.len), 0);
		CHECK(!manifest_read(path, &r, &why) && why);
	}
	o[1].path = "2025-测试局/项目/01-人才 工作.pdf";
	o[1].size = -1;
	text.len = 0;
	manifest_format(&m, &text);
	CHECK_INT_EQ(file_write_atomic(path, text.data, text.len), 0);
	CHECK(!manifest_read(path, &r, &why) && why);
	buf_free(&text);
	free(path);
}

static char *path_in(const char *dir, const char *name)
{
	char *p = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

static char *slurp(const char *path)
{
	char *data;
	size_t len;
	return file_read(path, 1 << 20, &data, &len) == 0 ? data : NULL;
}

static int unnamed(const char *dir, const char *text)
{
	char *tmp = NULL;
	char *path = path_in(dir, "unused");
	int fd = file_temp_open(path, &tmp);
	free(path);
	if (fd >= 0)
		fd_write_synced(fd, text, strlen(text));
	if (tmp) { /* a file system without O_TMPFILE: the test links it by name instead */
		unlink(tmp);
		free(tmp);
	}
	return fd;
}

static void test_txn(const char *root)
{
	/* paths relative to root, as a build names them; the process runs elsewhere */
	char *dir = path_in(root, "d");
	dir_make(dir);
	char *a = path_in(dir, "a.pdf"), *b = path_in(dir, "b.pdf"), *old = path_in(dir, "old.pdf");
	char *journal = path_in(root, "d.journal");
	file_write_atomic(a, "old a", 5);
	file_write_atomic(old, "stale", 5);
	struct stat st;
	stat(old, &st);
	txn *t = txn_new(root, journal);
	int fa = unnamed(dir, "new a"), fb = unnamed(dir, "new b");
	CHECK(fa >= 0 && fb >= 0);
	txn_add_file(t, fa, NULL, "d/a.pdf");
	txn_add_file(t, fb, NULL, "d/b.pdf");
	txn_add_delete(t, "d/old.pdf", st.st_size, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
	char err[256];
	CHECK_INT_EQ(txn_run(t, err, sizeof err), 0);
	txn_free(t);
	close(fa);
	close(fb);
	char *s = slurp(a);
	CHECK_STR_EQ(s, "new a");
	free(s);
	s = slurp(b);
	CHECK_STR_EQ(s, "new b");
	free(s);
	CHECK(access(old, F_OK) != 0);
	CHECK(access(journal, F_OK) != 0);

	/* a delete of a file that changed since it was recorded does nothing */
	file_write_atomic(old, "someone else's", 14);
	t = txn_new(root, journal);
	txn_add_delete(t, "d/old.pdf", 5, 0);
	CHECK_INT_EQ(txn_run(t, err, sizeof err), 0);
	txn_free(t);
	CHECK(access(old, F_OK) == 0);
	stat(old, &st);
	long long old_mtime = (long long)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;

	/* killed after the commit mark: the next build renames what is left */
	char *ta = path_in(dir, "a.pdf.budgetgen-tmp000000004242"),
	     *tb = path_in(dir, "b.pdf.budgetgen-tmp000000004242");
	file_write_atomic(ta, "newer a", 7);
	file_write_atomic(tb, "newer b", 7);
	buf j = {0};
	buf_printf(&j, "budgetgen journal 2\nfile d/a.pdf.budgetgen-tmp000000004242\td/a.pdf\n"
	           "file d/b.pdf.budgetgen-tmp000000004242\td/b.pdf\ndelete 14 %lld d/old.pdf\ncommit\n",
	           old_mtime);
	file_write_atomic(journal, j.data, j.len);
	diag_ctx *d = diag_new();
	CHECK_INT_EQ(txn_recover(root, root, d), 1);
	s = slurp(a);
	CHECK_STR_EQ(s, "newer a");
	free(s);
	s = slurp(b);
	CHECK_STR_EQ(s, "newer b");
	free(s);
	CHECK(access(ta, F_OK) != 0 && access(old, F_OK) != 0 && access(journal, F_OK) != 0);

	/* killed before it: the temporaries go, the files stay */
	file_write_atomic(ta, "newest a", 8);
	j.len = 0;
	buf_printf(&j, "budgetgen journal 2\nfile d/a.pdf.budgetgen-tmp000000004242\td/a.pdf\n"
	           "file d/b.pdf.budgetgen-tmp000000004242\td/b.pdf\n");
	file_write_atomic(journal, j.data, j.len);
	CHECK_INT_EQ(txn_recover(root, root, d), 1);
	s = slurp(a);
	CHECK_STR_EQ(s, "newer a");
	free(s);
	CHECK(access(ta, F_OK) != 0 && access(journal, F_OK) != 0);

	/* a torn commit line is no commit */
	file_write_atomic(ta, "torn", 4);
	j.len = 0;
	buf_printf(&j, "budgetgen journal 2\nfile d/a.pdf.budgetgen-tmp000000004242\td/a.pdf\ncomm");
	file_write_atomic(journal, j.data, j.len);
	txn_recover(root, root, d);
	s = slurp(a);
	CHECK_STR_EQ(s, "newer a");
	free(s);
	CHECK(access(ta, F_OK) != 0);
	CHECK_INT_EQ(diag_count(d, DIAG_WARNING), 0);

	/* journals naming what is not theirs: reported, removed, nothing they name touched */
	const char *bad[] = {
		"delete 5 0 ../x/a.pdf", "delete -1 0 d/a.pdf", "rmdir /tmp", "delete 5 0 a.pdf",
		"file d/b.pdf\td/a.pdf", "file /tmp/x.budgetgen-tmp000000000001\t/tmp/x",
		"file d/../d/a.pdf.budgetgen-tmp000000000001\td/a.pdf",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		j.len = 0;
		buf_printf(&j, "budgetgen journal 2\n%s\ncommit\n", bad[i]);
		file_write_atomic(journal, j.data, j.len);
		txn_recover(root, root, d);
		CHECK(access(journal, F_OK) != 0 && access(a, F_OK) == 0 && access(b, F_OK) == 0);
	}
	CHECK_INT_EQ(diag_count(d, DIAG_WARNING), sizeof bad / sizeof *bad);
	/* a directory on the way that is a symlink */
	char *link = path_in(root, "l");
	CHECK(symlink(dir, link) == 0);
	const char *lj = "budgetgen journal 2\nrmdir l/sub\ncommit\n";
	file_write_atomic(journal, lj, strlen(lj));
	char *sub = path_in(dir, "sub");
	dir_make(sub);
	txn_recover(root, root, d);
	CHECK(access(sub, F_OK) == 0);
	diag_free(d);
	free(sub);
	free(link);
	buf_free(&j);
	free(ta);
	free(tb);
	free(a);
	free(b);
	free(old);
	free(journal);
	free(dir);
}

static void test_strays(const char *dir)
{
	char *dept = path_in(dir, "2025-局");
	char *proj = path_in(dept, "项目");
	char *other = path_in(dir, "other");
	dir_make(proj);
	dir_make(other);
	char *s1 = path_in(proj, "01-x.pdf.budgetgen-tmp000000000123"),
	     *s2 = path_in(dept, "a.xlsx.budgetgen-tmp123456789012"), *keep1 = path_in(proj, "01-x.pdf"),
	     *keep2 = path_in(dept, "notes.tmp.txt"), *keep3 = path_in(dept, "a.xlsx.tmp9"),
	     *keep4 = path_in(other, "x.pdf.budgetgen-tmp000000000123");
	const char *files[] = {s1, s2, keep1, keep2, keep3, keep4};
	for (int i = 0; i < 6; i++)
		file_write_atomic(files[i], "x", 1);
	char *dirs[] = {"2025-局"};
	CHECK_INT_EQ(txn_remove_strays(dir, dirs, 1), 2);
	CHECK(access(s1, F_OK) != 0 && access(s2, F_OK) != 0);
	for (int i = 2; i < 6; i++)
		CHECK(access(files[i], F_OK) == 0);
	CHECK(file_is_temp_name("a.pdf.budgetgen-tmp000000000001"));
	CHECK(!file_is_temp_name("a.pdf.tmp000000000001") && !file_is_temp_name("a.budgetgen-tmp12"));
	for (int i = 0; i < 6; i++)
		free((char *)files[i]);
	free(other);
	free(proj);
	free(dept);
}

int main(void)
{
	char dir[] = "/tmp/test_manifest.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	test_sha256();
	test_doc_hash();
	test_manifest_round_trip(dir);
	test_txn(dir);
	test_strays(dir);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_report();
}

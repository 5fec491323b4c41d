/* main.c — the command line: `budgetgen check|dump|build|fmt|diff|import …`, usage text and exit codes
 * (0 fine, 1 input has errors, 2 usage, 3 I/O or internal; diff: 0 same, 1 different, 4 input
 * errors). Each command drives the stages;
 * no stage logic lives here. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/build.h"
#include "base/diag.h"
#include "dump.h"
#include "front/fmt.h"
#include "front/lex.h"
#include "batch/revdiff.h"
#include "front/load.h"
#include "import/import.h"
#include "base/version.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_IO = 3 };
enum { EXIT_DIFFERENT = 1 }; /* diff: the versions differ (input errors are REVDIFF_INPUT, 4) */

static const char usage_text[] =
	"用法：budgetgen <命令> [选项] 路径…\n"
	"\n"
	"命令：\n"
	"  check 路径…          检查部门预算源文件（文件或目录），报告全部错误和警告\n"
	"        --summary        不逐条列出，每类错误和警告一行，附条数\n"
	"  dump --json 文件      以 JSON 输出检查后的模型\n"
	"  dump --pages [--project N] 文件  以文字列出排版结果（各页的表格片段和文字行）\n"
	"  dump --tables [--project N] 文件 以 JSON 输出文档中各表格的内容\n"
	"  fmt [-w] 文件…        按规范格式输出源文件；-w 就地改写\n"
	"  build [-o 目录] 路径…  生成各部门的文档（默认输出到 out/）\n"
	"        --layouts 目录   布局文件目录（默认 layouts/）\n"
	"        --fonts 文件     字体角色配置（默认 fonts/roles.conf）\n"
	"        -j N             同时用 N 个进程生成（默认：可用的 CPU 数）\n"
	"        -B, --force      全部重新生成（不管输入是否改变）\n"
	"        -q               只报告问题\n"
	"        --all            列出全部警告（默认同类警告每个文件最多列 10 条）\n"
	"  diff [-o 对照表.xlsx] 原版本 新版本  列出预算调整改变的每个数字和文字（文件或目录）；\n"
	"                       项目先按项目编码、再按名称配对，改名、新增、删除都写明\n"
	"        --figures        只列数字，不列文字的改动（资金用途、绩效目标、指标描述等）\n"
	"  import [-o 文件] 文档…  从一个部门的 Word/Excel 文档（.docx .xlsx；装有 LibreOffice 时还有\n"
	"                       .doc .xls .wps .et）导出源文件（规范格式，默认写到标准输出）\n"
	"  check、dump、build、diff 都接受 --catalog 目录：科目表目录（默认 layouts/catalog）\n"
	"  check、dump、build、diff 都接受 --include-dir 目录（可重复）：“包含：”还可以读这个目录之下的\n"
	"                       文件（默认只能读命令行给出的目录、或给出的文件所在目录之下的文件）\n"
	"  --help               显示本说明\n"
	"  --version            显示版本\n"
	"\n"
	"环境变量 SOURCE_DATE_EPOCH：build 和 diff 写入文档的日期，0 到 253402300799 之间的秒数\n"
	"（UTC，到 9999-12-31）；不设置时写固定日期。\n"
	"\n"
	"退出码：0 无错误（可有警告），1 输入有错误，2 用法错误，3 读写或内部错误。\n"
	"diff 的退出码同 diff(1)：0 两个版本相同，1 有不同；2 用法错误，3 读写或内部错误，\n"
	"4 源文件有错误（无法比较）。\n"
	"源文件语言见 docs/language.md。\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "budgetgen: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n用 budgetgen --help 查看用法。\n");
	return EXIT_USAGE;
}

/* Exit status after a run: input errors beat I/O problems only when both are input related. */
static int status_of(size_t input_errors, size_t io_errors)
{
	if (io_errors)
		return EXIT_IO;
	return input_errors ? EXIT_INPUT : EXIT_OK;
}

/* Takes "--catalog DIR" and "--include-dir DIR" (repeatable) out of argv (for check, dump,
 * build and diff); returns the new argc, or -1 after a usage error. */
static int take_common_options(int argc, char **argv)
{
	int k = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--catalog") == 0 && i + 1 < argc) {
			sources_set_catalog_dir(argv[++i]);
			continue;
		}
		if (strcmp(argv[i], "--include-dir") == 0) {
			if (i + 1 >= argc) {
				usage_error("选项 %s 需要一个参数", argv[i]);
				return -1;
			}
			int e = sources_allow_include_dir(argv[++i]);
			if (e) {
				usage_error("--include-dir 的目录“%s”不能用：%s", argv[i], errno_text(e));
				return -1;
			}
			continue;
		}
		argv[k++] = argv[i];
	}
	return k;
}

/* check --summary: one line per kind of error and warning, errors first, then by count. */
static void print_summary(const diag_ctx *d)
{
	diag_code order[D_CODE_COUNT];
	size_t n = 0;
	for (int c = 0; c < D_CODE_COUNT; c++)
		if (diag_stands_alone((diag_code)c) && diag_total_code(d, (diag_code)c))
			order[n++] = (diag_code)c;
	for (size_t i = 1; i < n; i++) { /* insertion sort: stable, and n is small */
		diag_code x = order[i];
		size_t k = i;
		while (k > 0) {
			diag_code y = order[k - 1];
			diag_level lx = diag_level_of(x), ly = diag_level_of(y);
			size_t cx = diag_total_code(d, x), cy = diag_total_code(d, y);
			if (lx < ly || (lx == ly && cx <= cy))
				break;
			order[k--] = y;
		}
		order[k] = x;
	}
	for (size_t i = 0; i < n; i++) {
		diag_level lv = diag_level_of(order[i]);
		fprintf(stderr, "%s %5zu  %s\n", lv == DIAG_ERROR ? "错误" : lv == DIAG_WARNING ? "警告" : "提示",
		        diag_total_code(d, order[i]), diag_name_zh(order[i]));
	}
}

static int cmd_check(int argc, char **argv)
{
	argc = take_common_options(argc, argv);
	if (argc < 0)
		return EXIT_USAGE;
	bool summary = false;
	int k = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--summary") == 0)
			summary = true;
		else
			argv[k++] = argv[i];
	}
	argc = k;
	if (argc < 1)
		return usage_error("%s", "check 需要至少一个文件或目录");
	diag_ctx *d = diag_new();
	source_list srcs = {0};
	sources_find(&srcs, d, argv, (size_t)argc);
	size_t io = diag_count(d, DIAG_ERROR);
	diag_flush(d, stderr);
	size_t bad = 0;
	for (size_t i = 0; i < srcs.n; i++) {
		department_load l = department_load_file(d, srcs.paths[i]);
		if (!l.model)
			io++;
		else if (l.errors)
			bad++;
		if (summary && l.model)
			diag_discard(d); /* a file that cannot be read is still named */
		else
			diag_flush(d, stderr);
		department_load_free(&l);
	}
	size_t warnings = diag_count(d, DIAG_WARNING);
	size_t errors = diag_count(d, DIAG_ERROR);
	if (srcs.n == 0 && !io) {
		fprintf(stderr, "budgetgen: 在给出的路径中没有找到部门预算源文件（*.txt）\n");
		io++;
	}
	if (summary)
		print_summary(d);
	fprintf(stderr, "检查了 %zu 个部门：%zu 个错误，%zu 个警告\n", srcs.n, errors, warnings);
	sources_free(&srcs);
	diag_free(d);
	return status_of(bad, io);
}

static int cmd_dump(int argc, char **argv)
{
	argc = take_common_options(argc, argv);
	if (argc < 0)
		return EXIT_USAGE;
	const char *file = NULL;
	bool json = false, pages = false, tables = false;
	long project = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--pages") == 0)
			pages = true;
		else if (strcmp(argv[i], "--tables") == 0)
			tables = true;
		else if (strcmp(argv[i], "--project") == 0 && i + 1 < argc) {
			char *end;
			project = strtol(argv[++i], &end, 10);
			if (*end || project < 1)
				return usage_error("--project 需要项目序号（从 1 起），而不是 %s", argv[i]);
		}
		else if (argv[i][0] == '-')
			return usage_error("dump 不认识选项 %s", argv[i]);
		else if (file)
			return usage_error("%s", "dump 只接受一个文件");
		else
			file = argv[i];
	}
	if (!file || json + pages + tables != 1)
		return usage_error("%s", "用法：budgetgen dump --json|--pages|--tables [--project N] 文件");
	if (json && project)
		return usage_error("%s", "--project 只能与 --pages 或 --tables 一起用；--json 输出整个部门");
	if (pages || tables) {
		build_options opt = {.out_dir = "out", .epoch = -1};
		buf b = {0};
		int status = build_dump(&opt, file, project, tables, &b);
		if (b.len)
			fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
		return status;
	}
	diag_ctx *d = diag_new();
	department_load l = department_load_file(d, file);
	int status = l.model ? (l.errors ? EXIT_INPUT : EXIT_OK) : EXIT_IO;
	if (l.model) {
		buf b = {0};
		dump_json(&b, l.model);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
	}
	diag_flush(d, stderr);
	department_load_free(&l);
	diag_free(d);
	if (fflush(stdout) != 0)
		status = EXIT_IO;
	return status;
}

static int cmd_fmt(int argc, char **argv)
{
	bool write = false;
	int nfiles = 0, status = EXIT_OK;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-w") == 0)
			write = true;
		else if (argv[i][0] == '-')
			return usage_error("fmt 不认识选项 %s", argv[i]);
		else
			nfiles++;
	}
	if (!nfiles)
		return usage_error("%s", "fmt 需要至少一个文件");
	for (int i = 0; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		char *data;
		size_t len;
		int e = file_read(argv[i], (size_t)LEX_MAX_FILE_MB << 20, &data, &len);
		if (e) {
			fprintf(stderr, "budgetgen: 无法读取文件“%s”：%s\n", argv[i], errno_text(e));
			status = EXIT_IO;
			continue;
		}
		diag_ctx *d = diag_new();
		arena *a = arena_new();
		const src_file *f = diag_add_file(d, argv[i], data, len);
		buf out = {0};
		format_source(a, d, f, &out);
		bool bad = diag_count(d, DIAG_ERROR) > 0;
		diag_flush(d, stderr);
		if (bad) {
			status = status == EXIT_OK ? EXIT_INPUT : status;
		} else if (write) {
			if ((out.len != len || memcmp(out.data, data, len) != 0) &&
			    (e = file_rewrite(argv[i], out.data, out.len)) != 0) {
				fprintf(stderr, "budgetgen: 无法写入“%s”：%s\n", argv[i], errno_text(e));
				status = EXIT_IO;
			}
		} else if (out.len) {
			fwrite(out.data, 1, out.len, stdout);
		}
		buf_free(&out);
		arena_free(a);
		diag_free(d);
		free(data);
	}
	return status;
}

/* SOURCE_DATE_EPOCH (the dates written into the documents): unset or empty is -1 (fixed dates);
 * otherwise a decimal number of seconds from 0 (1970-01-01 00:00:00 UTC) to 253402300799
 * (9999-12-31 23:59:59 UTC), the dates the document formats can hold (gmtime fails for much
 * larger values, and the formats have four-digit years). Anything else is a usage error: false. */
enum { EPOCH_DIGITS_MAX = 12 };
#define EPOCH_MAX INT64_C(253402300799)
static bool source_date_epoch(int64_t *out)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	*out = -1;
	if (!s || !*s)
		return true;
	int64_t v = 0;
	size_t n = 0;
	for (const char *p = s; *p; p++, n++) {
		if (*p < '0' || *p > '9' || n >= EPOCH_DIGITS_MAX)
			break;
		v = v * 10 + (*p - '0');
	}
	if (s[n] || v > EPOCH_MAX) {
		usage_error("环境变量 SOURCE_DATE_EPOCH=%.40s%s 无效：应为 0 到 %lld 之间的整数秒数"
		            "（1970-01-01 到 9999-12-31，UTC），或者不设置",
		            s, strlen(s) > 40 ? "…" : "", (long long)EPOCH_MAX);
		return false;
	}
	*out = v;
	return true;
}

static int cmd_build(int argc, char **argv)
{
	argc = take_common_options(argc, argv);
	if (argc < 0)
		return EXIT_USAGE;
	build_options opt = {.out_dir = "out"};
	if (!source_date_epoch(&opt.epoch))
		return EXIT_USAGE;
	char **paths = xcalloc((size_t)argc + 1, sizeof *paths);
	size_t n = 0;
	int status = EXIT_OK;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool takes = strcmp(a, "-o") == 0 || strcmp(a, "--layouts") == 0 || strcmp(a, "--fonts") == 0 ||
		             strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0;
		if (takes && i + 1 >= argc) {
			status = usage_error("选项 %s 需要一个参数", a);
			break;
		}
		if (strcmp(a, "-o") == 0)
			opt.out_dir = argv[++i];
		else if (strcmp(a, "--layouts") == 0)
			opt.layouts_dir = argv[++i];
		else if (strcmp(a, "--fonts") == 0)
			opt.fonts_conf = argv[++i];
		else if (strcmp(a, "--all") == 0)
			opt.all_warnings = true;
		else if (strcmp(a, "-q") == 0)
			opt.quiet = true;
		else if (strcmp(a, "-B") == 0 || strcmp(a, "--force") == 0)
			opt.force = true;
		else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0 || strncmp(a, "-j", 2) == 0) {
			const char *v = a[1] == 'j' && a[2] ? a + 2 : argv[++i];
			char *end;
			long j = strtol(v, &end, 10);
			if (*end || j < 1 || j > 1024) {
				status = usage_error("-j 需要 1 到 1024 之间的进程数，而不是 %s", v);
				break;
			}
			opt.jobs = (int)j;
		}
		else if (a[0] == '-' && a[1]) {
			status = usage_error("build 不认识选项 %s", a);
			break;
		} else
			paths[n++] = argv[i];
	}
	if (status == EXIT_OK && n == 0)
		status = usage_error("%s", "build 需要至少一个文件或目录");
	if (status == EXIT_OK)
		status = build_run(&opt, paths, n);
	free(paths);
	return status;
}

static int cmd_diff(int argc, char **argv)
{
	argc = take_common_options(argc, argv);
	if (argc < 0)
		return EXIT_USAGE;
	revdiff_options opt = {0};
	if (!source_date_epoch(&opt.epoch))
		return EXIT_USAGE;
	const char *paths[2] = {NULL, NULL};
	int npaths = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "-o") == 0 || strcmp(a, "--layouts") == 0) && i + 1 >= argc)
			return usage_error("选项 %s 需要一个参数", a);
		if (strcmp(a, "-o") == 0)
			opt.xlsx = argv[++i];
		else if (strcmp(a, "--layouts") == 0)
			opt.layouts_dir = argv[++i];
		else if (strcmp(a, "--figures") == 0)
			opt.figures_only = true;
		else if (a[0] == '-' && a[1])
			return usage_error("diff 不认识选项 %s", a);
		else if (npaths == 2)
			return usage_error("%s", "diff 只比较两个版本：原版本 新版本");
		else
			paths[npaths++] = a;
	}
	if (npaths != 2)
		return usage_error("%s", "用法：budgetgen diff [-o 对照表.xlsx] 原版本 新版本（文件或目录）");
	rev_report r;
	int status = revdiff_compare(&opt, paths[0], paths[1], &r); /* 0, REVDIFF_INPUT or REVDIFF_IO */
	if (status == EXIT_OK) {
		buf b = {0};
		revdiff_format_text(&r, &b);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
		char err[1024];
		if (opt.xlsx && revdiff_write_xlsx(&r, opt.epoch, opt.xlsx, err, sizeof err) != 0) {
			fprintf(stderr, "budgetgen: error: %s\n", err);
			status = EXIT_IO;
		}
		if (fflush(stdout) != 0)
			status = EXIT_IO;
		if (status == EXIT_OK && r.n) /* as diff(1): 1 when the versions differ */
			status = EXIT_DIFFERENT;
	}
	revdiff_free(&r);
	return status;
}

static int cmd_import(int argc, char **argv)
{
	import_options opt = {0};
	char **paths = xcalloc((size_t)argc + 1, sizeof *paths);
	size_t n = 0;
	int status = EXIT_OK;
	for (int i = 0; i < argc && status == EXIT_OK; i++) {
		if (strcmp(argv[i], "-o") == 0) {
			if (i + 1 >= argc)
				status = usage_error("选项 %s 需要一个参数", argv[i]);
			else
				opt.out = argv[++i];
		} else if (strcmp(argv[i], "--blocks") == 0) {
			opt.blocks = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			status = usage_error("import 不认识选项 %s", argv[i]);
		} else {
			paths[n++] = argv[i];
		}
	}
	if (status == EXIT_OK && n == 0)
		status = usage_error("%s", "import 需要至少一个 .docx 或 .xlsx 文档");
	if (status == EXIT_OK)
		status = import_run(&opt, paths, n, stderr);
	free(paths);
	return status;
}

static int run_command(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "缺少命令");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("budgetgen %s\n", BUDGETGEN_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (strcmp(cmd, "dump") == 0)
		return cmd_dump(argc - 2, argv + 2);
	if (strcmp(cmd, "fmt") == 0)
		return cmd_fmt(argc - 2, argv + 2);
	if (strcmp(cmd, "build") == 0)
		return cmd_build(argc - 2, argv + 2);
	if (strcmp(cmd, "diff") == 0)
		return cmd_diff(argc - 2, argv + 2);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(argc - 2, argv + 2);
	return usage_error("未知的命令“%s”", cmd);
}

int main(int argc, char **argv)
{
	/* past `ulimit -f` a write fails with EFBIG, reported like any write error, instead of the
	 * process dying by SIGXFSZ without a word (build installs its own handler, render.c) */
	signal(SIGXFSZ, SIG_IGN);
	int status = run_command(argc, argv);
	sources_release();
	return status;
}

"""tests/language/check.py — the department written from docs/language.md with what published forms
hold (tests/language/分段.txt, issue 14): it checks with no error and no warning (its non-standard
项目编码 is acknowledged), `fmt` round-trips it, and the PDF (pdftotext), the .docx (python-docx) and
the .xlsx (openpyxl) show every paragraph as written: two-paragraph 资金用途 cells, a continued
indicator cell, a one-cell numbered 绩效目标, the intro under 分项绩效目标 and 一、 numbering.

usage: python3 tests/language/check.py BUDGETGEN   (prints "N passed, M failed")"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import ROOT, booklet_path, ok, project_pdf_path, run, squash, tally  # noqa: E402

SOURCE = os.path.join(ROOT, "tests", "language", "分段.txt")

# the texts as the source writes them: each list is one cell (or one run of body paragraphs)
USE_1 = ["就业专项资金预算数50万元，全部为财政资金。", "主要用于招聘活动和技能培训补贴。"]
USE_2 = ["社保经办经费预算数20万元。", "用于经办大厅运行维护。"]
GOALS_1 = ["1.开展招聘活动5场以上", "2.组织技能培训300人次"]
DESC = ["举办各类招聘活动", "含线上招聘"]
CELLS = [USE_1, USE_2, GOALS_1, DESC]
BODY = ["职责分类绩效目标：", "一、就业服务", "绩效目标：开展招聘活动。", "组织技能培训。",
        "绩效指标：举办招聘会5场以上。", "二、社会保障"]
CODE = "13030321FVX8CQSYXPUNY"


def separate_lines(lines, paras, what):
    """Each paragraph on a line of its own: the line holding one holds no text of the next."""
    for a, b in zip(paras, paras[1:]):
        la = [line for line in lines if squash(a) in squash(line)]
        ok(la and not any(squash(b) in squash(line) for line in la),
           f"{what}: “{a}” and “{b}” are separate paragraphs", "\n".join(la) or "not found")


def check_source(bg):
    r = run(bg, "check", SOURCE)
    ok(r.returncode == 0 and r.stderr.strip().endswith("0 个错误，0 个警告"),
       "check: no error, no warning (the 项目编码 is acknowledged)", r.stderr)
    once = run(bg, "fmt", SOURCE)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(once.stdout)
    try:
        twice = run(bg, "fmt", f.name)
        ok(once.returncode == 0 and twice.stdout == once.stdout, "fmt: the canonical form is stable",
           twice.stdout[:500])
        a, b = run(bg, "dump", "--json", SOURCE), run(bg, "dump", "--json", f.name)
        ok(a.returncode == 0 and a.stdout == b.stdout, "fmt: the formatted source has the same model")
    finally:
        os.unlink(f.name)
    model = json.loads(run(bg, "dump", "--json", SOURCE).stdout)
    p1, p2 = model["projects"]
    ok(p1["use"] == "\n".join(USE_1) and p2["use"] == "\n".join(USE_2),
       "dump --json: 资金用途 keeps its paragraphs", [p1["use"], p2["use"]])
    ok(p1["indicators"][0]["desc"] == "\n".join(DESC), "dump --json: a continued indicator cell")
    ok(p1.get("goal_cell") == "一格" and "goal_cell" not in p2,
       "dump --json: 绩效目标栏 from the department, 分行 for the project that says so")
    ok(model["overall"].get("intro") == ["职责分类绩效目标："] and model["overall"].get("numbering") == "一、",
       "dump --json: 分项引言 and 分项序号")
    ok(p1["code"] == CODE, "the published 项目编码 is kept as written")
    return model


def check_pdf(outdir, model):
    dept = model["department"]
    text = run("pdftotext", "-layout", booklet_path(outdir, dept, "pdf"), "-").stdout
    lines = text.splitlines()
    for cell in CELLS:
        separate_lines(lines, cell, "PDF booklet")
    separate_lines(lines, BODY, "PDF 整体绩效目标")
    ok(any(line.strip() == "一、就业服务" for line in lines), "PDF: 分项 numbered 一、")
    raw = run("pdftotext", "-raw", booklet_path(outdir, dept, "pdf"), "-").stdout
    ok(CODE in squash(raw), "PDF: the 项目编码 as published")
    first = model["projects"][0]
    sheet = run("pdftotext", "-layout", project_pdf_path(outdir, dept, 1, first["name"]), "-").stdout
    separate_lines(sheet.splitlines(), USE_1, "PDF project sheet")


def check_docx(outdir, model):
    import docx
    d = docx.Document(booklet_path(outdir, model["department"], "docx"))
    cells = []
    for t in d.tables:
        for row in t.rows:
            for c in row.cells:
                cells.append([p.text for p in c.paragraphs])
    for cell in CELLS:
        ok(cell in cells, f".docx: a cell of {len(cell)} paragraphs {cell}")
    body = [p.text for p in d.paragraphs]
    i = body.index(BODY[0]) if BODY[0] in body else -1
    ok(i >= 0 and body[i:i + len(BODY)] == BODY, ".docx: 分项引言, 一、 numbering, a continued goal",
       body[i:i + len(BODY)] if i >= 0 else body)


def check_xlsx(outdir, model):
    import openpyxl
    wb = openpyxl.load_workbook(booklet_path(outdir, model["department"], "xlsx"))
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    found.setdefault(c.value, c.alignment.wrap_text)
    for cell in CELLS:
        v = "\n".join(cell)
        ok(v in found and found[v], f".xlsx: a wrapped cell with a line break {cell}")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    bg = os.path.abspath(sys.argv[1])
    model = check_source(bg)
    with tempfile.TemporaryDirectory() as outdir:
        r = run(bg, "build", "-q", SOURCE, "-o", outdir)
        if ok(r.returncode == 0, "build: exit 0", r.stderr):
            check_pdf(outdir, model)
            check_docx(outdir, model)
            check_xlsx(outdir, model)
    return tally.report()


if __name__ == "__main__":
    sys.exit(main())

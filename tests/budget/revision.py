#!/usr/bin/env python3
"""A budget revision moves every figure that depends on it, in all three formats.

Takes the seed-001 sample (input/2023-开发区组织人事局.txt), raises one 项 — 2080199
其他人力资源和社会保障管理事务支出, 项目支出 from 一般公共预算 — by 10.00 万元 (and the
一般公共预算 income with it, so that the budget still balances), builds the original and the
revision, and reads both back with tools nobody here wrote (pdftotext, python3-openpyxl,
python3-docx):

- the 项 row, its 款 (20801) and 类 (208) subtotals and every 合计 that contains it follow in the
  收入总表, 支出总表 and 一般公共预算财政拨款支出表; both 收支总表 follow (收入, 支出, totals);
- the prose figures written as references (收入, 支出, 项目支出, 比上年增减) follow;
- figures that do not depend on it (基本支出, 人员经费, 公用经费, 三公经费) stay;
- the 目录 page numbers are right in both builds: every entry's page shows that heading.

Usage: revision.py BUDGETGEN      Prints "N passed, M failed".
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SAMPLE = "input/2023-开发区组织人事局.txt"
OLD_LINE = "2080199｜其他人力资源和社会保障管理事务支出｜项目｜｜2.00"
NEW_LINE = "2080199｜其他人力资源和社会保障管理事务支出｜项目｜｜12.00"
OLD_INCOME = "一般公共预算：10533.69"
NEW_INCOME = "一般公共预算：10543.69"

# (what, old, new): figures printed in the tables and the prose that must move by 10.00
MOVES = [
    ("项 2080199", "6.00", "16.00"),
    ("款 20801", "265.90", "275.90"),
    ("类 208", "5655.22", "5665.22"),
    ("收入总计/支出总计", "10544.51", "10554.51"),
    ("一般公共预算收入", "10533.69", "10543.69"),
    ("本年收入合计", "10533.82", "10543.82"),
    ("项目支出", "9629.53", "9639.53"),
]
# prose sentences (after references are replaced) before and after
PROSE = [
    ("2023年预算收入10544.51万元", "2023年预算收入10554.51万元"),
    ("一般公共预算收入10533.69万元", "一般公共预算收入10543.69万元"),
    ("2023年支出预算10544.51万元", "2023年支出预算10554.51万元"),
    ("项目支出9629.53万元", "项目支出9639.53万元"),
    ("较2022年预算增加4723.24万元", "较2022年预算增加4733.24万元"),
]
UNCHANGED = ["914.98", "858.76", "56.22"]

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import ok, run, safe_name, squash, tally  # noqa: E402  (tests/common.py)


def build(budgetgen, srcdir, outdir):
    r = subprocess.run([budgetgen, "build", "-q", srcdir, "-o", outdir], capture_output=True, text=True)
    ok(r.returncode == 0, f"build {srcdir}: exit {r.returncode}: {r.stderr[-500:]}")
    for root, _, files in os.walk(outdir):
        for f in files:
            if f.endswith(".pdf") and "项目" not in root:
                base = os.path.join(root, f[:-4])
                return base
    return None


def pdf_pages(path):
    """Text of each page, white space removed."""
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout).group(1))
    out = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True).stdout
    pages = out.split("\f")
    return [squash(p) for p in pages[:n]]


def table_rows_pdf(pages, code):
    """Lines of the PDF (layout mode) that start a row with this code, squashed."""
    return [p for p in pages if code in p]


def check_toc(pages, label):
    """Every 目录 entry "title……N" must be on the page printed "— N —"."""
    printed = {}
    for i, p in enumerate(pages):
        m = re.search(r"—(\d+)—$", p)
        if m:
            printed[int(m.group(1))] = i
    first = printed.get(1, 3)  # the body starts on the page printed "— 1 —"; the 目录 before it
    toc = "".join(pages[1:first])
    toc = toc[toc.find("目录") + 2:]
    entries = re.findall(r"([^·]{2,60}?)·{3,}(\d+)", toc)
    ok(len(entries) >= 10, f"{label}: table of contents has {len(entries)} entries")
    body = "".join(pages[first:])
    for k, (title, num) in enumerate(entries):
        title = re.sub(r"^\d+", "", title)[-12:]  # the end of the title: a wrapped entry starts earlier
        page = printed.get(int(num))
        if title not in body and k + 1 < len(entries):
            # a group title that is not printed itself (部门预算公开表) is where its first entry is
            ok(entries[k + 1][1] == num, f"{label}: TOC group “{title}” is not with its first entry")
            continue
        ok(page is not None and title in pages[page],
           f"{label}: TOC says “…{title}” is on page {num}, but it is not there")


def xlsx_values(path):
    import openpyxl
    wb = openpyxl.load_workbook(path, data_only=True)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            vals = [c.value for c in row]
            texts = ["" if v is None else (f"{v:.2f}" if isinstance(v, (int, float)) else str(v)) for v in vals]
            cells.setdefault(ws.title, []).append(texts)
    return cells


def docx_rows(path):
    import docx
    d = docx.Document(path)
    rows = []
    for t in d.tables:
        for r in t.rows:
            rows.append([squash(c.text) for c in r.cells])
    text = squash("".join(p.text for p in d.paragraphs))
    return rows, text


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    budgetgen = os.path.abspath(sys.argv[1])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.chdir(root)
    tmp = tempfile.mkdtemp()
    try:
        src = open(SAMPLE, encoding="utf-8").read()
        ok(OLD_LINE in src and OLD_INCOME in src, "the sample still has the lines this test revises")
        dirs = {}
        for name, text in (("old", src), ("new", src.replace(OLD_LINE, NEW_LINE).replace(OLD_INCOME, NEW_INCOME))):
            d = os.path.join(tmp, name, "src")
            os.makedirs(d)
            shutil.copytree("input/共用", os.path.join(d, "共用"))
            open(os.path.join(d, os.path.basename(SAMPLE)), "w", encoding="utf-8").write(text)
            dirs[name] = build(budgetgen, d, os.path.join(tmp, name, "out"))
        if not all(dirs.values()):
            return 1
        for name in ("old", "new"):
            base = dirs[name]
            idx = 1 if name == "old" else 2
            pages = pdf_pages(base + ".pdf")
            allpdf = "".join(pages)
            check_toc(pages, f"{name} PDF")
            for what, old, new in MOVES:
                want = old if name == "old" else new
                ok(want in allpdf, f"{name} PDF: {what} should print {want}")
            # the figures of the revised 项 row in the three 功能分类 tables
            rows = [p for p in pages if "2080199" in p]
            ok(len(rows) >= 3, f"{name} PDF: 2080199 appears on {len(rows)} pages (收入总表, 支出总表, 一般公共预算支出表)")
            for sent_old, sent_new in PROSE:
                want, gone = (sent_old, sent_new) if name == "old" else (sent_new, sent_old)
                ok(want in allpdf, f"{name} PDF prose: “{want}” missing")
                ok(gone not in allpdf, f"{name} PDF prose: “{gone}” should not be there")
            for fig in UNCHANGED:
                ok(fig in allpdf, f"{name} PDF: unchanged figure {fig} missing")
            # Excel: the 项 row and the totals in the 收入总表 and 收支总表 sheets
            if os.path.exists(base + ".xlsx"):
                sheets = xlsx_values(base + ".xlsx")
                income = next((v for k, v in sheets.items() if "收入总表" in k), [])
                row = next((r for r in income if "2080199" in r), None)
                want = "16.00" if name == "new" else "6.00"
                ok(row is not None and want in row, f"{name} xlsx 收入总表: 2080199 row {row} lacks {want}")
                for code, old, new in (("20801", "265.90", "275.90"), ("208", "5655.22", "5665.22")):
                    row = next((r for r in income if code in r), None)
                    want = new if name == "new" else old
                    ok(row is not None and want in row, f"{name} xlsx 收入总表: {code} row {row} lacks {want}")
                summary = next((v for k, v in sheets.items() if k.endswith("收支总表") and "财政拨款" not in k), [])
                total = next((r for r in summary if "收入总计" in r), None)
                want = "10554.51" if name == "new" else "10544.51"
                ok(total is not None and total.count(want) == 2, f"{name} xlsx 收支总表: 收入总计/支出总计 row {total} lacks {want} twice")
            else:
                ok(False, f"{name}: no workbook {base}.xlsx")
            # Word: the same rows in the booklet's tables, and the prose
            if os.path.exists(base + ".docx"):
                drows, dtext = docx_rows(base + ".docx")
                hits = [r for r in drows if "2080199" in r]
                want = "16.00" if name == "new" else "6.00"
                ok(len(hits) >= 3 and all(want in r for r in hits), f"{name} docx: 2080199 rows {hits[:3]} lack {want}")
                for sent_old, sent_new in PROSE:
                    want = sent_old if name == "old" else sent_new
                    ok(want in dtext, f"{name} docx prose: “{want}” missing")
            else:
                ok(False, f"{name}: no booklet {base}.docx")
    finally:
        shutil.rmtree(tmp)
    return tally.report()


if __name__ == "__main__":
    sys.exit(main())

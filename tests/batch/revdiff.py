#!/usr/bin/env python3
"""tests/batch/revdiff.py — `budgetgen diff OLD NEW`, the revision report.

1. The seed-001 sample (input/2023-开发区组织人事局.txt) revised as in tests/budget/revision.py —
   项 2080199 +10.00 万元 and the 一般公共预算 income with it — and one 指标值 (≥70人 → ≥80人):
   the report lists the 项, its 款 and 类 rows and every 合计 in the 收入总表, 支出总表 and
   一般公共预算财政拨款支出表, both 收支总表, the totals, the prose figures, the indicator, each with
   its old and new value and the difference; and nothing that did not move (基本支出 914.98 …).
   Its .xlsx opens with openpyxl: one sheet, columns 部门 项目 内容 原值 新值 变化, numbers as
   numbers, one row per change, set up for A4 (landscape, one page wide, headings repeated).
   diff exits 1 (the versions differ, as diff(1)); the same file against itself exits 0.
2. Two source trees (tests/bench/county.py): a project's amounts changed, a department deleted
   and one added — listed per department, with 删除 and 新增 in words.
3. A source with an error: exit 4, not 1 (which means "different").

Usage: revdiff.py BUDGETGEN      Prints ok/FAIL lines and "N passed, M failed".
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import ok, tally  # noqa: E402  (tests/common.py)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BG = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "budgetgen")
SAMPLE = os.path.join(ROOT, "input", "2023-开发区组织人事局.txt")
EDITS = [
    ("2080199｜其他人力资源和社会保障管理事务支出｜项目｜｜2.00", "2080199｜其他人力资源和社会保障管理事务支出｜项目｜｜12.00"),
    ("一般公共预算：10533.69", "一般公共预算：10543.69"),
    ("产出指标｜数量指标｜军事役前训练人数｜3月份及9月份役前训练人数｜≥70人｜",
     "产出指标｜数量指标｜军事役前训练人数｜3月份及9月份役前训练人数｜≥80人｜"),
]
# (位置 contains, 项目 contains, old, new, difference)
EXPECTED = [
    ("合计", "收入总计", "10544.51", "10554.51", "+10.00"),
    ("合计", "项目支出", "9629.53", "9639.53", "+10.00"),
    ("部门预算收入总表", "2080199", "6.00", "16.00", "+10.00"),
    ("部门预算收入总表", "20801 ", "265.90", "275.90", "+10.00"),
    ("部门预算收入总表", "208 ", "5655.22", "5665.22", "+10.00"),
    ("部门预算收入总表", "合计", "10544.51", "10554.51", "+10.00"),
    ("部门预算支出总表", "2080199", "6.00", "16.00", "+10.00"),
    ("部门预算支出总表", "合计 · 项目支出", "9629.53", "9639.53", "+10.00"),
    ("部门预算一般公共预算财政拨款支出表", "20801 ", "265.90", "275.90", "+10.00"),
    ("部门预算收支总表", "一般公共预算拨款收入", "10533.69", "10543.69", "+10.00"),
    ("部门预算收支总表", "社会保障和就业支出", "5655.22", "5665.22", "+10.00"),
    ("部门预算收支总表", "收入总计", "10544.51", "10554.51", "+10.00"),
    ("部门预算财政拨款收支总表", "支出总计", "10544.51", "10554.51", "+10.00"),
    ("情况说明：总体情况", "预算收入", "10544.51", "10554.51", "+10.00"),
    ("情况说明：总体情况", "一般公共预算收入", "10533.69", "10543.69", "+10.00"),
    ("情况说明：总体情况", "较2022年预算增加", "4723.24", "4733.24", "+10.00"),
    ("项目：武装工作经费", "军事役前训练人数", "≥70人", "≥80人", "+10"),
]
UNMOVED = ["914.98", "858.76", "56.22", "0.50"]

tally.verbose = True  # the batch checks list every check as it runs


def parse(text):
    """(dept, where, item, old, new, diff) per change line of the text report."""
    rows, dept = [], None
    for line in text.splitlines():
        if line.startswith("== "):
            dept = line[3:].split("：")[0]
        elif line.startswith("  ") and "｜" in line:
            where, rest = line[2:].split("｜", 1)
            if rest.startswith("改名 "):  # "改名 A → B"
                old, new = rest[3:].split(" → ")
                rows.append((dept, where, "改名", old, new, ""))
                continue
            item, vals = rest.rsplit("：", 1)
            if " → " not in vals:  # "新增项目：预算数 30.00", "删除（只在原版本中）：path"
                rows.append((dept, where, item, "", vals, ""))
                continue
            diff = ""
            if "（差额 " in vals:
                vals, diff = vals.split("（差额 ")
                diff = diff.rstrip("）")
            old, new = vals.split(" → ")
            rows.append((dept, where, item, old, new, diff))
    return rows


def main():
    tmp = tempfile.mkdtemp(prefix="budgetgen-revdiff.")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.report()


def run(tmp):
    # ---- 1. the seed-001 sample, revised -------------------------------------------------------
    new_dir = os.path.join(tmp, "new")
    shutil.copytree(os.path.dirname(SAMPLE), new_dir)
    text = open(SAMPLE, encoding="utf-8").read()
    for a, b in EDITS:
        ok(a in text, f"the sample has “{a[:30]}…” to revise")
        text = text.replace(a, b)
    revised = os.path.join(new_dir, os.path.basename(SAMPLE))
    open(revised, "w", encoding="utf-8").write(text)
    xlsx = os.path.join(tmp, "对照表.xlsx")
    r = subprocess.run([BG, "diff", "-o", xlsx, SAMPLE, revised], cwd=ROOT, capture_output=True, text=True)
    ok(r.returncode == 1, f"diff exits 1: the versions differ (got {r.returncode})", r.stderr[-500:])
    rows = parse(r.stdout)
    for where, item, old, new, diff in EXPECTED:
        hit = [x for x in rows if where in x[1] and item in x[2] and x[3] == old and x[4] == new]
        ok(hit and hit[0][5] == diff, f"listed: {where} · {item}: {old} → {new} ({diff})",
           "\n".join("  ".join(x[1:]) for x in rows if where in x[1])[:1200])
    moved = [x for x in rows if x[3] in UNMOVED or x[4] in UNMOVED]
    ok(not moved, "figures that did not move are not listed", moved)
    ok(all(x[0] == "开发区组织人事局" for x in rows) and len(rows) >= len(EXPECTED),
       f"{len(rows)} changes, all of 开发区组织人事局")
    try:
        import openpyxl
    except ImportError:
        ok(False, "python3-openpyxl is installed")
        return
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    ok(header == ["部门", "项目", "内容", "原值", "新值", "变化"], f"the workbook's columns: {header}")
    ok(ws.page_setup.paperSize in (9, "9") and ws.page_setup.orientation == "landscape"
       and ws.page_setup.fitToWidth in (None, 1, "1") and ws.page_setup.fitToHeight in (0, "0")
       and ws.print_title_rows == "$1:$1"
       and ws.sheet_properties.pageSetUpPr.fitToPage,
       "the workbook prints on A4 landscape, one page wide, with the headings on every page",
       (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth,
        ws.page_setup.fitToHeight, ws.print_title_rows))
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    ok(len(body) == len(rows), f"the workbook has a row per change ({len(body)} rows, {len(rows)} changes)")
    hit = [b for b in body if b[2] == "收入总计" and b[1] == "合计"]
    ok(hit and hit[0][3] == 10544.51 and hit[0][4] == 10554.51 and abs(hit[0][5] - 10) < 1e-9,
       "the workbook's figures are numbers: 收入总计 10544.51 → 10554.51, 差额 10", hit)

    # ---- 2. two source trees ----------------------------------------------------------------------
    old_tree, new_tree = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    county = os.path.join(ROOT, "tests/bench/county.py")
    subprocess.run([sys.executable, county, old_tree, "--departments", "3", "--projects", "3"], check=True)
    subprocess.run([sys.executable, county, new_tree, "--departments", "4", "--projects", "3"], check=True)
    names = sorted(f for f in os.listdir(new_tree) if f.endswith(".txt"))
    os.remove(os.path.join(new_tree, names[0]))  # deleted; the 4th is new
    second = os.path.join(new_tree, names[1])
    s = open(second, encoding="utf-8").read()
    at = s.index("【项目】")
    import re
    m = re.search(r"预算数：([0-9.]+)\n财政资金：([0-9.]+)", s[at:])
    from decimal import Decimal
    t, f = Decimal(m.group(1)) + Decimal("2.5"), Decimal(m.group(2)) + Decimal("2.5")
    s = s[:at + m.start()] + f"预算数：{t}\n财政资金：{f}" + s[at + m.end():]
    open(second, "w", encoding="utf-8").write(s)
    r = subprocess.run([BG, "diff", old_tree, new_tree], cwd=ROOT, capture_output=True, text=True)
    rows = parse(r.stdout)
    ok(r.returncode == 1 and "比较了 4 个部门" in r.stdout, f"trees: 4 departments compared (exit {r.returncode})",
       r.stdout[-300:] + r.stderr[-300:])
    ok(any(x[1] == "部门" and "删除" in x[2] for x in rows), "trees: the deleted department is listed")
    ok(any(x[1] == "部门" and "新增" in x[2] for x in rows), "trees: the added department is listed")
    hit = [x for x in rows if x[1].startswith("项目：") and x[2] == "预算数"]
    ok(len(hit) == 1 and hit[0][4] == str(t) and hit[0][5] == "+2.50",
       f"trees: the project's 预算数 {m.group(1)} → {t} (+2.50)", hit)
    r = subprocess.run([BG, "diff", old_tree, old_tree], cwd=ROOT, capture_output=True, text=True)
    ok(r.returncode == 0 and "0 个部门有变化" in r.stdout, f"a tree against itself: exit 0 (got {r.returncode})",
       r.stdout[-300:] + r.stderr[-300:])

    # ---- 3. a source with an error ------------------------------------------------------------------
    broken = os.path.join(tmp, "broken.txt")
    open(broken, "w", encoding="utf-8").write(text.replace("一般公共预算：10543.69", "一般公共预算：x"))
    r = subprocess.run([BG, "diff", SAMPLE, broken], cwd=ROOT, capture_output=True, text=True)
    ok(r.returncode == 4 and not r.stdout, f"a source with errors: exit 4, no report (got {r.returncode})",
       r.stderr[-300:])


if __name__ == "__main__":
    sys.exit(main())

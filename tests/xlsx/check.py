#!/usr/bin/env python3
"""Reads the workbooks of `budgetgen build` back with openpyxl and compares them with the model
(`budgetgen dump --json`) and the layouts (layouts/*.layout, fonts/roles.conf):

- the workbook loads; sheet names are unique (ignoring case), at most 31 characters, free of
  : \\ / ? * [ ]; a name shortened to 31 characters ends at a word boundary (before an opening
  bracket, after a closing one, a 、, a year or a word of the forms' vocabulary) with its brackets
  balanced; the sheets come in the PDF booklet's order (each sheet's first line is on a page at or
  after the previous sheet's), 整体绩效目标 right before the project sheets, one per project in
  booklet order (项目 before 公用), titled "N.名称绩效目标表";
- 整体绩效目标 holds every paragraph of the model in order, one paragraph per cell, whole (never
  cut across rows), merged across the sheet's columns and over more than one row only when it is
  taller than Excel's tallest row; headings bold; no page breaks;
- 序号 and 栏次 are numbers: no sheet holds a whole number as text;
- a table sheet that does not fit on one printed page (even scaled down to 6/7) has frozen header
  rows right below its repeated rows, unless they would take more than a third of the page;
- every project sheet, cell by cell: each indicator's 一级/二级/三级/描述/指标值/依据, the goals,
  项目编码/项目名称/资金用途 as text; 预算数/财政资金/其他资金 as numbers with format 0.00 and the
  model's exact value, blank where the model has none; the 资金支出计划 as numbers (value/100)
  with a % format; no cell holds anything else, and no other cell holds a number;
- 一级/二级指标 are merged over exactly the rows of their group, split only where the sheet has
  a page break (the label then shown again); a sheet whose rows fit on one page, scaled down to
  6/7 at most, has no page break and prints on one page; any other has its page breaks below the
  header rows, as many as the per-project PDF has extra pages; the 指标表头 row repeats on every
  printed page;
- every table cell has thin borders on all four sides, wraps and is centred vertically; text in
  the role's family, numbers in the 西文 family (fonts/roles.conf);
- column widths are the PDF's: within the layout's 列宽范围 (its 列宽 where it has none), in
  pixels, adding up to the layout's width, and some sheet of the samples has them fitted; the
  grid's text is between the layout's 最小 and its size (the PDF's size, some smaller than 五号); A4, the layout's orientation and margins, fit to
  one page wide, a page-number footer; the document properties name the department;
- SUM formulas, where there are any, cache the sum of the cells they add.

Usage: check.py BUDGETGEN [SOURCE...]   (default input/*.txt; builds into a temporary directory)
Prints one line per failure and ends with "N passed, M failed".
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
from decimal import Decimal

try:
    import openpyxl
    from openpyxl.utils import get_column_letter, range_boundaries
except ImportError:  # reported as a failure, not a crash
    openpyxl = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import ok, run, safe_name, squash, tally  # noqa: E402,F401  (tests/common.py)


# ---- layouts and fonts, read independently of gen/doc/layouts.c ------------------------------------

# Chinese font size names (号) in points
SIZES = {"初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18, "三号": 16,
         "小三": 15, "四号": 14, "小四": 12, "五号": 10.5, "小五": 9, "六号": 7.5, "小六": 6.5}


def read_layout(name):
    """{'widths': [mm…], 'ranges': [(lo, hi) mm…] or None, 'sizes': (smallest 最小, largest 字号)
    of the cell styles in pt, 'page': '纵向'|'横向'} of layouts/NAME.layout."""
    lay = {"ranges": None}
    sizes, mins = [], []
    with open(os.path.join(ROOT, "layouts", name + ".layout"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"列宽\s*=\s*(.+)", line)
            if m:
                lay["widths"] = [float(x) for x in m.group(1).split()]
            m = re.match(r"列宽范围\s*=\s*(.+)", line)
            if m:
                lay["ranges"] = [tuple(float(v) for v in x.split("-")) for x in m.group(1).split()]
            m = re.match(r"\S+\s*=\s*\S+\s+(\S+)\s+最小\s+(\S+)", line)
            if m and m.group(1) in SIZES and m.group(2) in SIZES:
                sizes.append(SIZES[m.group(1)])
                mins.append(SIZES[m.group(2)])
            m = re.match(r"页面\s*=\s*(\S+)", line)
            if m:
                lay["page"] = m.group(1)
    lay["sizes"] = (min(mins), max(sizes)) if sizes else None
    return lay


def read_margins():
    """{'纵向': (top, right, bottom, left) in mm, …} from document.layout [页面]."""
    out = {}
    with open(os.path.join(ROOT, "layouts", "document.layout"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*(纵向|横向)\s*=\s*A4\s+\S+\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", line)
            if m:
                out[m.group(1)] = tuple(float(m.group(i)) for i in range(2, 6))
    return out


def read_families():
    fam, role = {}, None
    with open(os.path.join(ROOT, "fonts", "roles.conf"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r"\[(.+)\]$", line)
            if m:
                role = m.group(1)
            m = re.match(r"family\s*=\s*(.+)$", line)
            if m and role:
                fam[role] = m.group(1).strip()
    return fam


# ---- a sheet with its merges resolved --------------------------------------------------------------

class Sheet:
    def __init__(self, ws, ws_values):
        self.ws = ws
        self.vals = ws_values  # the same sheet loaded with data_only (cached formula results)
        self.merge = {}        # (row, col) → (r1, c1, r2, c2) of the merged range holding it
        self.ranges = []
        for mr in ws.merged_cells.ranges:
            c1, r1, c2, r2 = range_boundaries(str(mr))
            self.ranges.append((r1, c1, r2, c2))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self.merge[(r, c)] = (r1, c1, r2, c2)

    def origin(self, r, c):
        m = self.merge.get((r, c))
        return (m[0], m[1]) if m else (r, c)

    def value(self, r, c):
        r0, c0 = self.origin(r, c)
        return self.ws.cell(r0, c0).value

    def cell(self, r, c):
        r0, c0 = self.origin(r, c)
        return self.ws.cell(r0, c0)

    def find(self, text, min_row=1):
        for row in self.ws.iter_rows(min_row=min_row):
            for c in row:
                if c.value == text and self.origin(c.row, c.column) == (c.row, c.column):
                    return c.row, c.column
        return None

    def right_of(self, r, c):
        """The cell after the (merged) cell at r, c in its row."""
        m = self.merge.get((r, c))
        return self.cell(r, (m[3] if m else c) + 1)


def is_number(cell):
    return cell.data_type == "n" and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)


def exact(v):
    return Decimal(repr(float(v)))


# ---- one project sheet -------------------------------------------------------------------------

LABELS = {"项目编码", "项目名称", "预算规模及资金用途", "预算数", "其中：财政资金", "其他资金",
          "资金支出计划（%）", "3月底", "6月底", "10月底", "12月底", "绩效目标", "一级指标", "二级指标",
          "三级指标", "绩效指标描述", "指标值", "指标值确定依据"}


def check_amount(where, cell, model_value, cached=None):
    """An amount stored as a number; a total may be a formula (预算数 = SUM(财政资金, 其他资金))
    whose cached result (`cached`, the cell of the data_only workbook) is the number."""
    if model_value is None:
        ok(cell.value is None, f"{where}: expected a blank cell, got {cell.value!r}")
        return
    if cell.data_type == "f" and cached is not None:
        ok(str(cell.value).startswith("=SUM("), f"{where}: formula {cell.value!r} is not a SUM")
        cell = cached
    ok(is_number(cell), f"{where}: {cell.value!r} is not stored as a number")
    if is_number(cell):
        ok(exact(cell.value) == Decimal(model_value), f"{where}: {cell.value!r} ≠ {model_value}")
        # two decimals, more where the source wrote more (a project form prints 20.982 as entered)
        want = "0." + "0" * max(2, -Decimal(str(model_value)).normalize().as_tuple().exponent)
        ok(cell.number_format == want, f"{where}: number format {cell.number_format!r}, expected {want}")


PART_HEADING = re.compile(r"第[一二三四五六七八九十]+部分")


def sheet_title(ws):
    """The table's title: row 1, or row 2 on the first sheet of a part, whose row 1 is the
    part's heading as the booklet prints it (第二部分　预算项目绩效目标)."""
    first = ws.cell(1, 1).value or ""
    if isinstance(first, str) and PART_HEADING.match(first):
        return ws.cell(2, 1).value or ""
    return first


def check_project_sheet(ctx, sh, p, number, pdf_pages):
    ws = sh.ws
    name = ws.title
    full = ctx["variant"] == "完整"
    lay = ctx["layouts"]["project-full" if full else "project-compact"]
    title = sheet_title(ws)
    ok(re.fullmatch(re.escape(str(number)) + r"[.、]" + re.escape(p["name"]) + re.escape(ctx["form"]), title),
       f"{name}: title {title!r}")
    ncols = len(lay["widths"])
    hdr = sh.find("一级指标")
    if not ok(hdr, f"{name}: no 一级指标 header row"):
        return
    h = hdr[0]
    cols = {}
    for label in ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"):
        at = sh.find(label, h)
        ok(at and at[0] == h, f"{name}: header {label} not in row {h}")
        cols[label] = at[1] if at else 1
    keys = {"一级指标": "l1", "二级指标": "l2", "三级指标": "l3", "绩效指标描述": "desc",
            "指标值": "value", "指标值确定依据": "basis"}
    expected = {}  # (row, col) of each origin cell → expected value; None = blank
    inds = p["indicators"]
    for i, ind in enumerate(inds):
        r = h + 1 + i
        for label, col in cols.items():
            got = sh.value(r, col)
            want = ind[keys[label]] or None
            ok(got == want, f"{name} row {r} {label}: {got!r}, model {want!r}")
    last_row = h + len(inds)

    # page breaks: none when the sheet fits on one page (scaled to 6/7 at most), else below the
    # header, as many as the PDF has extra pages
    breaks = sorted(b.id for b in ws.row_breaks.brk)  # a page ends after row id
    ok(all(b >= h + 1 for b in breaks), f"{name}: page break {breaks} above the indicator rows")
    fits = fits_one_page(ws, lay["page"], ctx["margins"])
    ps = ws.page_setup
    if fits is True:
        ok(not breaks and str(ps.fitToHeight) in ("1", "None"),
           f"{name}: fits on one page scaled to 6/7, but has page breaks {breaks} (fit to height {ps.fitToHeight})")
    elif fits is False and pdf_pages:
        ok(len(breaks) == pdf_pages - 1,
           f"{name}: {len(breaks)} page breaks, the per-project PDF has {pdf_pages} pages")
    if breaks:
        check_frozen(ws, name, h, lay["page"], ctx["margins"])
    ok(ws.print_title_rows in (f"{h}:{h}", f"${h}:${h}"),
       f"{name}: print titles {ws.print_title_rows!r}, expected row {h}")

    # 一级/二级 merges: the rows of each group, cut at page breaks, the label in every piece
    for label, key in (("一级指标", ("l1",)), ("二级指标", ("l1", "l2"))):
        col = cols[label]
        want = []
        i = 0
        while i < len(inds):
            j = i
            while j + 1 < len(inds) and all(inds[j + 1][k] == inds[i][k] for k in key):
                j += 1
            a, b = h + 1 + i, h + 1 + j
            start = a
            for brk in breaks + [b]:
                if start <= brk < b or brk == b:
                    end = min(brk, b)
                    if end >= start:
                        want.append((start, end))
                    start = end + 1
                if start > b:
                    break
            i = j + 1
        got = sorted((r1, r2) for (r1, c1, r2, c2) in sh.ranges
                     if c1 == col and c2 == col and h < r1 <= last_row)
        ok(got == sorted(x for x in want if x[1] > x[0]),
           f"{name}: {label} merges {got}, expected {[x for x in want if x[1] > x[0]]}")
        for r1, r2 in want:
            ok(ws.cell(r1, col).value == inds[r1 - h - 1][key[-1]],
               f"{name}: {label} piece rows {r1}-{r2} shows {ws.cell(r1, col).value!r}")

    # the header block: goals, and in the full form the code, name, amounts, use and schedule
    allowed = set(LABELS) | {title}
    numbers = set()
    for ind in inds:
        allowed |= {ind[k] for k in ("l1", "l2", "l3", "desc", "value", "basis")}
    goal_at = [rc for rc in ((r, 1) for r in range(2, h)) if sh.value(*rc) == "绩效目标"]
    goal_rows = sorted({r for r, _ in goal_at})
    got_goals = []
    want_goals = shown_goals(p)
    for r in goal_rows:
        origins = []
        for c in range(2, ncols + 1):
            o = sh.origin(r, c)
            if o not in origins:
                origins.append(o)
        texts = [ws.cell(*o).value for o in origins if ws.cell(*o).value is not None]
        if len(want_goals) > 1 and full:
            ok(texts and texts[0] == f"目标{len(got_goals) + 1}", f"{name} row {r}: goal label {texts[:1]}")
            allowed.add(f"目标{len(got_goals) + 1}")
        got_goals.append(texts[-1] if texts else None)
    ok(got_goals == want_goals, f"{name}: goals {got_goals}, model {want_goals}")
    allowed |= set(want_goals)
    if full:
        at = sh.find("项目编码")
        if ok(at, f"{name}: no 项目编码"):
            ok(sh.right_of(*at).value == (p["code"] or None), f"{name}: 项目编码 {sh.right_of(*at).value!r}")
        at = sh.find("项目名称")
        if ok(at, f"{name}: no 项目名称"):
            ok(sh.right_of(*at).value == p["name"], f"{name}: 项目名称 {sh.right_of(*at).value!r}")
        for label, key in (("预算数", "total"), ("其中：财政资金", "fiscal"), ("其他资金", "other")):
            at = sh.find(label)
            if ok(at, f"{name}: no {label}"):
                cell = sh.right_of(*at)
                cached = sh.vals.cell(cell.row, cell.column) if sh.vals is not None else None
                check_amount(f"{name} {label}", cell, p["budget"][key], cached)
                numbers.add((cell.row, cell.column))
        at = sh.find("预算规模及资金用途")
        if ok(at, f"{name}: no 预算规模及资金用途"):
            use = sh.value(at[0] + 1, at[1] + 1)
            ok(use == (p["use"] or None), f"{name}: 资金用途 {use!r}")
        sched = p["schedule"] or [None] * 4
        for label, pct in zip(("3月底", "6月底", "10月底", "12月底"), sched):
            at = sh.find(label)
            if not ok(at, f"{name}: no {label}"):
                continue
            cell = sh.cell(at[0] + 1, at[1])
            if pct is None:
                ok(cell.value is None, f"{name} {label}: {cell.value!r}, model has none")
                continue
            numbers.add((cell.row, cell.column))
            if ok(is_number(cell), f"{name} {label}: {cell.value!r} is not a number"):
                ok(exact(cell.value) * 100 == Decimal(pct.rstrip("%")),
                   f"{name} {label}: {cell.value!r}, model {pct}")
                ok("%" in cell.number_format, f"{name} {label}: format {cell.number_format!r}")
        allowed |= {p["code"], p["name"], p["use"]}
    allowed.add("单位：万元")
    unit = p.get("unit") or ctx["unit"]  # the project's 编报单位, else the department's
    if unit:
        allowed.add("单位名称：" + unit)
    lead = ws.cell(1, 1).value
    if isinstance(lead, str) and PART_HEADING.match(lead):  # the part's heading above the title
        allowed.add(lead)
    top = 2 if not (isinstance(lead, str) and PART_HEADING.match(lead)) else 3
    if full:  # the caption line under the title
        row2 = {ws.cell(top, c).value for c in range(1, ncols + 1)}
        ok("单位：万元" in row2 and (not unit or "单位名称：" + unit in row2), f"{name}: caption row {row2}")

    # every cell: nothing unexpected, numbers only where the model has them; borders, wrap, fonts
    first_table_row = min([r for r in range(1, h + 1) if any(
        ws.cell(r, c).border.left.style == "thin" for c in range(1, ncols + 1))] or [h])
    fam = ctx["families"]
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=max(ncols, ws.max_column)):
        for c in row:
            if sh.origin(c.row, c.column) != (c.row, c.column):
                continue
            if c.value is not None and (c.row, c.column) not in numbers:
                ok(isinstance(c.value, str) and c.value in allowed,
                   f"{name} {c.coordinate}: unexpected {c.value!r}")
            if c.row >= first_table_row and c.row <= last_row:
                b = c.border
                ok(all(getattr(b, s).style == "thin" for s in ("left", "right", "top", "bottom")),
                   f"{name} {c.coordinate}: borders not closed")
                ok(c.alignment.wrap_text and c.alignment.vertical == "center",
                   f"{name} {c.coordinate}: not wrapped and centred vertically")
                if c.value is not None:
                    want = fam["西文"] if is_number(c) or re.fullmatch(r"[\x20-\x7e]+", str(c.value)) else fam["宋体"]
                    ok(c.font.name == want, f"{name} {c.coordinate}: font {c.font.name!r}, expected {want!r}")
    ok(ws.max_row == last_row, f"{name}: {ws.max_row} rows, the table ends at row {last_row}")

    # the grid's text size: the PDF's (a form that must fit its page is set smaller, down to the
    # layout's 最小, the same in every format)
    if lay["sizes"]:
        lo, hi = lay["sizes"]
        got = {c.font.sz for row in ws.iter_rows(min_row=first_table_row, max_row=last_row, max_col=ncols)
               for c in row if c.value is not None and sh.origin(c.row, c.column) == (c.row, c.column)}
        ok(all(lo <= float(z) <= hi and float(z) * 2 == int(float(z) * 2) for z in got),
           f"{name}: cell sizes {sorted(got)} pt, layout {lo}-{hi} pt in half points")
        if got and min(float(z) for z in got) < hi:
            tally.small_text = getattr(tally, "small_text", 0) + 1

    # columns: the widths the PDF's form has, within the layout's 列宽范围 and adding up to its
    # width (exactly the layout's 列宽 where it has no range), page setup
    px_of = []
    for i in range(ncols):
        w = ws.column_dimensions[get_column_letter(i + 1)].width
        px_of.append(int(((256 * w + int(128 / 7)) / 256) * 7))  # Excel's width → pixels (Calibri 11)
    for i, mm in enumerate(lay["widths"]):
        lo, hi = lay["ranges"][i] if lay["ranges"] else (mm, mm)
        ok(lo * 96 / 25.4 - 1.5 <= px_of[i] <= hi * 96 / 25.4 + 1.5,
           f"{name}: column {i + 1} is {px_of[i]} px, layout {lo}-{hi} mm")
    total = sum(lay["widths"]) * 96 / 25.4
    ok(abs(sum(px_of) - total) <= ncols, f"{name}: columns add up to {sum(px_of)} px, layout {total:.0f} px")
    if any(abs(px - mm * 96 / 25.4) > 1.5 for px, mm in zip(px_of, lay["widths"])):
        tally.fitted = getattr(tally, "fitted", 0) + 1
    ps = ws.page_setup
    ok(str(ps.paperSize) == "9", f"{name}: paper {ps.paperSize}")
    ok(ps.orientation == ("portrait" if lay["page"] == "纵向" else "landscape"), f"{name}: orientation {ps.orientation}")
    tall = ("0",) if breaks else ("1", "None") if fits else ("0", "1", "None")
    ok(ws.sheet_properties.pageSetUpPr.fitToPage and str(ps.fitToWidth) in ("1", "None") and
       str(ps.fitToHeight) in tall,
       f"{name}: not fit to one page wide, {'1 page' if fits else 'any number of pages'} tall "
       f"({ps.fitToWidth}×{ps.fitToHeight})")
    top, right, bottom, left = ctx["margins"][lay["page"]]
    pm = ws.page_margins
    ok(all(abs(a - b / 25.4) < 0.002 for a, b in ((pm.top, top), (pm.right, right), (pm.bottom, bottom), (pm.left, left))),
       f"{name}: margins {pm.top:.3f} {pm.right:.3f} {pm.bottom:.3f} {pm.left:.3f} in")
    ok("&P" in (ws.oddFooter.center.text or "") and "&N" in (ws.oddFooter.center.text or ""),
       f"{name}: footer {ws.oddFooter.center.text!r}")

    check_formulas(sh, name)


A4_PT = {"纵向": 841.89, "横向": 595.28}


def sheet_height(ws):
    return sum((ws.row_dimensions[r].height or 15) for r in range(1, ws.max_row + 1))


def printable(page, margins):
    top, _, bottom, _ = margins[page]
    return A4_PT[page] - (top + bottom) * 72 / 25.4


def fits_one_page(ws, page, margins):
    """True / False whether the sheet's rows fit on one page scaled to 6/7; None within 1 pt of
    the limit (the sheet's heights are rounded)."""
    total, room = sheet_height(ws), printable(page, margins) * 7 / 6
    if abs(total - room) < 1:
        return None
    return total < room


def check_frozen(ws, name, last_header_row, page, margins):
    """A sheet longer than a page: its rows down to the header frozen, unless taller than a
    third of the page."""
    frozen_h = sum((ws.row_dimensions[r].height or 15) for r in range(1, last_header_row + 1))
    want = f"A{last_header_row + 1}" if frozen_h <= printable(page, margins) / 3 + 0.5 else None
    if abs(frozen_h - printable(page, margins) / 3) < 1:
        return
    ok(ws.freeze_panes == want, f"{name}: frozen at {ws.freeze_panes}, expected {want} "
       f"(header rows {frozen_h:.0f} pt, a third of the page {printable(page, margins) / 3:.0f} pt)")
    if want:
        tally.frozen = getattr(tally, "frozen", 0) + 1


NAME_WORDS = ("资金", "经费", "补助", "补贴", "费用", "保险", "工作", "项目", "服务", "管理", "建设", "系统",
              "培训", "活动", "专项", "配套", "基金", "改革", "制度", "单位", "机构", "事务", "支出", "奖励",
              "中心", "人员", "干部", "党员", "居民", "财政", "预算", "信息", "发展", "就业", "养老", "医疗",
              "教育", "保障", "维护", "运行", "救助", "帮扶", "租赁", "设施", "宣传", "党建", "人才", "费", "金")
OPEN, CLOSE = "（(【[《“", "）)】]》”"


def check_short_name(where, sheet, full):
    """A sheet name cut from `full` (forbidden characters as _) ends at a word boundary."""
    full = re.sub(r"[:\\/?*\[\]']", "_", full)
    if len(full) <= 31:
        ok(sheet == full, f"{where}: sheet {sheet!r}, expected the whole name {full!r}")
        return
    ok(full.startswith(sheet) and len(sheet) <= 31, f"{where}: sheet {sheet!r} is not a prefix of {full!r}")
    rest = full[len(sheet):]
    depth = sum(1 if ch in OPEN else -1 if ch in CLOSE else 0 for ch in sheet)
    boundary = (rest[:1] in tuple(OPEN) or sheet[-1] in CLOSE or rest[:1] in ("、", "，") or
                re.search(r"\d年$", sheet) or
                any(sheet.endswith(w) for w in NAME_WORDS) and rest[:1] not in ("用", "额"))
    ok(depth == 0 and boundary and sheet[-1] not in "、，" + OPEN,
       f"{where}: sheet name {sheet!r} cut from {full!r} inside a word or with unbalanced brackets")
    tally.shortened = getattr(tally, "shortened", 0) + 1


def check_formulas(sh, name):
    """SUM formulas cache the sum of the cells they add."""
    for row in sh.ws.iter_rows():
        for c in row:
            if c.data_type != "f":
                continue
            m = re.fullmatch(r"=SUM\(([A-Z0-9,:$]+)\)", str(c.value))
            if not ok(m, f"{name} {c.coordinate}: formula {c.value!r}"):
                continue
            total = Decimal(0)
            for ref in m.group(1).replace("$", "").split(","):
                cells = sh.vals[ref] if ":" in ref else ((sh.vals[ref],),)
                for rr in cells:
                    for v in rr:
                        total += exact(v.value) if isinstance(v.value, (int, float)) else 0
            got = sh.vals[c.coordinate].value
            ok(isinstance(got, (int, float)) and abs(exact(got) - total) < Decimal("0.0000005"),
               f"{name} {c.coordinate}: cached {got!r}, the cells add up to {total}")
            ok(is_number(sh.vals[c.coordinate]), f"{name} {c.coordinate}: cached value is not a number")


# ---- the prose sheet -------------------------------------------------------------------------------

def shown_goals(p):
    """The goal cells of a project table: one per goal, or with 绩效目标栏：一格 (dump's
    "goal_cell") one cell of the goals numbered 1. 2. …, a paragraph each."""
    goals = p["goals"]
    if p.get("goal_cell") == "一格" and len(goals) > 1:
        return ["\n".join(f"{i}.{g}" for i, g in enumerate(goals, 1))]
    return goals


def check_prose(sh, m):
    ws = sh.ws
    cells = [ws.cell(r, 1) for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value]
    text = "".join(c.value for c in cells).replace("\u3000", "")
    ok(not ws.row_breaks.brk, f"整体绩效目标: page breaks {[b.id for b in ws.row_breaks.brk]}")
    ov = m["overall"]
    want = ["一、总体绩效目标"] + ov["summary"] + ["二、分项绩效目标"] + ov.get("intro", [])
    for it in ov["items"]:
        want.append(it["title"])
        # a goal of several paragraphs ("\n" in the model) is one cell per paragraph
        if it.get("goal"):
            want.append("绩效目标：" + it["goal"].replace("\n", ""))
        if it.get("indicators"):
            want.append("绩效指标：" + it["indicators"].replace("\n", ""))
        want += it.get("text") or []
    want += ["三、工作保障措施"] + ov["measures"]
    # one paragraph per cell, whole: after the part's heading, the cells are the paragraphs
    paras = [c.value.replace("\u3000", "") for c in cells]
    numbered = r"(（[一二三四五六七八九十]+）|\d+[.、．])?"
    ok(len(paras) == len(want) + 1 and
       all(re.fullmatch(numbered + re.escape(w.replace("\u3000", "")), a) for a, w in zip(paras[1:], want)),
       f"整体绩效目标: the cells are not the paragraphs one by one: "
       f"{next(((a[:20], b[:20]) for a, b in zip(paras[1:], want) if a != b.replace(chr(0x3000), '')), (len(paras) - 1, len(want)))}")
    ranges = {r1: (r1, c1, r2, c2) for (r1, c1, r2, c2) in sh.ranges}
    for c in cells:
        r1, c1, r2, c2 = ranges.get(c.row, (c.row, 1, c.row, 1))
        ok(c1 == 1 and c2 == ws.max_column and c2 > 1,
           f"整体绩效目标 {c.coordinate}: not merged across the sheet's {ws.max_column} columns")
        tall = sum(ws.row_dimensions[r].height or 15 for r in range(r1, r2 + 1))
        ok(r1 == r2 or tall > 409.5, f"整体绩效目标 rows {r1}-{r2}: merged over rows though {tall} pt fit in one")
        ok(c.alignment.vertical in (None, "top"), f"整体绩效目标 {c.coordinate}: not at the top of its cell")
    pos = 0
    for w in want:
        w = w.replace("\u3000", "")
        i = text.find(w, pos)
        if not ok(i >= 0, f"整体绩效目标: missing or out of order: {w[:30]!r}"):
            continue
        pos = i + len(w)
    for c in cells:
        if re.match(r"(第.部分|[一二三四五六七八九十]、|（[一二三四五六七八九十]+）)", c.value):  # not indented
            ok(c.font.b, f"整体绩效目标 {c.coordinate}: heading {c.value[:12]!r} is not bold")
        ok(c.alignment.wrap_text, f"整体绩效目标 {c.coordinate}: not wrapped")
        ok(ws.row_dimensions[c.row].height and ws.row_dimensions[c.row].height <= 409.5,
           f"整体绩效目标 row {c.row}: height {ws.row_dimensions[c.row].height}")


# ---- a department ------------------------------------------------------------------------------

def check_department(budgetgen, ctx, source, outdir):
    r = run(budgetgen, "dump", "--json", source)
    if not ok(r.returncode == 0, f"dump --json {source} exits {r.returncode}"):
        return
    m = json.loads(r.stdout)
    dept = m["department"]
    ctx = dict(ctx, variant=dept["variant"], unit=dept["unit"], form=dept.get("form_title", "绩效目标表"))
    ddir = os.path.join(outdir, f"{dept['year']}-{safe_name(dept['name'], 150)}")
    path = os.path.join(ddir, f"{dept['year']}年部门预算绩效目标.xlsx")
    if not ok(os.path.isfile(path), f"missing workbook {path}"):
        return
    try:
        wb = openpyxl.load_workbook(path)
        # cached formula results, only needed when there are formulas
        wbv = openpyxl.load_workbook(path, data_only=True) if any(
            c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row) else wb
    except Exception as e:  # noqa: BLE001 — any reader error is the finding
        ok(False, f"{path}: openpyxl cannot load it: {e}")
        return
    ok(True, f"{path} loads")
    names = wb.sheetnames
    ok(len({n.lower() for n in names}) == len(names), f"{path}: duplicate sheet names")
    for n in names:
        ok(len(n) <= 31 and not re.search(r"[:\\/?*\[\]]", n), f"{path}: bad sheet name {n!r}")
    order = [i for i, p in enumerate(m["projects"]) if p["part"] == "项目"] + \
            [i for i, p in enumerate(m["projects"]) if p["part"] != "项目"]
    first_project = next((k for k, n in enumerate(names) if re.match(r"\d+\.", n)), None)
    if m.get("overall"):
        k = names.index("整体绩效目标") if "整体绩效目标" in names else None
        if ok(k is not None, f"{path}: no sheet 整体绩效目标"):
            ok(first_project is None or k == first_project - 1,
               f"{path}: 整体绩效目标 is sheet {k + 1}, the first project sheet is {first_project + 1}")
            check_prose(Sheet(wb.worksheets[k], wbv.worksheets[k]), m)
    check_order(path, wb, os.path.join(ddir, f"{dept['year']}年部门预算绩效目标.pdf"))
    props = wb.properties
    ok(props.creator == dept["name"] and dept["name"] in (props.title or "") and str(dept["year"]) in (props.subject or ""),
       f"{path}: properties {props.creator!r} {props.title!r} {props.subject!r}")
    # the project sheets, "N.名称" (N = the project's number), in booklet order
    at = []
    for i in order:
        p = m["projects"][i]
        k = next((k for k, n in enumerate(names) if n.startswith(f"{i + 1}.") and
                  sheet_title(wb.worksheets[k]).endswith(p["name"] + ctx["form"])), None)
        if not ok(k is not None, f"{path}: no sheet for project {i + 1} {p['name']}"):
            continue
        at.append(k)
        pdf = os.path.join(ddir, "项目", f"{i + 1:02d}-{safe_name(p['name'], 150)}.pdf")
        pages = 0
        if os.path.isfile(pdf):
            r = run("pdfinfo", pdf)
            mm = re.search(r"^Pages:\s+(\d+)", r.stdout, re.M)
            pages = int(mm.group(1)) if mm else 0
        check_project_sheet(ctx, Sheet(wb.worksheets[k], wbv.worksheets[k]), p, i + 1, pages)
        check_short_name(path, names[k], f"{i + 1}.{p['name']}")
    ok(at == sorted(at) and (not at or at[-1] - at[0] == len(at) - 1),
       f"{path}: project sheets not together in booklet order: {at}")
    # every other sheet: amounts stored as numbers, SUM totals equal to what they add
    for k, ws in enumerate(wb.worksheets):
        if k in at:
            continue
        sh = Sheet(ws, wbv.worksheets[k])
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and re.fullmatch(r"-?\d+\.\d\d", c.value):
                    ok(False, f"{path} {ws.title} {c.coordinate}: amount {c.value!r} stored as text")
        check_counters(path, ws)
        check_formulas(sh, f"{path} {ws.title}")
        title = sheet_title(ws)
        if ws.title not in ("整体绩效目标",) and isinstance(title, str) and title.endswith("表"):
            check_short_name(path, ws.title, title)
        if ws.row_breaks.brk and ws.print_title_rows:
            last = int(re.findall(r"\d+", ws.print_title_rows)[-1])
            page = "横向" if ws.page_setup.orientation == "landscape" else "纵向"
            check_frozen(ws, f"{path} {ws.title}", last, page, ctx["margins"])


def check_counters(path, ws):
    """序号 (the column under its header) and 栏次 (the row it starts) hold numbers, not text."""
    label_row = next((c for row in ws.iter_rows(max_row=8) for c in row if c.value == "栏次"), None)
    seq = next((c for row in ws.iter_rows(max_row=6) for c in row if c.value == "序号"), None)
    cells = []
    if label_row:
        cells += [c for c in ws[label_row.row] if c.column > label_row.column]
    if seq:
        cells += [ws.cell(r, seq.column) for r in range(seq.row + 1, ws.max_row + 1)]
    for c in cells:
        if isinstance(c.value, str) and re.fullmatch(r"\d+", c.value):
            ok(False, f"{path} {ws.title} {c.coordinate}: 序号/栏次 {c.value!r} stored as text")
        elif isinstance(c.value, (int, float)):
            tally.counters = getattr(tally, "counters", 0) + 1


def pdf_page_texts(pdf):
    r = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", pdf, "-"], capture_output=True, text=True)
    return [squash(t) for t in r.stdout.split("\f")]


def check_order(path, wb, pdf):
    """The sheets in the PDF booklet's order: the first page (after the contents) showing each
    sheet's first line never goes back."""
    pages = pdf_page_texts(pdf)
    numbered = [i for i, t in enumerate(pages) if re.search(r"—\d+—", t)]
    if not ok(numbered, f"{pdf}: no numbered pages"):
        return
    prev, prev_name = -1, None
    for ws in wb.worksheets:
        first = next((squash(str(ws.cell(r, 1).value)) for r in range(1, 4) if ws.cell(r, 1).value), "")
        at = next((i for i in numbered if first and first in pages[i]), None)
        if not ok(at is not None, f"{path}: sheet {ws.title!r}: its first line {first[:30]!r} is on no page of the PDF"):
            continue
        ok(at >= prev, f"{path}: sheet {ws.title!r} (PDF page {at + 1}) comes after {prev_name!r} (page {prev + 1})")
        prev, prev_name = at, ws.title


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    budgetgen = os.path.abspath(sys.argv[1]) if os.sep in sys.argv[1] else sys.argv[1]
    sources = [os.path.abspath(s) for s in sys.argv[2:]] or sorted(glob.glob(os.path.join(ROOT, "input", "*.txt")))
    if openpyxl is None:
        ok(False, "python3-openpyxl is not installed")
    else:
        ctx = {"layouts": {n: read_layout(n) for n in ("project-full", "project-compact")},
               "margins": read_margins(), "families": read_families()}
        with tempfile.TemporaryDirectory() as out:
            env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
            r = run(budgetgen, "build", "-q", *sources, "-o", out, env=env, cwd=ROOT)
            if ok(r.returncode == 0, f"build exits {r.returncode}: {r.stderr[-400:]}"):
                for s in sources:
                    check_department(budgetgen, ctx, s, out)
                ok(getattr(tally, "frozen", 0) > 0, "no sheet of the samples has frozen header rows")
                ok(getattr(tally, "shortened", 0) > 0, "no sheet name of the samples was shortened")
                ok(getattr(tally, "counters", 0) > 0, "no 序号/栏次 number in the samples' sheets")
                # the samples have forms the PDF sets with fitted columns and at 小五
                ok(getattr(tally, "fitted", 0) > 0, "no project sheet of the samples has fitted columns")
                ok(getattr(tally, "small_text", 0) > 0, "no project sheet of the samples is set smaller than 五号")
    return tally.report()


if __name__ == "__main__":
    sys.exit(main())

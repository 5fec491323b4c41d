#!/usr/bin/env python3
"""Reads the Word booklets of `budgetgen build` back with python-docx (python3-docx, which nobody
here wrote) and compares them with the model (`budgetgen dump --json`):

- python-docx opens every booklet;
- every 项目绩效目标表 is found after its title, in the booklet's order (项目, then 公用), and
  each of its rows, read cell by cell with python-docx's own reading of w:gridSpan and w:vMerge
  (`table.rows[r].cells`: a merged cell is the same cell in every grid position it covers), has
  the texts the model gives: 项目编码/名称, amounts with two decimals rounded half-up, 资金用途,
  the 资金支出计划, the goals, the header row and every indicator row, including the merged
  一级/二级指标 labels, the 预算规模及资金用途 / 资金支出计划（%） / 绩效目标 labels;
- the merges are real: an 一级/二级 label equal to the one above is the same merged cell, a
  different one is a new cell — except in a row where the PDF booklet starts a new page inside
  the group (`budgetgen dump --pages`): there the merge is split and the label stated again, so
  that the page shows which group its rows belong to;
- the header row 一级指标 | 二级指标 | … is the first row of its w:tbl and marked w:tblHeader
  (Word repeats it on every page), every row is w:cantSplit, the grid is w:tblLayout fixed;
- each form has the PDF's columns and text size: its columns within the layout's 列宽范围,
  adding up to the layout's width, its cells' text between the layout's 最小 and its size; some
  forms of the samples fitted (other widths than 列宽, text smaller than 五号), as in the PDF;
- the table of contents: every entry has a page number, the same as in the PDF booklet's own
  table of contents, and links to a bookmark that exists; the page the PDF prints that number
  on (— N —) shows the paragraph the bookmark is in (the heading, or for a heading that is not
  printed, the title of the table it stands for);
- the entries are the cached result of one TOC field (begin, instruction TOC \\o "1-N" \\h \\z \\u,
  separate, the entries, end), and they are exactly the paragraphs after the contents whose
  outline level (the paragraph's, else its style's) is 1 to N, in order — what Word's "Update
  table" lists; the outline nests without gaps (the navigation pane): each heading is at most one
  level below the one before it, a full booklet's nine tables sit under 部门预算公开表, and a
  table title is never at level 1 unless its heading is.

Usage: check.py BUDGETGEN OUTDIR SOURCE...   (OUTDIR is the -o directory of a build of SOURCEs)
Prints one line per failure and ends with "N passed, M failed".
"""
import json
import os
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

import docx
from docx.oxml.ns import qn
from docx.table import Table

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import entered, ok, run, safe_name, squash, tally  # noqa: E402,F401  (tests/common.py)


def amount(v):
    if v is None:
        return ""
    return str(Decimal(v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def xml_text(el):
    """Text of a paragraph or cell as Word shows it: w:t, w:tab as a tab, w:br as a line feed."""
    out = []
    for node in el.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        if node.tag == qn("w:t"):
            out.append(node.text or "")
        elif node.tag == qn("w:tab"):
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def cell_text(tc):
    """Text of a table cell: its paragraphs (one w:p per paragraph of a cell of several, as the
    model's "\n") joined with line feeds."""
    return "\n".join(xml_text(p) for p in tc.iter(qn("w:p")))


# ---- the model's forms ------------------------------------------------------------------------

HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


def expected_rows(p, full):
    """The logical rows of a project's form: per row, the text of each distinct cell."""
    rows = []
    goals = p["goals"]
    if p.get("goal_cell") == "一格" and len(goals) > 1:  # one cell, numbered 1. 2. …
        goals = ["\n".join("%d.%s" % (i + 1, g) for i, g in enumerate(goals))]
    if full:
        b = p["budget"]
        sched = p["schedule"] or ["", "", "", ""]
        rows += [["项目编码", p["code"] or "", "项目名称", p["name"]],
                 ["预算规模及资金用途", "预算数", entered(b["total"]), "其中：财政资金",
                  entered(b["fiscal"]), "其他资金", entered(b["other"])],
                 ["预算规模及资金用途", p["use"] or ""],
                 ["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"],
                 ["资金支出计划（%）"] + sched]
        if len(goals) == 1:
            rows.append(["绩效目标", goals[0]])
        else:
            rows += [["绩效目标", "目标%d" % (i + 1), g] for i, g in enumerate(goals)]
    else:
        rows += [["绩效目标", g] for g in goals]
    rows.append(HEADER)
    for ind in p["indicators"]:
        rows.append([ind["l1"], ind["l2"], ind["l3"], ind["desc"], ind["value"], ind["basis"]])
    return rows


def booklet_order(model):
    projects = model["projects"]
    return [p for p in projects if p["part"] == "项目"] + [p for p in projects if p["part"] != "项目"]


# ---- reading the document ---------------------------------------------------------------------

def body_blocks(document):
    """('p', element) and ('tbl', Table) in document order."""
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield "p", child
        elif child.tag == qn("w:tbl"):
            yield "tbl", Table(child, document)


def forms(document, form="绩效目标表"):
    """[(title, [Table, …])]: the tables that follow each paragraph ending in the form's title
    (绩效目标表, or the department's 项目表题), up to the next paragraph with text (the empty joining
    paragraph between parts is skipped)."""
    out, cur = [], None
    for kind, b in body_blocks(document):
        if kind == "p":
            text = xml_text(b)
            if text.strip().endswith(form):
                cur = (text.strip(), [])
                out.append(cur)
            elif text.strip() and cur and cur[1]:
                cur = None
        elif cur is not None:
            cur[1].append(b)
    return out


def logical_rows(tables):
    """Rows of the tables in order, as python-docx reads them: (texts of the distinct cells,
    the _tc objects per grid column, the w:tr)."""
    rows = []
    for t in tables:
        for r, row in enumerate(t.rows):
            cells = row.cells  # one per grid column; merged positions share the cell
            texts, seen = [], []
            for c in cells:
                if seen and seen[-1] is c._tc:
                    continue
                seen.append(c._tc)
                texts.append(cell_text(c._tc))
            rows.append((texts, [c._tc for c in cells], row._tr, r))
    return rows


def pdf_breaks(budgetgen, src):
    """{table title: [rows that start a continuation page in the PDF booklet]}."""
    r = subprocess.run([budgetgen, "dump", "--pages", src], capture_output=True, text=True)
    out = {}
    for m in re.finditer(r'^\s*table "(.*)" rows (\d+)-(\d+)', r.stdout, re.M):
        rows = out.setdefault(m.group(1), [])
        rows.append(int(m.group(2)))
    return {t: rows[1:] for t, rows in out.items()}


def check_form(where, p, full, tables, breaks=()):
    exp = expected_rows(p, full)
    got = logical_rows(tables)
    if not ok(len(got) == len(exp), f"{where}: {len(got)} rows, the model has {len(exp)}"):
        return
    for i, ((texts, _, _, _), e) in enumerate(zip(got, exp)):
        ok(texts == e, f"{where}: row {i + 1} is {texts}, the model gives {e}")
    # the indicator header row: first row of its table, repeated by Word
    h = exp.index(HEADER)
    texts, tcs, tr, r = got[h]
    trpr = tr.find(qn("w:trPr"))
    ok(r == 0 and trpr is not None and trpr.find(qn("w:tblHeader")) is not None,
       f"{where}: the row 一级指标 | 二级指标 … is row {r + 1} of its table, marked tblHeader: "
       f"{trpr is not None and trpr.find(qn('w:tblHeader')) is not None}")
    # merges of 一级/二级: same cell exactly when the text repeats the row above, except where
    # the PDF starts a page: there the label is stated again in a cell of its own
    for i in range(h + 2, len(exp)):
        for col in (0, 1):
            same = got[i][1][col] is got[i - 1][1][col]
            want = exp[i][col] == exp[i - 1][col] and i not in breaks
            ok(same == want, f"{where}: row {i + 1} column {col + 1} “{exp[i][col]}” "
               f"{'merged with' if same else 'separate from'} the row above"
               f"{' (the PDF starts a page here)' if i in breaks else ''}")
            if i in breaks:
                ok(got[i][0][col] == exp[i][col] if col < len(got[i][0]) else False,
                   f"{where}: row {i + 1} starts a page: column {col + 1} shows "
                   f"{got[i][0][col] if col < len(got[i][0]) else None!r}, not the label “{exp[i][col]}”")
                ok_restated[0] += 1
    # the labels spanning two rows (full variant) and the 绩效目标 label of several goals
    if full:
        ok(got[1][1][0] is got[2][1][0], f"{where}: 预算规模及资金用途 spans two rows")
        ok(got[3][1][0] is got[4][1][0], f"{where}: 资金支出计划（%） spans two rows")
    goal_rows = [i for i in range(h) if exp[i][0] == "绩效目标"]
    for a, b in zip(goal_rows, goal_rows[1:]):
        ok(got[a][1][0] is got[b][1][0], f"{where}: 绩效目标 label merged over the goals")
    for t in tables:
        tblpr = t._tbl.tblPr
        layout = tblpr.find(qn("w:tblLayout"))
        ok(layout is not None and layout.get(qn("w:type")) == "fixed", f"{where}: tblLayout fixed")
        for tr in t._tbl.tr_lst:
            trpr = tr.find(qn("w:trPr"))
            if not ok(trpr is not None and trpr.find(qn("w:cantSplit")) is not None,
                      f"{where}: a row without cantSplit"):
                break


ok_restated = [0]  # labels stated again at a page the PDF starts inside their group
fitted = {"widths": 0, "small": 0}  # forms set with fitted columns / smaller than the layout's size

SIZES = {"四号": 14, "小四": 12, "五号": 10.5, "小五": 9, "六号": 7.5, "小六": 6.5}


def read_layout(name):
    """(列宽 [mm…], 列宽范围 [(lo, hi)…] or None, (smallest 最小, largest size) of the cell
    styles in pt or None) of layouts/NAME.layout."""
    widths, ranges, sizes, mins = [], None, [], []
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "layouts",
                           name + ".layout"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"列宽\s*=\s*(.+)", line)
            if m:
                widths = [float(x) for x in m.group(1).split()]
            m = re.match(r"列宽范围\s*=\s*(.+)", line)
            if m:
                ranges = [tuple(float(v) for v in x.split("-")) for x in m.group(1).split()]
            m = re.match(r"\S+\s*=\s*\S+\s+(\S+)\s+最小\s+(\S+)", line)
            if m and m.group(1) in SIZES and m.group(2) in SIZES:
                sizes.append(SIZES[m.group(1)])
                mins.append(SIZES[m.group(2)])
    return widths, ranges, (min(mins), max(sizes)) if sizes else None


def style_sizes(document):
    """{styleId: w:sz in points} of the document's paragraph styles."""
    out = {}
    for st in document.styles.element.findall(qn("w:style")):
        sz = st.find(qn("w:rPr") + "/" + qn("w:sz"))
        if sz is not None:
            out[st.get(qn("w:styleId"))] = int(sz.get(qn("w:val"))) / 2
    return out


def check_fit(where, layout, sizes, tables):
    """The form's columns and text size are the PDF's: every w:tbl of the form has the same grid,
    its columns within the layout's 列宽范围 (its 列宽 where it has none) adding up to the
    layout's width; the text of its cells between the layout's 最小 and its size."""
    widths, ranges, span = layout
    grids = [[int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.findall(qn("w:gridCol"))] for t in tables]
    ok(all(g == grids[0] for g in grids), f"{where}: its tables have different grids {grids}")
    grid = grids[0]
    if not ok(len(grid) == len(widths), f"{where}: {len(grid)} columns, the layout has {len(widths)}"):
        return
    for i, tw in enumerate(grid):
        lo, hi = ranges[i] if ranges else (widths[i], widths[i])
        ok(lo * 1440 / 25.4 - 2 <= tw <= hi * 1440 / 25.4 + 2,
           f"{where}: column {i + 1} is {tw / 1440 * 25.4:.2f} mm, layout {lo}-{hi} mm")
    ok(abs(sum(grid) - sum(widths) * 1440 / 25.4) <= len(grid),
       f"{where}: columns add up to {sum(grid) / 1440 * 25.4:.2f} mm, layout {sum(widths)} mm")
    if any(abs(tw - mm * 1440 / 25.4) > 2 for tw, mm in zip(grid, widths)):
        fitted["widths"] += 1
    if not span:
        return
    got = set()
    for t in tables:
        for p in t._tbl.iter(qn("w:p")):
            if not "".join(x.text or "" for x in p.iter(qn("w:t"))):
                continue
            ps = p.find(qn("w:pPr") + "/" + qn("w:pStyle"))
            got.add(sizes.get(ps.get(qn("w:val")) if ps is not None else None))
    ok(all(z is not None and span[0] <= z <= span[1] for z in got),
       f"{where}: cell text at {sorted(got, key=str)} pt, layout {span[0]}-{span[1]} pt")
    if any(z is not None and z < span[1] for z in got):
        fitted["small"] += 1


# ---- outline and the TOC field ---------------------------------------------------------------------

def style_levels(document):
    """styleId → outline level 1–9 (0: body text) through w:basedOn."""
    styles = {}
    for st in document.styles.element.iter(qn("w:style")):
        sid = st.get(qn("w:styleId"))
        lvl = st.find(qn("w:pPr") + "/" + qn("w:outlineLvl"))
        based = st.find(qn("w:basedOn"))
        styles[sid] = (None if lvl is None else int(lvl.get(qn("w:val"))),
                       None if based is None else based.get(qn("w:val")))
    out = {}
    for sid in styles:
        seen, at = set(), sid
        while at in styles and at not in seen:
            seen.add(at)
            if styles[at][0] is not None:
                break
            at = styles[at][1]
        v = styles[at][0] if at in styles else None
        out[sid] = 0 if v is None or v >= 9 else v + 1
    return out


def outline(document):
    """[(level, text, hidden)] of the body's top-level paragraphs with an outline level."""
    levels = style_levels(document)
    default = next((st.get(qn("w:styleId")) for st in document.styles.element.iter(qn("w:style"))
                    if st.get(qn("w:type")) == "paragraph" and st.get(qn("w:default")) in ("1", "true")), None)
    out = []
    for p in document.element.body.iterchildren(qn("w:p")):
        ppr = p.find(qn("w:pPr"))
        lvl = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if lvl is not None:
            v = int(lvl.get(qn("w:val")))
            level = 0 if v >= 9 else v + 1
        else:
            ps = ppr.find(qn("w:pStyle")) if ppr is not None else None
            level = levels.get(ps.get(qn("w:val")) if ps is not None else default, 0)
        if level:
            hidden = ppr is not None and ppr.find(qn("w:rPr") + "/" + qn("w:vanish")) is not None
            out.append((level, xml_text(p), hidden, p))
    return out


def check_outline(where, document, entries, full, table_titles):
    """The TOC field around the entries, and the outline Word's update and navigation pane use."""
    body = document.element.body
    instr = "".join(t.text or "" for t in body.iter(qn("w:instrText")) if "TOC" in (t.text or ""))
    m = re.search(r'TOC\s+\\o\s+"1-(\d)"', instr)
    if not ok(m and all(sw in instr for sw in ("\\h", "\\z", "\\u")),
              f"{where}: no TOC field with \\o \"1-N\" \\h \\z \\u (instruction {instr!r})"):
        return
    n = int(m.group(1))
    # begin … separate … entries … end, in document order
    kinds = []
    for el in body.iter(qn("w:fldChar"), qn("w:instrText"), qn("w:hyperlink")):
        if el.tag == qn("w:fldChar"):
            kinds.append(el.get(qn("w:fldCharType")))
        elif el.tag == qn("w:instrText"):
            kinds.append("TOC" if "TOC" in (el.text or "") else "instr")
        elif (el.get(qn("w:anchor")) or "").startswith("_Toc"):
            kinds.append("entry")
    at = kinds.index("TOC")
    ok(at > 0 and kinds[at - 1] == "begin" and kinds[at + 1] == "separate",
       f"{where}: the TOC instruction is not between begin and separate")
    # the TOC field's end: the first end after its separator not closing a nested PAGEREF
    depth, end = 0, None
    for k in range(at + 2, len(kinds)):
        if kinds[k] == "begin":
            depth += 1
        elif kinds[k] == "end":
            if depth == 0:
                end = k
                break
            depth -= 1
    entry_at = [k for k, x in enumerate(kinds) if x == "entry"]
    ok(end is not None and entry_at and at < entry_at[0] and entry_at[-1] < end,
       f"{where}: the TOC entries are not the field's cached result (begin … separate … end)")
    # what Word's update lists: the paragraphs after the contents with outline level 1..n
    heads = outline(document)
    toc_titles = [squash(t) for t, _, _ in entries]
    listed = [squash(t) for lvl, t, _, p in heads if lvl <= n]
    ok(listed == toc_titles, f"{where}: Word's update would list {len(listed)} headings "
       f"{listed[:3]}…, the cached contents have {len(toc_titles)} {toc_titles[:3]}…")
    # the navigation pane: no level skipped going down
    prev = 0
    for lvl, t, hidden, _ in heads:
        ok(lvl <= prev + 1, f"{where}: “{t}” at level {lvl} right after level {prev}")
        prev = lvl
    titles = {squash(t) for t in table_titles}
    for lvl, t, hidden, _ in heads:
        if squash(t) in titles:
            ok(lvl >= 2 or not full, f"{where}: table title “{t}” at the top level")
    if full:
        k = next((i for i, (_, t, _, _) in enumerate(heads) if t == "部门预算公开表"), None)
        if ok(k is not None, f"{where}: no 部门预算公开表 in the outline"):
            ok(heads[k][0] == 1 and heads[k][2], f"{where}: 部门预算公开表 is level {heads[k][0]}, hidden {heads[k][2]}")
            nine = heads[k + 1:k + 10]
            ok(len(nine) == 9 and all(lvl == 2 and t.startswith("部门预算") and t.endswith("表")
                                      for lvl, t, _, _ in nine),
               f"{where}: the nine tables under 部门预算公开表: {[(l, t) for l, t, _, _ in nine]}")


# ---- table of contents --------------------------------------------------------------------------

def toc_entries(document):
    """[(title, page text, anchor)] of the hyperlinked entries."""
    out = []
    for p in document.element.body.iter(qn("w:p")):
        for h in p.findall(qn("w:hyperlink")):
            anchor = h.get(qn("w:anchor")) or ""
            if not anchor.startswith("_Toc"):
                continue
            title, _, page = xml_text(h).partition("\t")
            out.append((title, page, anchor))
    return out


def pdf_pages(path):
    r = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", path, "-"], capture_output=True,
                       text=True)
    pages = {}
    for text in r.stdout.split("\f"):
        labels = re.findall(r"—\s*(\d+)\s*—", text)
        if labels:
            pages[labels[-1]] = squash(text)
    return pages


def bookmarked_texts(document):
    """Bookmark name → the text of the paragraph it is in (a hidden heading's bookmark sits on
    the title of the table it stands for)."""
    out = {}
    for p in document.element.body.iter(qn("w:p")):
        for b in p.iter(qn("w:bookmarkStart")):
            out[b.get(qn("w:name"))] = xml_text(p)
    return out


def pdf_toc_text(path):
    """The squashed text of the PDF's table of contents: the unnumbered pages with dot leaders."""
    r = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", path, "-"], capture_output=True,
                       text=True)
    return "".join(squash(t) for t in r.stdout.split("\f")
                   if "··" in t and not re.search(r"—\s*\d+\s*—", t))


def check_toc(where, document, pdf):
    entries = toc_entries(document)
    ok(len(entries) > 0, f"{where}: no table of contents entries")
    marks = bookmarked_texts(document)
    pages = pdf_pages(pdf)
    toc = pdf_toc_text(pdf)
    pattern = ""
    for title, page, anchor in entries:
        if not ok(anchor in marks, f"{where}: TOC entry “{title}” links to a missing bookmark {anchor}"):
            continue
        if not ok(page.isdigit(), f"{where}: TOC entry “{title}” has no page number ({page!r})"):
            continue
        # the PDF's own table of contents has the same entries up to here, with the same numbers
        # (matched as one sequence: a number runs into the next entry's digits, "51.考核…")
        pattern += re.escape(squash(title)) + "·*" + page
        if not ok(re.search(pattern, toc) is not None,
                  f"{where}: TOC entry “{title}” … {page} is not in the PDF's table of contents"):
            pattern = ""
        # the page printed with that number shows what the entry links to
        target = squash(marks[anchor])
        ok(target and target in pages.get(page, ""),
           f"{where}: TOC entry “{title}” says page {page}; the PDF's page — {page} — does not show "
           f"“{marks[anchor]}”")


# ---- driver -----------------------------------------------------------------------------------------

def main():
    budgetgen, outdir, sources = sys.argv[1], sys.argv[2], sys.argv[3:]
    for src in sources:
        r = subprocess.run([budgetgen, "dump", "--json", src], capture_output=True, text=True)
        if not ok(r.returncode == 0, f"{src}: dump --json failed: {r.stderr[-300:]}"):
            continue
        model = json.loads(r.stdout)
        dept = model["department"]
        d = os.path.join(outdir, "%d-%s" % (dept["year"], safe_name(dept["name"], 150)))
        path = os.path.join(d, "%d年部门预算绩效目标.docx" % dept["year"])
        pdf = os.path.join(d, "%d年部门预算绩效目标.pdf" % dept["year"])
        where = os.path.basename(path)
        try:
            document = docx.Document(path)
        except Exception as e:  # noqa: BLE001 — any failure to open is the finding
            ok(False, f"{path}: python-docx cannot open it: {e}")
            continue
        ok(True, "opened")
        full = dept["variant"] != "简明"
        breaks = pdf_breaks(budgetgen, src)
        form = dept.get("form_title", "绩效目标表")
        found = forms(document, form)
        order = booklet_order(model)
        ok(len(found) == len(order), f"{where}: {len(found)} project tables, the model has {len(order)}")
        layout = read_layout("project-full" if full else "project-compact")
        sizes = style_sizes(document)
        for n, ((title, tables), p) in enumerate(zip(found, order), 1):
            if tables:
                check_fit(f"{where} “{p['name']}”", layout, sizes, tables)
            sep = "." if full else "、"
            ok(title == f"{n}{sep}{p['name']}{form}",
               f"{where}: table {n} is titled “{title}”, expected “{n}{sep}{p['name']}{form}”")
            check_form(f"{where} “{p['name']}”", p, full, tables, breaks.get(title, ()))
        check_toc(where, document, pdf)
        r = subprocess.run([budgetgen, "dump", "--tables", src], capture_output=True, text=True)
        titles = [t["title"] for t in json.loads(r.stdout)["tables"]] if r.returncode == 0 else []
        check_outline(where, document, toc_entries(document), any(t == "部门预算公开表" for t, _, _ in toc_entries(document)), titles)
    ok(ok_restated[0] > 0, "no 一级/二级 label stated again at a page break: the samples should have some")
    ok(fitted["widths"] > 0, "no form of the samples has fitted columns: the PDF has some")
    ok(fitted["small"] > 0, "no form of the samples is set smaller than 五号: the PDF has some")
    sys.exit(tally.report())


if __name__ == "__main__":
    main()

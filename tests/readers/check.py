#!/usr/bin/env python3
"""tests/readers/check.py — fills the gaps the per-format checks leave, so that every file a build
of the samples writes is read back by tools nobody here wrote:

- inventory: every file under the output directory is one the other checks read — per
  department the booklet .pdf (tests/pdf), .xlsx (tests/xlsx) and .docx (tests/docx), and
  项目/NN-名称.pdf per project (tests/pdf) — and nothing else is written (no temporary file, no
  output kind nobody checks);
- every table of every booklet, cell by cell, in the workbook (python3-openpyxl) and in the Word
  file (python3-docx) against the document's tables as budgetgen composes them
  (`budgetgen dump --tables`): tests/xlsx and tests/docx read the project forms and the
  prose, this adds the nine 部门预算公开表, the 采购/资产/机构 tables and whatever table comes
  next. A number in the workbook must equal the printed figure (0.00, or a percentage); a cell
  covered by a merge is empty, or repeats the label above it where a page break splits the merge;
  each table's columns are as wide in the Word file as in the workbook (both the PDF's: a form's
  columns as paginate fitted them), and its w:tbl share one grid;
- every part of every .xlsx and .docx parses as XML (Python's expat), and the parts the jing
  runs of tests/xlsx and tests/docx leave out are validated too where the ISO/IEC 29500 schemas
  of ../shared/ooxml-schemas or $OOXML_SCHEMAS have one (the workbook's docProps/app.xml and
  theme; skipped on a plain clone, which has no schemas, see tests/common.py); the package
  parts without a schema there ([Content_Types].xml, the relationships, docProps/core.xml) are
  checked for their root element and, for relationships, that every internal target exists.

Usage: check.py BUDGETGEN [SOURCE...]   (default input/*.txt; builds into a temporary directory)
Prints one line per failure and ends with "N passed, M failed".
"""
import glob
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import (booklet_path, department_dir, ok, project_pdf_path, run, shared_data,  # noqa: E402
                    tally)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMAS, SKIP_SCHEMAS = shared_data("OOXML_SCHEMAS")

try:
    import openpyxl
    import openpyxl.utils
except ImportError:
    openpyxl = None
try:
    import docx
    from docx.oxml.ns import qn
except ImportError:
    docx = None


def norm(s):
    return re.sub(r"\s+", "", "" if s is None else str(s))


def number_matches(value, text):
    """A workbook number against the printed text: 1234.50 or 25%."""
    t = text.replace(",", "")
    try:
        if t.endswith("%"):
            return abs(Decimal(repr(float(value))) * 100 - Decimal(t[:-1])) < Decimal("0.005")
        return abs(Decimal(repr(float(value))) - Decimal(t)) < Decimal("0.005")
    except (InvalidOperation, ValueError):
        return False


def cell_matches(got, want, above, left):
    """got: the reader's value; want: dump --tables' text ("" for empty or covered)."""
    if isinstance(got, (int, float)) and not isinstance(got, bool):
        return want != "" and number_matches(got, want)
    g = norm(got)
    if want == "":
        return g == "" or g == norm(above) or g == norm(left)
    return g == norm(want)


def first_mismatch(rows_got, rows_want, where):
    """Compares two grids row by row; returns None or a description."""
    if len(rows_got) != len(rows_want):
        return f"{where}: {len(rows_got)} rows, the document has {len(rows_want)}"
    for r, (got, want) in enumerate(zip(rows_got, rows_want)):
        for c, w in enumerate(want):
            g = got[c] if c < len(got) else None
            above = next((rows_got[k][c] for k in range(r - 1, -1, -1)
                          if c < len(rows_got[k]) and norm(rows_got[k][c])), None)
            left = got[c - 1] if c > 0 and c - 1 < len(got) else None
            if not cell_matches(g, w, above, left):
                return f"{where}: row {r + 1} column {c + 1}: {str(g)[:40]!r}, the document has {w[:40]!r}"
        extra = [g for g in got[len(want):] if norm(g)]
        if extra:
            return f"{where}: row {r + 1} has cells beyond the grid: {extra[:2]!r}"
    return None


# ---- the workbook ------------------------------------------------------------------------------------

def sheet_grid(ws, wsv, table):
    """The table's rows in the sheet: from the row that starts like its first row, as many rows
    as it has, values from the cached-result copy for formulas."""
    want0 = [norm(x) for x in table["rows"][0]] if table["rows"] else []
    start = None
    for r in range(1, min(ws.max_row, 6) + 1):
        vals = [norm(ws.cell(r, c + 1).value) for c in range(len(want0))]
        if vals and vals == want0:
            start = r
            break
    if start is None:
        return None
    n = len(table["rows"])
    width = max((len(row) for row in table["rows"]), default=0)
    grid = []
    for r in range(start, start + n):
        row = []
        for c in range(1, max(width, ws.max_column) + 1):
            v = ws.cell(r, c).value
            if isinstance(v, str) and v.startswith("="):
                v = wsv.cell(r, c).value
            row.append(v)
        grid.append(row)
    return grid


def column_pixels(ws, n):
    """The pixel widths of the sheet's first n columns (Excel's width → pixels, Calibri 11)."""
    out = []
    for c in range(1, n + 1):
        w = ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width
        out.append(int(((256 * w + int(128 / 7)) / 256) * 7))
    return out


def check_workbook(path, tables, widths=None):
    """widths, if given, receives {table index: its columns in pixels}."""
    if not ok(openpyxl is not None, "python3-openpyxl is not installed"):
        return
    try:
        wb = openpyxl.load_workbook(path)
        wbv = openpyxl.load_workbook(path, data_only=True)
    except Exception as e:  # noqa: BLE001 — any reader error is the finding
        ok(False, f"{path}: openpyxl cannot load it: {e}")
        return
    # the tables' sheets in the document's order, with the prose sheets (整体绩效目标, 情况说明) where
    # the booklet has that text: at most two sheets are not a table's
    nprose = len(wb.worksheets) - len(tables)
    if not ok(0 <= nprose <= 2, f"{path}: {len(wb.worksheets)} sheets for {len(tables)} tables"):
        return
    at, skipped = 0, 0
    for k, t in enumerate(tables):
        grid = None
        while at < len(wb.worksheets):
            ws = wb.worksheets[at]
            grid = sheet_grid(ws, wbv.worksheets[at], t)
            at += 1
            if grid is not None or skipped == nprose:
                break
            skipped += 1
        where = f"{os.path.basename(path)} sheet {ws.title!r} (table {k + 1} {t['title'][:30]!r})"
        if not ok(grid is not None, f"{where}: the table's first row is not in the sheet's first rows"):
            continue
        problem = first_mismatch(grid, t["rows"], where)
        ok(problem is None, problem or "")
        if widths is not None:
            widths[k] = column_pixels(ws, max((len(row) for row in t["rows"]), default=0))


# ---- the Word file -------------------------------------------------------------------------------------

def word_grids(d, tables):
    """{table index: its w:gridCol widths in twips}: the document's tables take the Word file's
    w:tbl in order, as many as hold their rows (a form is two w:tbl with one grid)."""
    out, at, left = {}, -1, 0
    for wt in d.tables:
        while left <= 0 and at + 1 < len(tables):
            at += 1
            left = len(tables[at]["rows"])
        grid = [int(g.get(qn("w:w"))) for g in wt._tbl.tblGrid.findall(qn("w:gridCol"))]
        if at in out and out[at] != grid:
            ok(False, f"table {at + 1} {tables[at]['title'][:30]!r}: its w:tbl have grids {out[at]} and {grid}")
        out.setdefault(at, grid)
        left -= len(wt.rows)
    return out


def check_word(path, tables, widths=None):
    """widths: {table index: columns in pixels} of the workbook, which the Word file's columns
    must equal (both as the PDF sets the table: a form's columns fitted to its content)."""
    if not ok(docx is not None, "python3-docx is not installed"):
        return
    try:
        d = docx.Document(path)
    except Exception as e:  # noqa: BLE001
        ok(False, f"{path}: python-docx cannot open it: {e}")
        return
    # a form may be written as two w:tbl (Word repeats rows only at a table's top): the tables'
    # rows, concatenated, are the document's tables' rows, concatenated
    for k, grid in word_grids(d, tables).items() if widths else ():
        px = widths.get(k)
        if px is not None:
            ok(len(px) == len(grid) and all(abs(p - tw / 15) <= 1.5 for p, tw in zip(px, grid)),
               f"{os.path.basename(path)} table {k + 1} {tables[k]['title'][:30]!r}: columns "
               f"{[round(tw / 15, 1) for tw in grid]} px in Word, {px} px in Excel")
    got = [[c.text for c in row.cells] for t in d.tables for row in t.rows]
    want = [row for t in tables for row in t["rows"]]
    problem = first_mismatch(got, want, f"{os.path.basename(path)} (all {len(tables)} tables, {len(want)} rows)")
    if problem is None:
        ok(True, "")
        return
    # locate the table for the message
    at = 0
    for k, t in enumerate(tables):
        n = len(t["rows"])
        p = first_mismatch(got[at:at + n], t["rows"], f"{os.path.basename(path)} table {k + 1} {t['title'][:30]!r}")
        if p:
            ok(False, p)
            return
        at += n
    ok(False, problem)


# ---- the packages' parts -------------------------------------------------------------------------------

PACKAGE_ROOTS = {"[Content_Types].xml": "Types", "docProps/core.xml": "coreProperties"}


def local(tag):
    return tag.rsplit("}", 1)[-1]


def check_package(path, extra_schemas, unpack_dir):
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        ok(False, f"{path}: not a zip package: {e}")
        return
    names = set(z.namelist())
    bad = []
    for name in sorted(names):
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        data = z.read(name)
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as e:
            bad.append(f"{name}: not well-formed: {e}")
            continue
        want = PACKAGE_ROOTS.get(name) or ("Relationships" if name.endswith(".rels") else None)
        if want and local(root.tag) != want:
            bad.append(f"{name}: root element {local(root.tag)}, expected {want}")
        if name.endswith(".rels"):
            base = posixpath.dirname(posixpath.dirname(name))
            for rel in root:
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target", "")
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                if full not in names:
                    bad.append(f"{name}: relationship {rel.get('Id')} points at missing {full}")
    ok(not bad, f"{path}: {'; '.join(bad[:3])}")
    for part, schema in extra_schemas:
        if part not in names:
            continue
        if SKIP_SCHEMAS:
            tally.skip("jing on the parts the other checks leave out", SKIP_SCHEMAS)
            continue
        if not os.path.isfile(os.path.join(SCHEMAS, schema)) or not shutil.which("jing"):
            ok(False, f"jing or {SCHEMAS}/{schema} missing: cannot validate {part}")
            continue
        target = os.path.join(unpack_dir, re.sub(r"[^A-Za-z0-9.]", "_", os.path.basename(path) + "_" + part))
        with open(target, "wb") as f:
            f.write(z.read(part))
        r = run("jing", "-c", os.path.join(SCHEMAS, schema), target)
        ok(r.returncode == 0, f"{path}!{part}: jing {schema}: {(r.stdout + r.stderr).strip()[:300]}")


XLSX_SCHEMAS = [("docProps/app.xml", "Shared_Extended_File_Properties.rnc"),
                ("xl/theme/theme1.xml", "DrawingML_Theme.rnc")]


# ---- one department ------------------------------------------------------------------------------------

def check_department(budgetgen, source, outdir, expected, unpack_dir):
    r = run(budgetgen, "dump", "--json", source)
    if not ok(r.returncode in (0, 1) and r.stdout, f"dump --json {source} exits {r.returncode}"):
        return
    m = json.loads(r.stdout)
    dept = m["department"]
    for ext in ("pdf", "xlsx", "docx"):
        expected.add(os.path.relpath(booklet_path(outdir, dept, ext), outdir))
    for i, p in enumerate(m["projects"], 1):
        expected.add(os.path.relpath(project_pdf_path(outdir, dept, i, p["name"]), outdir))
    r = run(budgetgen, "dump", "--tables", source)
    if not ok(r.returncode == 0, f"dump --tables {source} exits {r.returncode}: {r.stderr[-300:]}"):
        return
    tables = json.loads(r.stdout)["tables"]
    xlsx = booklet_path(outdir, dept, "xlsx")
    word = booklet_path(outdir, dept, "docx")
    widths = {}
    if ok(os.path.isfile(xlsx), f"missing {xlsx}"):
        check_workbook(xlsx, tables, widths)
        check_package(xlsx, XLSX_SCHEMAS, unpack_dir)
    if ok(os.path.isfile(word), f"missing {word}"):
        check_word(word, tables, widths)
        check_package(word, [], unpack_dir)
    print(f"{os.path.basename(department_dir(outdir, dept))}: {len(tables)} tables compared in .xlsx and .docx")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    budgetgen = os.path.abspath(sys.argv[1]) if os.sep in sys.argv[1] else sys.argv[1]
    sources = [os.path.abspath(s) for s in sys.argv[2:]] or sorted(glob.glob(os.path.join(ROOT, "input", "*.txt")))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        unpack = os.path.join(tmp, "parts")
        os.makedirs(unpack)
        r = run(budgetgen, "build", "-q", *sources, "-o", out, cwd=ROOT)
        if not ok(r.returncode == 0, f"build exits {r.returncode}: {r.stderr[-400:]}"):
            return tally.report()
        expected = set()
        for s in sources:
            check_department(budgetgen, s, out, expected, unpack)
        # .budgetgen/ holds the build's own records (manifests for incremental builds), not documents
        written = {os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs}
        written = {w for w in written if not w.startswith(".budgetgen" + os.sep)}
        ok(written == expected,
           f"inventory: written but read by no check: {sorted(written - expected)[:5]}; "
           f"expected but missing: {sorted(expected - written)[:5]}")
        print(f"inventory: {len(written)} files, each read by tests/pdf, tests/xlsx or tests/docx")
    return tally.report()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Characters above U+FFFF (issue 16, item 17): a project named with an Extension B ideograph
(𪚥, U+2A6A5, which only HanaMinB of the configured fonts has) is built to PDF, .docx and .xlsx:

- the PDFs pass `qpdf --check`, `pdffonts` lists the HanaMinB subset (embedded, with ToUnicode),
  and `pdftotext` extracts the character itself (the ToUnicode CMap maps the stand-in back);
- the glyph is drawn: the page rendered by pdftoppm has more ink than the same page of a build
  where the character is replaced by an ideographic space (same width, nothing drawn) — libharu
  2.3 alone draws the character as a blank, which gives the same ink;
- the .docx (python-docx) and the .xlsx (openpyxl) contain the character;
- a character no configured font has (𱍊, U+3134A, Extension G) is a warning at the line and
  column where it is written, not at a comment line mentioning it before.

Usage: astral.py BUDGETGEN.   Prints one line per failure and ends with "N passed, M failed".
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import ok, run, tally  # noqa: E402  (tests/common.py)

RARE = "\U0002A6A5"     # 𪚥, Extension B: only HanaMinB has it
NOFONT = "\U0003134A"   # 𱍊, Extension G: no configured font
BLANK = "\u3000"        # ideographic space: one em, never drawn

SOURCE = """\
# 生僻字：项目名称中有扩展 B 区的“{rare}”；指标中有扩展 G 区的“{nofont}”（这一行是注释，不应被指为出处）。
部门：测试局
年度：2025
项目表：简明

【项目】
项目名称：{name}
绩效目标：检查生僻字的绘制。
绩效指标：
产出指标｜数量指标｜{nofont}字数量｜描述｜1次｜依据
效益指标｜社会效益指标｜影响｜描述｜持续｜依据
满意度指标｜服务对象满意度指标｜满意度｜描述｜≥95%｜调查
"""


def build(budgetgen, tmp, name, tag):
    src = os.path.join(tmp, tag + ".txt")
    with open(src, "w", encoding="utf-8") as f:
        f.write(SOURCE.format(rare=RARE, nofont=NOFONT, name=name))
    out = os.path.join(tmp, tag)
    r = run(budgetgen, "build", "-q", "-o", out, src)
    ok(r.returncode == 0, f"build {tag}: exit 0", r.stderr)
    return src, out, r.stderr


def ink(pdf, page, tmp):
    """Dark pixels of a page rendered in gray at 70 dpi (a binary PGM, read without PIL)."""
    base = os.path.join(tmp, "ink")
    subprocess.run(["pdftoppm", "-gray", "-r", "70", "-f", str(page), "-l", str(page), pdf, base],
                   check=True)
    path = glob.glob(base + "*.pgm")[0]
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    fields, pos = [], 0
    while len(fields) < 4:  # P5 width height maxval, then one byte of white space
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pixels = data[pos + 1:]
    return sum(1 for b in pixels if b < 128)


def pages_with(pdf, text):
    n = int(next(l.split()[1] for l in run("pdfinfo", pdf).stdout.splitlines() if l.startswith("Pages:")))
    return [p for p in range(1, n + 1)
            if text in run("pdftotext", "-f", str(p), "-l", str(p), pdf, "-").stdout]


def main():
    budgetgen = sys.argv[1] if len(sys.argv) > 1 else "./budgetgen"
    tmp = tempfile.mkdtemp(prefix="budgetgen-astral.")
    try:
        src, out, err = build(budgetgen, tmp, RARE + "测试", "rare")
        _, blank_out, _ = build(budgetgen, tmp, BLANK + "测试", "blank")
        pdfs = sorted(glob.glob(os.path.join(out, "**", "*.pdf"), recursive=True))
        ok(len(pdfs) == 2, "a booklet and one project PDF", pdfs)
        for pdf in pdfs:
            rel = os.path.relpath(pdf, out)
            r = run("qpdf", "--check", pdf)
            ok(r.returncode == 0, f"{rel}: qpdf --check", r.stdout + r.stderr)
            fonts = run("pdffonts", pdf).stdout
            hana = [l for l in fonts.splitlines() if "+HanaMinB" in l]
            ok(len(hana) == 1 and hana[0].split()[-5:-2] == ["yes", "yes", "yes"],
               f"{rel}: the HanaMinB subset embedded with a ToUnicode map", fonts)
            text = run("pdftotext", pdf, "-").stdout
            ok(RARE + "测试" in text, f"{rel}: pdftotext extracts {RARE} (U+2A6A5)", text[:600])
        booklet = [p for p in pdfs if os.sep + "项目" + os.sep not in p]
        if booklet:
            pdf = booklet[0]
            blank_pdf = os.path.join(blank_out, os.path.relpath(pdf, out))
            pages = pages_with(pdf, "测试绩效目标表")  # found without the character, which may be lost
            ok(bool(pages), "the booklet has the project's page")
            for p in pages:
                drawn, blank = ink(pdf, p, tmp), ink(blank_pdf, p, tmp)
                # a 14–22 pt ideograph at 70 dpi is ~15–20 px square: tens of dark pixels at least
                ok(drawn - blank >= 15, f"booklet page {p}: the character is drawn "
                   f"({drawn} dark pixels, {blank} with a blank in its place)")
        import docx  # python3-docx
        import openpyxl  # python3-openpyxl
        for path in glob.glob(os.path.join(out, "**", "*.docx"), recursive=True):
            d = docx.Document(path)
            texts = [p.text for p in d.paragraphs]
            texts += [c.text for t in d.tables for row in t.rows for c in row.cells]
            ok(any(RARE in t for t in texts), f"{os.path.basename(path)}: contains {RARE}")
        for path in glob.glob(os.path.join(out, "**", "*.xlsx"), recursive=True):
            wb = openpyxl.load_workbook(path)
            cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                     if c.value is not None]
            ok(any(RARE in c for c in cells), f"{os.path.basename(path)}: contains {RARE}")
        # the warning: where 𱍊 is first written outside a comment
        with open(src, encoding="utf-8") as f:
            lines = f.read().split("\n")
        line = next(i for i, l in enumerate(lines) if NOFONT in l and not l.startswith("#"))
        col = lines[line].index(NOFONT) + 1
        want = f"{src}:{line + 1}:{col}: warning: 字符“{NOFONT}”（U+3134A）没有可用的字体"
        ok(want in err, "the missing glyph is reported at its line and column", err)
        ok(err.count("warning:") == 1 and RARE not in err.replace(lines[0], ""),
           f"one warning, none for {RARE}", err)
        # an unchanged build repeats it from the manifest, at the same place
        r = run(budgetgen, "build", "-q", "-o", out, src)
        ok(want in r.stderr, "the unchanged build repeats the warning at its line and column", r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.report()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Reads the PDFs of `budgetgen build` back with tools nobody here wrote and compares them with
the model (`budgetgen dump --json`):

- every PDF passes `qpdf --check`;
- `pdffonts` lists only embedded subset fonts (emb yes, sub yes, uni yes), and pdftotext reads
  every PDF without a complaint (libharu's own ToUnicode CMaps drew "Invalid 'begincidrange'
  operator in ToUnicode CMap": emit_pdf.c writes them anew);
- `pdftotext -raw` of each per-project PDF contains the project's name, amounts and every
  indicator's 三级指标, 指标值 and 依据, in reading order;
- the booklet contains every project title and the 整体绩效目标 paragraphs, in order, and its
  table of contents names every project with a page number;
- single-page per-project PDFs carry font subsets, not whole fonts: none is over 400 B per
  distinct character it shows, and the median is under 350 B (the size is the glyph outlines of
  the subsets: ~220 B per distinct ideograph after compression, plus a fixed part). Per character,
  not in KB: since issue 13 sets every form that fits one page on one page, the single-page set
  includes the sheets with the most distinct characters (62 KB for 240 characters).

Usage: check.py BUDGETGEN OUTDIR SOURCE...   (OUTDIR is the -o directory of a build of SOURCEs)
Prints one line per failure and ends with "N passed, M failed".
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import ok, run, safe_name, squash, tally  # noqa: E402  (tests/common.py)


def in_order(hay, needles):
    """Returns the first needle not found in order after the previous one, or None."""
    pos = 0
    for n in needles:
        n = squash(n)
        if not n:
            continue
        i = hay.find(n, pos)
        if i < 0:
            return n
        pos = i + len(n)
    return None


def pdf_text(path):
    r = run("pdftotext", "-raw", "-enc", "UTF-8", path, "-")
    ok(r.returncode == 0 and not r.stderr.strip(), f"pdftotext {path}: {r.stderr.strip()[:200]}")
    return r.stdout


def check_pdf_file(path):
    r = run("qpdf", "--check", path)
    ok(r.returncode == 0 and "No syntax or stream encoding errors" in r.stdout,
       f"qpdf --check {path}: {r.stdout.strip()[-200:]} {r.stderr.strip()[-200:]}")
    r = run("pdffonts", path)
    rows = [l.split() for l in r.stdout.splitlines()[2:] if l.strip()]
    ok(rows, f"pdffonts lists no font in {path}")
    for row in rows:
        # name type... encoding emb sub uni objid gen
        emb, sub, uni = row[-5], row[-4], row[-3]
        ok(emb == "yes" and sub == "yes" and uni == "yes" and re.match(r"[A-Z]{6}\+", row[0]),
           f"{path}: font {row[0]} is not an embedded subset with ToUnicode ({emb} {sub} {uni})")


def pages_of(path):
    r = run("pdfinfo", path)
    m = re.search(r"^Pages:\s+(\d+)", r.stdout, re.M)
    return int(m.group(1)) if m else 0


def check_department(budgetgen, outdir, source):
    r = run(budgetgen, "dump", "--json", source)
    ok(r.returncode == 0, f"dump --json {source} exits {r.returncode}")
    if r.returncode != 0:
        return
    m = json.loads(r.stdout)
    dept = m["department"]
    ddir = os.path.join(outdir, f"{dept['year']}-{safe_name(dept['name'], 150)}")
    booklet = os.path.join(ddir, f"{dept['year']}年部门预算绩效目标.pdf")
    ok(os.path.isfile(booklet), f"missing booklet {booklet}")
    if not os.path.isfile(booklet):
        return
    check_pdf_file(booklet)
    # page footers ("— 9 —") interrupt paragraphs that cross a page break
    btext = re.sub(r"—\d+—", "", squash(pdf_text(booklet)))
    titles = []
    for i, p in enumerate(m["projects"], 1):
        sep = "." if dept["variant"] == "完整" else "、"
        titles.append(f"{i}{sep}{p['name']}{dept.get('form_title', '绩效目标表')}")
    # every project has a bookmark
    r = run("qpdf", "--json", "--json-key=outlines", booklet)
    marks = []

    def walk(items):
        for it in items:
            marks.append(squash(it["title"]))
            walk(it["kids"])
    try:
        walk(json.loads(r.stdout)["outlines"])
    except (ValueError, KeyError):
        pass
    for t in titles:
        ok(squash(t) in marks, f"{booklet}: no bookmark for {t}")
    # the table of contents lists, with page numbers, the project titles (绩效目标 booklets) or
    # the nine tables and the parts of the 情况说明 (the whole 部门预算信息公开 booklet)
    full = "部门预算公开表" in btext[:2000]
    entries = (["部门预算收支总表", "部门预算收入总表", "部门预算支出总表", "部门预算财政拨款收支总表",
                "部门预算财政拨款“三公”经费支出表", "一、部门职责及机构设置情况", "五、预算绩效信息",
                "九、其他需要说明的事项"] if full else titles)
    toc_end = btext.find(squash(entries[-1])) if entries else 0
    ok(toc_end >= 0, f"{booklet}: table of contents lacks {entries[-1] if entries else ''}")
    toc_part = btext[: toc_end + len(squash(entries[-1]))] if entries else ""
    missing = in_order(toc_part, entries)
    ok(missing is None, f"{booklet}: TOC lacks or misorders {missing}")
    for t in entries:
        i = toc_part.find(squash(t))
        ok(i >= 0 and re.match(r"[·.]*\d+", btext[i + len(squash(t)):]),
           f"{booklet}: TOC entry {t} has no page number")
    body = btext[toc_end:]
    ov = m.get("overall")
    if ov:
        missing = in_order(body, ov["summary"] + ov["measures"])
        ok(missing is None, f"{booklet}: 整体绩效目标 paragraph missing or out of order: {missing[:40] if missing else ''}")
    missing = in_order(body, titles)
    ok(missing is None, f"{booklet}: project table missing or out of order: {missing}")

    for i, p in enumerate(m["projects"], 1):
        path = os.path.join(ddir, "项目", f"{i:02d}-{safe_name(p['name'], 150)}.pdf")
        ok(os.path.isfile(path), f"missing project PDF {path}")
        if not os.path.isfile(path):
            continue
        check_pdf_file(path)
        text = squash(pdf_text(path))
        expect = [titles[i - 1]]
        if p["code"]:
            expect.append(p["code"])
        for key in ("total", "fiscal", "other"):
            v = p["budget"][key]
            if v is not None:
                expect.append(f"{float(v):.2f}")
        if p["use"] and dept["variant"] == "完整":
            expect.append(p["use"])
        expect += p["goals"]
        missing = in_order(text, expect)
        ok(missing is None, f"{path}: header block text missing or out of order: {missing}")
        cells = []
        for ind in p["indicators"]:
            cells += [ind["l3"], ind["value"], ind["basis"]]
        missing = in_order(text, cells)
        ok(missing is None, f"{path}: indicator text missing or out of order: {missing}")
        if pages_of(path) == 1:
            size = os.path.getsize(path)
            chars = max(1, len({c for c in text if ord(c) > 127}))
            single_page_sizes.append(size / chars)
            # the glyph outlines of the subsets dominate; a full font would be > 100 KB
            ok(size < 400 * chars, f"{path}: single-page PDF is {size} bytes for {chars} distinct "
               f"characters (limit 400 B each)")


single_page_sizes = []


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    budgetgen, outdir = sys.argv[1], sys.argv[2]
    for source in sys.argv[3:]:
        check_department(budgetgen, outdir, source)
    if single_page_sizes:
        sizes = sorted(single_page_sizes)
        median = sizes[len(sizes) // 2]
        print(f"single-page project PDFs: {len(sizes)}, median {median:.0f} B per distinct "
              f"character, max {sizes[-1]:.0f} B")
        ok(median < 350, f"the median single-page project PDF has {median:.0f} bytes per distinct "
           "character (target 350)")
    return tally.report()


if __name__ == "__main__":
    sys.exit(main())

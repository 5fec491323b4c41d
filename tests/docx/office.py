#!/usr/bin/env python3
"""office.py — converts every booklet .docx of a build with LibreOffice (`soffice --headless
--convert-to pdf`) and checks what a reader of the converted file sees: the conversion succeeds,
and each table of contents entry's page number is printed (— N —) on a page that shows that
heading. LibreOffice draws the families of fonts/roles.conf with the same font files as the PDF
back end (office_fonts.py), so the comparison is about layout, not font substitution.

Not part of `make check` (LibreOffice is not a dependency); run by `make check-office`.
Usage: office.py BUDGETGEN OUTDIR SOURCE...   The converted PDFs stay in OUTDIR/office/.
Prints one line per failure and ends with "N passed, M failed".
"""
import json
import os
import re
import shutil
import subprocess
import sys

import docx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402  (same directory)


def main():
    budgetgen, outdir, sources = sys.argv[1], sys.argv[2], sys.argv[3:]
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found: apt-get install libreoffice-writer")
        print("0 passed, 1 failed")
        sys.exit(1)
    here = os.path.dirname(os.path.abspath(__file__))
    office = os.path.join(outdir, "office")
    os.makedirs(office, exist_ok=True)
    fc = os.path.join(office, "fonts.conf")
    subprocess.run([sys.executable, os.path.join(here, "office_fonts.py"),
                    os.path.join(here, "..", "..", "fonts", "roles.conf"), fc], check=True)
    env = dict(os.environ, FONTCONFIG_FILE=fc)
    for src in sources:
        r = subprocess.run([budgetgen, "dump", "--json", src], capture_output=True, text=True)
        if not check.ok(r.returncode == 0, f"{src}: dump --json failed"):
            continue
        dept = json.loads(r.stdout)["department"]
        d = os.path.join(outdir, "%d-%s" % (dept["year"], check.safe_name(dept["name"], 150)))
        path = os.path.join(d, "%d年部门预算绩效目标.docx" % dept["year"])
        name = "%d-%s.docx" % (dept["year"], check.safe_name(dept["name"], 150))
        shutil.copyfile(path, os.path.join(office, name))
        r = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", office,
                            os.path.join(office, name)], capture_output=True, text=True, env=env,
                           timeout=300)
        pdf = os.path.join(office, name[:-5] + ".pdf")
        if not check.ok(r.returncode == 0 and os.path.exists(pdf),
                        f"{name}: soffice failed: {r.stderr[-300:]}"):
            continue
        pages = check.pdf_pages(pdf)
        document = docx.Document(path)
        marks = check.bookmarked_texts(document)
        # The entries' numbers are PAGEREF fields: LibreOffice computes them in its own layout,
        # so read the numbers it printed in the converted contents, not the cached ones.
        toc_text = subprocess.run(["pdftotext", "-f", "1", "-l", "6", "-layout", pdf, "-"],
                                  capture_output=True, text=True).stdout
        printed = {}
        pending = ""  # a long entry wraps: its first lines carry no number
        for line in toc_text.splitlines():
            m = re.match(r"\s*(.*?)[·.…\s]{3,}(\d+)\s*$", line)
            if m:
                printed.setdefault(check.squash(pending + m.group(1)), int(m.group(2)))
                pending = ""
            else:
                pending = pending + line.strip() if line.strip() else ""
                if "目录" in pending or "目　　录" in pending:
                    pending = ""
        for title, cached, anchor in check.toc_entries(document):
            page = printed.get(check.squash(title))
            if not check.ok(page is not None,
                            f"{name}: LibreOffice's contents does not list “{title}” with a number"):
                continue
            target = marks.get(anchor, title)  # a hidden heading: the table title it stands for
            check.ok(check.squash(target) in pages.get(str(page), ""),
                     f"{name}: TOC entry “{title}” shows page {page} in LibreOffice (cached {cached}); "
                     f"its page — {page} — does not show “{target}”")
    sys.exit(check.tally.report())


if __name__ == "__main__":
    main()

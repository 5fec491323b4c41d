"""Helpers shared by the Python checks under tests/ (pdf, docx, xlsx, budget, batch): a pass/fail
tally that prints the "N passed, M failed" line tests/run-all.sh reads, white-space squashing for
comparing extracted text, the output file names of `budgetgen build`, and running a command."""
import os
import re
import subprocess


class Tally:
    """Counts checks; failures are printed as they happen, with their detail (indented, cut
    short); with verbose set, every check that holds too ("ok    what")."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.verbose = False

    def ok(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            if self.verbose:
                print("ok   ", what)
        else:
            self.failed += 1
            print("FAIL:", what)
            if detail:
                print("      " + str(detail)[:2000].replace("\n", "\n      "))
        return cond

    def report(self):
        """Prints the summary line; returns the exit status."""
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


tally = Tally()


def ok(cond, what, detail=""):
    return tally.ok(cond, what, detail)


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def squash(s):
    """Text without any white space: extraction breaks lines inside cells."""
    return re.sub(r"\s+", "", s or "")


def safe_name(s, limit):
    """gen/batch/build.c's build_safe_name: characters no file system accepts become _, at most limit
    bytes of whole characters, no trailing dots or blanks."""
    out, size = [], 0
    for ch in s:
        b = len(ch.encode())
        bad = ord(ch) < 0x20 or ch in '/\\:*?"<>|'
        if size + (1 if bad else b) > limit:
            break
        out.append("_" if bad else ch)
        size += 1 if bad else b
    return "".join(out).rstrip(". ") or "未命名"


def department_dir(outdir, dept):
    """out/<年度>-<部门> for the "department" object of `budgetgen dump --json`."""
    return os.path.join(outdir, f"{dept['year']}-{safe_name(dept['name'], 150)}")


def booklet_path(outdir, dept, ext):
    """The booklet of a department: <年度>年部门预算绩效目标.<ext>."""
    return os.path.join(department_dir(outdir, dept), f"{dept['year']}年部门预算绩效目标.{ext}")


def project_pdf_path(outdir, dept, number, name):
    return os.path.join(department_dir(outdir, dept), "项目", f"{number:02d}-{safe_name(name, 150)}.pdf")

"""Helpers shared by the Python checks under tests/ (pdf, docx, xlsx, budget, batch): a pass/fail
tally that prints the "N passed, M failed" line tests/run-all.sh reads, where the data beside the
repository is found (shared_data), white-space squashing for comparing extracted text, the output
file names of `budgetgen build`, and running a command."""
import os
from decimal import Decimal
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = {"SEEDS_DIR": ("seeds", "seed documents"),
          "OOXML_SCHEMAS": ("ooxml-schemas", "ISO/IEC 29500 schemas")}


def shared_data(var):
    """Where the data that is not part of the repository is found, as in tests/common.sh: var is
    SEEDS_DIR (the seed documents) or OOXML_SCHEMAS (the ISO/IEC 29500 schemas), defaulting to
    ../shared/seeds and ../shared/ooxml-schemas beside the repository. Returns (directory, skip):
    skip is the reason to skip the checks that need it (Tally.skip) when the default directory is
    absent, else None — a directory set in the environment must exist, the checks fail without it."""
    name, what = SHARED[var]
    given = os.environ.get(var)
    d = given or os.path.join(os.path.dirname(ROOT), "shared", name)
    if given or os.path.isdir(d):
        return d, None
    return d, f"no {what}: {d} does not exist (set {var}, or clone shared/ beside the repository)"


class Tally:
    """Counts checks; failures are printed as they happen, with their detail (indented, cut
    short); with verbose set, every check that holds too ("ok    what"). Skipped checks are
    counted and their reason printed once per kind ("SKIP: what (N checks): why" at the end)."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = {}
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

    def skip(self, what, why, n=1):
        """n checks of kind `what` not run, because `why`."""
        self.skipped[(what, why)] = self.skipped.get((what, why), 0) + n

    def report(self):
        """Prints the skips and the summary line; returns the exit status."""
        for (what, why), n in self.skipped.items():
            print(f"SKIP: {what} ({n} check{'s' if n != 1 else ''}): {why}")
        total = sum(self.skipped.values())
        print(f"{self.passed} passed, {self.failed} failed" + (f", {total} skipped" if total else ""))
        return 1 if self.failed else 0


tally = Tally()


def ok(cond, what, detail=""):
    return tally.ok(cond, what, detail)


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def entered(v):
    """A project form's amount as the source wrote it: two decimals, more when it has more
    (20.982 stays 20.982, as published forms print it); "" for none."""
    if v is None:
        return ""
    d = Decimal(str(v)).normalize()
    places = max(2, -d.as_tuple().exponent)
    return f"{Decimal(str(v)):.{places}f}"


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

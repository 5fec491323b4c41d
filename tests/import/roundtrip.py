#!/usr/bin/env python3
"""tests/import/roundtrip.py BUDGETGEN — `budgetgen import` of the .docx and of the .xlsx that
`budgetgen build` writes for every sample in input/ gives back the sample's model: `dump --json`
equal (department, 整体绩效目标, every project with its figures, texts and indicator rows in order),
and for samples with budget data `dump --tables` of the budget tables equal. The differences the
documents cannot carry are listed in KNOWN with their reason; anything else fails. For each case the
`diff` of the `fmt` outputs (sample against import) is shown, line count first.
Prints "N passed, M failed"."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (sample stem, format) -> {json path: reason}: what the document itself does not hold.
KNOWN = {}  # what a document cannot carry, by (sample, format): nothing at present

passed = failed = 0


def ok(what):
    global passed
    passed += 1
    print(f"ok    {what}")


def bad(what):
    global failed
    failed += 1
    print(f"FAIL  {what}")


def paths(a, b, prefix=""):
    """The JSON paths where a and b differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += paths(a.get(k), b.get(k), f"{prefix}.{k}" if prefix else k)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += paths(x, y, f"{prefix}[{i}]")
        return out
    return [] if a == b else [prefix]


def run(*args, out=None):
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT)


def main():
    prog = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "./budgetgen")
    samples = sorted(f for f in os.listdir(os.path.join(ROOT, "input")) if f.endswith(".txt"))
    with tempfile.TemporaryDirectory() as tmp:
        b = run(prog, "build", "-q", "-o", os.path.join(tmp, "out"), "input/")
        if b.returncode != 0:
            bad(f"build input/: {b.stderr[-500:]}")
            return
        for sample in samples:
            stem = sample[:-4]
            src = os.path.join("input", sample)
            want = json.loads(run(prog, "dump", "--json", src).stdout)
            want_tables = json.loads(run(prog, "dump", "--tables", src).stdout)["tables"]
            want_budget = [t for t in want_tables if not t["kind"].startswith("project")]
            year = stem[:4]
            for ext in ("docx", "xlsx"):
                doc = os.path.join(tmp, "out", stem, f"{year}年部门预算绩效目标.{ext}")
                got_src = os.path.join(tmp, f"{stem}.{ext}.txt")
                r = run(prog, "import", "-o", got_src, doc)
                if r.returncode != 0:
                    bad(f"{stem}.{ext}: import exit {r.returncode}: {r.stderr[-400:]}")
                    continue
                d = run(prog, "dump", "--json", got_src)
                if not d.stdout:
                    bad(f"{stem}.{ext}: dump --json of the import failed: {d.stderr[-400:]}")
                    continue
                got = json.loads(d.stdout)
                diffs = paths(want, got)
                known = KNOWN.get((stem, ext), {})
                unexplained = [p for p in diffs if p not in known]
                if unexplained:
                    bad(f"{stem}.{ext}: dump --json differs at {', '.join(unexplained[:8])}")
                else:
                    why = "; ".join(sorted(set(known[p] for p in diffs if p in known)))
                    ok(f"{stem}.{ext}: dump --json equal" + (f" except what the document lacks ({why})" if why else ""))
                if want_budget:
                    t = run(prog, "dump", "--tables", got_src)
                    got_budget = [x for x in json.loads(t.stdout or '{"tables": []}')["tables"]
                                  if not x["kind"].startswith("project")]
                    if got_budget == want_budget:
                        ok(f"{stem}.{ext}: the {len(want_budget)} budget tables equal (dump --tables)")
                    else:
                        names = [x["title"] for x, y in zip(want_budget, got_budget) if x != y]
                        bad(f"{stem}.{ext}: budget tables differ: {names or 'count'}")
                f1 = run(prog, "fmt", src).stdout.splitlines()
                f2 = run(prog, "fmt", got_src).stdout.splitlines()
                import difflib
                lines = [l for l in difflib.unified_diff(f1, f2, "sample", "import", n=0, lineterm="")
                         if not l.startswith(("---", "+++", "@@"))]
                print(f"      fmt diff {stem}.{ext}: {len(lines)} lines")
                for l in lines[:int(os.environ.get("SHOW_DIFF", "12"))]:
                    print(f"        {l[:160]}")


# tests/import/fixtures: documents by other writers (tests/import/make_fixtures.py), each with the
# source it must import to (NAME.expected); the report on stderr must mention what is listed.
FIXTURES = [
    (["other-layout.docx"], "other-layout.expected", ["修订标记（插入 1 处、删除 1 处）", "“1,250.50万元”写作 1250.50"]),
    (["one-sheet.xlsx"], "one-sheet.expected", []),
    (["per-sheet.xlsx"], "per-sheet.expected", ["“1,250.50万元”写作 1250.50"]),
    (["lo-resaved.docx"], "lo-resaved.expected", []),
    (["other-layout.docx", "one-sheet.xlsx"], "merged.expected",
     ["项目“技能培训补贴”在 other-layout.docx 和 one-sheet.xlsx 中都有", "项目“劳动监察经费”在 other-layout.docx 和 one-sheet.xlsx 中都有"]),
]


def fixtures(prog):
    d = os.path.join(ROOT, "tests", "import", "fixtures")
    for docs, expected, reported in FIXTURES:
        r = subprocess.run([prog, "import"] + docs, capture_output=True, text=True, cwd=d)
        want = open(os.path.join(d, expected), encoding="utf-8").read()
        missing = [m for m in reported if m not in r.stderr]
        if r.returncode == 0 and r.stdout == want and not missing:
            ok(f"fixture {' + '.join(docs)} imports to {expected}")
        else:
            import difflib
            diff = "".join(list(difflib.unified_diff(want.splitlines(True), r.stdout.splitlines(True), n=0))[:20])
            bad(f"fixture {' + '.join(docs)}: exit {r.returncode}, missing report {missing}\n{diff}{r.stderr[-300:]}")
    # the LibreOffice re-save of the 2024 sample's .docx holds the sample's model
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "lo.txt")
        subprocess.run([prog, "import", "-o", src, os.path.join(d, "lo-resaved.docx")], capture_output=True)
        got = subprocess.run([prog, "dump", "--json", src], capture_output=True, text=True).stdout
        want = subprocess.run([prog, "dump", "--json", "input/2024-乐亭县人力资源和社会保障局.txt"],
                              capture_output=True, text=True, cwd=ROOT).stdout
        if got and got == want:
            ok("fixture lo-resaved.docx (LibreOffice's re-save of the 2024 .docx): dump --json equals the sample's")
        else:
            bad("fixture lo-resaved.docx: dump --json differs from the 2024 sample's")


main()
fixtures(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "./budgetgen"))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""tests/batch/run.py — batch builds (issue 7) on a small synthetic county (tests/bench/county.py,
3 departments × 4 projects):

- a build with nothing changed writes nothing: every file under OUT (the manifests too) keeps
  its bytes and its mtime, and `find OUT -newer STAMP` finds nothing;
- changing one project's amounts rewrites exactly that project's PDF and the department's three
  booklet files; deleting a project removes its PDF (and renumbers nothing before it);
- a department with errors leaves every file as it was; a deleted source takes its directory and
  manifest with it; a stray temporary file is removed; SOURCE_DATE_EPOCH rebuilds everything;
- builds with -j 1 and -j 3 give the same files, byte for byte, and the same messages; the
  incremental result equals a clean build of the same sources;
- on a full disk (a small tmpfs, when the test may mount one) a build fails cleanly and leaves
  every file as it was;
- builds killed (kill -9, and once Ctrl-C) at random moments leave no partial file: every
  temporary file is one that a journal names, every PDF passes qpdf --check, every .xlsx and
  .docx opens, every department without a journal has exactly the files of its manifest; the next
  build then finishes the job and equals a clean build.

Usage: run.py BUDGETGEN [TRIALS]     Prints ok/FAIL lines and "N passed, M failed".
"""
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import ok, tally  # noqa: E402  (tests/common.py)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BG = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "budgetgen")
TRIALS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
STRAY = re.compile(r"\.budgetgen-tmp[0-9]+$")

tally.verbose = True  # the batch checks list every check as it runs


def build(src, out, *args, env=None):
    e = dict(os.environ)
    e.pop("SOURCE_DATE_EPOCH", None)
    e.update(env or {})
    return subprocess.run([BG, "build", "-q", *args, src, "-o", out], cwd=ROOT, env=e,
                          capture_output=True, text=True)


def files(out, state=False):
    """relative path → (size, mtime_ns, sha256) of every file under out (.budgetgen when state)."""
    r = {}
    for d, dirs, fs in os.walk(out):
        rel_d = os.path.relpath(d, out)
        if not state and rel_d.split(os.sep)[0] == ".budgetgen":
            continue
        for f in fs:
            p = os.path.join(d, f)
            st = os.stat(p)
            with open(p, "rb") as fh:
                h = hashlib.sha256(fh.read()).hexdigest()
            r[os.path.relpath(p, out)] = (st.st_size, st.st_mtime_ns, h)
    return r


def changed(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def same_bytes(a, b):
    fa, fb = files(a), files(b)
    if set(fa) != set(fb):
        return "files differ: " + " ".join(sorted(set(fa) ^ set(fb)))
    bad = [k for k in fa if fa[k][2] != fb[k][2]]
    return "bytes differ: " + " ".join(bad) if bad else ""


def edit_project(path, n, delta="1"):
    """Adds delta 万元 to the n-th project's 预算数 and 财政资金 (1-based)."""
    from decimal import Decimal
    s = open(path, encoding="utf-8").read()
    at = -1
    for _ in range(n):
        at = s.index("【项目】", at + 1)
    end = s.find("【项目】", at + 1)
    end = len(s) if end < 0 else end
    block = s[at:end]
    m = re.search(r"预算数：([0-9.]+)\n财政资金：([0-9.]+)", block)
    t, f = Decimal(m.group(1)) + Decimal(delta), Decimal(m.group(2)) + Decimal(delta)
    block = block[:m.start()] + f"预算数：{t}\n财政资金：{f}" + block[m.end():]
    open(path, "w", encoding="utf-8").write(s[:at] + block + s[end:])


def delete_last_project(path):
    s = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(s[:s.rindex("【项目】")])


def journals(out):
    d = os.path.join(out, ".budgetgen")
    return [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".journal")] if os.path.isdir(d) else []


def manifest_outputs(path):
    outs = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("messages "):
                break
            if line.startswith("output "):
                _, _, size, _, rel = line.rstrip("\n").split(" ", 4)
                outs[rel] = int(size)
    return outs


def check_after_kill(out, label):
    """No partial file after a kill: temporaries only where a journal names them, every file
    complete, every department without a journal exactly as its manifest says."""
    named = set()
    for j in journals(out):
        for line in open(j, encoding="utf-8", errors="replace"):
            if line.startswith("file "):
                named.add(os.path.abspath(os.path.join(out, line[5:].split("\t")[0])))  # relative to OUT
    strays, broken = [], []
    for d, _, fs in os.walk(out):
        for f in fs:
            p = os.path.join(d, f)
            if STRAY.search(f):
                if os.path.abspath(p) not in named:
                    strays.append(os.path.relpath(p, out))
                continue
            if f.endswith(".pdf"):
                r = subprocess.run(["qpdf", "--check", p], capture_output=True, text=True)
                if r.returncode != 0:
                    broken.append(os.path.relpath(p, out) + ": " + r.stdout[-200:])
            elif f.endswith((".xlsx", ".docx")):
                try:
                    with zipfile.ZipFile(p) as z:
                        bad = z.testzip()
                        if bad or "[Content_Types].xml" not in z.namelist():
                            broken.append(os.path.relpath(p, out))
                except (zipfile.BadZipFile, OSError) as e:
                    broken.append(f"{os.path.relpath(p, out)}: {e}")
    pending = {os.path.basename(j)[:-len(".journal")] for j in journals(out)}
    mismatch = []
    state = os.path.join(out, ".budgetgen")
    for m in (os.listdir(state) if os.path.isdir(state) else []):
        if not m.endswith(".manifest") or m[:-len(".manifest")] in pending:
            continue
        want = manifest_outputs(os.path.join(state, m))
        dept = m[:-len(".manifest")]
        have = {}
        for d, _, fs in os.walk(os.path.join(out, dept)):
            for f in fs:
                if not STRAY.search(f):
                    p = os.path.join(d, f)
                    have[os.path.relpath(p, out)] = os.path.getsize(p)
        if have != want:
            mismatch.append(f"{dept}: {sorted(set(have.items()) ^ set(want.items()))[:4]}")
    ok(not strays and not broken and not mismatch,
       f"{label}: no partial file ({len(named)} journaled temporaries)",
       "; ".join(strays + broken + mismatch))


def full_disk(tmp, src, sources):
    """On a 350 KB file system (tmpfs; needs root, else skipped): a department of one project
    fits; grown to its four projects its files no longer fit beside the old ones, and the build
    fails with 磁盘空间已满 and leaves every file as it was."""
    disk = os.path.join(tmp, "disk")
    os.makedirs(disk)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=350k", "tmpfs", disk],
                      capture_output=True).returncode != 0:
        print("skip  full disk: cannot mount a small tmpfs (not root)")
        return
    try:
        one = os.path.join(tmp, "one")
        os.makedirs(one, exist_ok=True)
        text = open(os.path.join(src, sources[1]), encoding="utf-8").read()
        head = text[:text.index("【项目】")]
        first = text[text.index("【项目】"):text.index("【项目】", text.index("【项目】") + 1)]
        if "【整体绩效目标】" in head:  # the smallest department: no overall goals, no tables
            head = head[:head.index("【")]
        path = os.path.join(one, "one.txt")
        open(path, "w", encoding="utf-8").write(head + first)
        out = os.path.join(disk, "out")
        r = build(one, out)
        before = files(disk, state=True)
        ok(r.returncode == 0, f"full disk: a small department fits (exit {r.returncode})", r.stderr[-300:])
        open(path, "w", encoding="utf-8").write(head + text[text.index("【项目】"):])
        r = build(one, out)
        ok(r.returncode == 3 and "磁盘空间已满" in r.stderr and not changed(before, files(disk, state=True)),
           "full disk: the bigger build fails with 磁盘空间已满 and every file stays as it was",
           f"exit {r.returncode}: {r.stderr[-300:]} {changed(before, files(disk, state=True))}")
    finally:
        subprocess.run(["umount", disk])


def main():
    tmp = tempfile.mkdtemp(prefix="budgetgen-batch.")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tally.report()


def run(tmp):
    src = os.path.join(tmp, "src")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/bench/county.py"), src,
                    "--departments", "3", "--projects", "4", "--seed", "7"], check=True)
    sources = sorted(f for f in os.listdir(src) if f.endswith(".txt"))
    pristine = {f: open(os.path.join(src, f), encoding="utf-8").read() for f in sources}
    out = os.path.join(tmp, "out")

    r = build(src, out, "-j", "2")
    n = len(files(out))
    ok(r.returncode == 0 and n == 3 * 7, f"clean build: exit {r.returncode}, {n} files", r.stderr)

    # ---- nothing changed: nothing written -------------------------------------------------------
    before = files(out, state=True)
    stamp = os.path.join(tmp, "stamp")
    open(stamp, "w").close()
    time.sleep(0.02)
    r = build(src, out, "-j", "2")
    after = files(out, state=True)
    newer = subprocess.run(["find", out, "-newer", stamp], capture_output=True, text=True).stdout
    ok(r.returncode == 0 and not changed(before, after) and not newer,
       "no-op build: no file or directory written (bytes and mtimes unchanged, find -newer empty)",
       f"exit {r.returncode}; changed {changed(before, after)}; newer {newer}")

    # ---- one project changed ----------------------------------------------------------------------
    dept2 = os.path.join(src, sources[1])
    edit_project(dept2, 2)
    before = files(out)
    r = build(src, out)
    diff = changed(before, files(out))
    d2 = next(d for d in os.listdir(out) if d != ".budgetgen" and sources[1][4:-4] in d)
    want = sorted([f"{d2}/2025年部门预算绩效目标.{e}" for e in ("pdf", "xlsx", "docx")] +
                  [k for k in before if k.startswith(f"{d2}/项目/02-")])
    ok(r.returncode == 0 and diff == want,
       "one project changed: exactly its PDF and the three booklet files rewritten",
       f"rewritten {diff}, expected {want}")

    # ---- a project deleted ------------------------------------------------------------------------
    dept3 = os.path.join(src, sources[2])
    d3 = next(d for d in os.listdir(out) if d != ".budgetgen" and sources[2][4:-4] in d)
    before = files(out)
    delete_last_project(dept3)
    r = build(src, out)
    after = files(out)
    gone = [k for k in before if k not in after]
    diff = changed(before, after)
    ok(r.returncode == 0 and len(gone) == 1 and gone[0].startswith(f"{d3}/项目/04-") and
       len(diff) == 4 and all(k.startswith(d3) for k in diff),
       "project deleted: its PDF removed, the booklets rewritten, nothing else", f"changed {diff}")

    # ---- errors leave everything as it was ----------------------------------------------------------
    dept1 = os.path.join(src, sources[0])
    good = open(dept1, encoding="utf-8").read()
    open(dept1, "w", encoding="utf-8").write(good.replace("预算数：", "预算数：9", 1))
    before = files(out, state=True)
    r = build(src, out)
    ok(r.returncode == 1 and not changed(before, files(out, state=True)),
       "department with errors: exit 1, no file touched", f"exit {r.returncode} {r.stderr[-300:]}")
    open(dept1, "w", encoding="utf-8").write(good)

    # ---- stray temporaries go ----------------------------------------------------------------------
    stray = os.path.join(out, d3, "项目", "99-残留.pdf.budgetgen-tmp000000012345")
    open(stray, "w").write("partial")
    r = build(src, out)
    ok(r.returncode == 0 and not os.path.exists(stray), "a stray temporary file is removed")

    # ---- -j does not change anything; incremental = clean -------------------------------------------
    outs = {}
    errs = {}
    for j in ("1", "3"):
        o = os.path.join(tmp, "j" + j)
        rr = build(src, o, "-j", j)
        outs[j], errs[j] = o, rr.stderr
    d = same_bytes(outs["1"], outs["3"])
    ok(not d and errs["1"] == errs["3"], "-j 1 and -j 3: the same files, byte for byte, and the same messages",
       d or "messages differ")
    d = same_bytes(out, outs["1"])
    ok(not d, "incremental builds end equal to a clean build", d)

    # ---- SOURCE_DATE_EPOCH is an input ----------------------------------------------------------
    before = files(out)
    r = build(src, out, env={"SOURCE_DATE_EPOCH": "1700000000"})
    diff = changed(before, files(out))
    ok(r.returncode == 0 and len(diff) == len(before), "SOURCE_DATE_EPOCH changed: every file rebuilt",
       f"{len(diff)} of {len(before)}")
    build(src, out)

    # ---- a deleted source takes its department with it ------------------------------------------
    gone_src = os.path.join(tmp, sources[0])
    shutil.move(dept1, gone_src)
    d1 = next(d for d in os.listdir(out) if d != ".budgetgen" and sources[0][4:-4] in d)
    r = build(src, out)
    ok(r.returncode == 0 and not os.path.exists(os.path.join(out, d1)) and
       not os.path.exists(os.path.join(out, ".budgetgen", d1 + ".manifest")),
       "source deleted: its directory and manifest removed")
    shutil.move(gone_src, dept1)

    # ---- a full disk ----------------------------------------------------------------------------
    full_disk(tmp, src, sources)

    # ---- builds killed at random moments --------------------------------------------------------
    for f in sources:  # version A: as generated; version B: every project 0.50 万元 more
        open(os.path.join(src, f), "w", encoding="utf-8").write(pristine[f])
    version_a = dict(pristine)
    for f in sources:
        for k in range(1, 4):
            edit_project(os.path.join(src, f), k, "0.5")
    version_b = {f: open(os.path.join(src, f), encoding="utf-8").read() for f in sources}
    clean = {}
    for name, v in (("A", version_a), ("B", version_b)):
        for f in sources:
            open(os.path.join(src, f), "w", encoding="utf-8").write(v[f])
        clean[name] = os.path.join(tmp, "clean" + name)
        t0 = time.time()
        build(src, clean[name], "-j", "2")
        duration = time.time() - t0
    work = os.path.join(tmp, "work")
    build(src, work, "-j", "2")  # at B
    rng = random.Random(int(os.environ.get("BATCH_SEED", "0")) or None)
    for trial in range(TRIALS):
        target = "A" if trial % 2 == 0 else "B"
        for f in sources:
            open(os.path.join(src, f), "w", encoding="utf-8").write((version_a if target == "A" else version_b)[f])
        sig = signal.SIGINT if trial == TRIALS - 1 else signal.SIGKILL
        # every other trial slows the commits down (test hook) so that kills land inside them
        pause = trial % 2 == 1
        env = dict(os.environ, BUDGETGEN_TEST_TXN_PAUSE_MS="20") if pause else None
        delay = rng.uniform(0.0, duration * 1.1) + (duration if pause else 0)
        p = subprocess.Popen([BG, "build", "-q", "-j", "2", src, "-o", work], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        p.wait()
        time.sleep(0.05)  # the workers of a killed group are gone too
        label = (f"trial {trial + 1}: {signal.Signals(sig).name} after {delay * 1000:.0f} ms"
                 f"{' (slow commits)' if pause else ''}, {len(journals(work))} journals left")
        check_after_kill(work, label)
        r = build(src, work, "-j", "2")
        leftovers = [os.path.join(d, f) for d, _, fs in os.walk(work) for f in fs if STRAY.search(f)]
        d = same_bytes(work, clean[target])
        ok(r.returncode == 0 and not d and not leftovers and not journals(work),
           f"trial {trial + 1}: the next build completes and equals a clean build",
           f"exit {r.returncode}: {d} {leftovers} {r.stderr[-300:]}")


if __name__ == "__main__":
    sys.exit(main())

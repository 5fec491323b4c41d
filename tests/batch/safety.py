#!/usr/bin/env python3
"""tests/batch/safety.py — what a build may touch, and that it never hangs (issue 16): each case
is one finding of the adversarial review, replayed on a small synthetic county
(tests/bench/county.py, 2 departments × 2 projects):

 1. foreign "*.tmp<digits>" files in OUT's first- and second-level directories survive a build;
 2. a journal left by a build run from another directory with a relative -o is replayed inside
    OUT, not relative to the current directory;
 3. a manifest or a journal naming "../victim", an absolute path or a negative size is reported
    and ignored: the victim survives;
 4. two departments that swap their 部门 names keep both manifests, and deleting one source later
    removes its directory;
 5. an output path occupied by a directory fails the build before anything is replaced, leaves
    no journal, and says how many files were written;
 6. fmt -w and diff -o create their temporaries with O_EXCL (strace), fmt -w writes through a
    symlinked source and keeps its mode, diff -o refuses to write over one of its inputs;
 8. a department directory in OUT that is a symlink is refused, its target untouched;
 9. an included file replaced by a FIFO or by a symlink to /dev/zero: the next build ends, with
    an error, instead of blocking or spinning;
10. too few file descriptors (ulimit -n): the build ends, either done or with "打开的文件太多";
13. ulimit -f: exit 3 with "文件超过大小限制", not a death by SIGXFSZ;
16. an include reached through a symlink that is re-pointed is noticed by the next build;
12. SOURCE_DATE_EPOCH gives the same date in the .xlsx, the .docx and the PDF (also 0), and a value
    out of range is a usage error.

Usage: safety.py BUDGETGEN      Prints ok/FAIL lines and "N passed, M failed".
"""
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import ok, tally  # noqa: E402  (tests/common.py)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BG = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "budgetgen")
COUNTY = os.path.join(ROOT, "tests", "bench", "county.py")
TIMEOUT = 60
HAN = re.compile(r"[\u4e00-\u9fff]")

tally.verbose = True


def env_clean():
    e = dict(os.environ)
    e.pop("SOURCE_DATE_EPOCH", None)
    return e


def run(args, cwd=ROOT, limits=None, timeout=TIMEOUT, env=None):
    """(exit status or 'timeout', stdout+stderr). A negative status is a death by that signal."""
    def pre():
        for res, val in (limits or {}).items():
            resource.setrlimit(res, (val, val))
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    try:
        r = subprocess.run(args, cwd=cwd, env=env or env_clean(), capture_output=True, text=True,
                           timeout=timeout, preexec_fn=pre, errors="replace")
        return r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as t:
        return "timeout", (t.stdout or b"").decode(errors="replace") + (t.stderr or b"").decode(errors="replace")


# where the layouts, fonts and catalogue are, for a build run outside the repository
RESOURCES = ["--layouts", os.path.join(ROOT, "layouts"), "--fonts", os.path.join(ROOT, "fonts", "roles.conf"),
             "--catalog", os.path.join(ROOT, "layouts", "catalog")]


def build(src, out, *args, **kw):
    return run([BG, "build", "-q", *args, src, "-o", out], **kw)


def county(d, departments=2, projects=2):
    os.makedirs(d, exist_ok=True)
    subprocess.run([sys.executable, COUNTY, d, "--departments", str(departments), "--projects",
                    str(projects)], check=True, capture_output=True)
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".txt"))


def chinese(text):
    """A message a user can read: Chinese, and no English error text."""
    return bool(HAN.search(text)) and not re.search(r"(No such file|Permission denied|Too many|"
                                                     r"Usually a|\[ERROR\]|Segmentation)", text)


def dept_dirs(out):
    return sorted(d for d in os.listdir(out) if not d.startswith("."))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# ---- 1. foreign temporaries ---------------------------------------------------------------------

def case_foreign_tmp(tmp):
    src, out = os.path.join(tmp, "src"), os.path.join(tmp, "out")
    county(src)
    st, msg = build(src, out)
    ok(st == 0, "1: a first build", msg[-500:])
    d = dept_dirs(out)[0]
    foreign = [os.path.join(out, "other", "notes.tmp123"), os.path.join(out, "other", "x", "a.tmp9"),
               os.path.join(out, d, "草稿.docx.tmp4711"), os.path.join(out, d, "项目", "旧.pdf.tmp12")]
    for f in foreign:
        write(f, "not budgetgen's\n")
    st, msg = build(src, out, "-B")
    ok(st == 0, "1: a second build", msg[-500:])
    kept = [os.path.relpath(f, out) for f in foreign if os.path.exists(f)]
    ok(len(kept) == len(foreign), "1: every foreign *.tmp<digits> file survives the build",
       f"kept {kept} of {[os.path.relpath(f, out) for f in foreign]}")


# ---- 2. journals relative to the output root ----------------------------------------------------

def pending_build(src, out, cwd):
    """A build killed right after its commit mark: BUDGETGEN_TEST_TXN_PAUSE_MS slows each step and
    the build is killed as soon as a journal holds its commit line."""
    e = env_clean()
    e["BUDGETGEN_TEST_TXN_PAUSE_MS"] = "400"
    p = subprocess.Popen([BG, "build", "-q", "-j", "1", *RESOURCES, src, "-o", out], cwd=cwd, env=e,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = os.path.join(cwd, out, ".budgetgen")
    import time
    deadline = time.time() + 40
    while time.time() < deadline and p.poll() is None:
        for j in os.listdir(state) if os.path.isdir(state) else []:
            if j.endswith(".journal"):
                try:
                    text = open(os.path.join(state, j), encoding="utf-8", errors="replace").read()
                except OSError:
                    continue
                if text.endswith("commit\n"):
                    p.kill()
                    p.wait()
                    return True
        time.sleep(0.02)
    p.kill()
    p.wait()
    return False


def case_relative_journal(tmp):
    a = os.path.join(tmp, "a")
    src = os.path.join(a, "src")
    county(src, 1, 2)
    killed = pending_build("src", "out", a)
    ok(killed, "2: a build with a relative -o killed after its commit mark")
    if not killed:
        return
    # from another directory, where the journal's relative paths would name other files
    b = os.path.join(tmp, "b")
    os.makedirs(b)
    decoy = os.path.join(b, "out")
    shutil.copytree(os.path.join(a, "out"), decoy, ignore=shutil.ignore_patterns(".budgetgen"))
    before = {os.path.relpath(os.path.join(d, f), decoy) for d, _, fs in os.walk(decoy) for f in fs}
    st, msg = build(os.path.join(a, "src"), os.path.join(a, "out"), *RESOURCES, cwd=b)
    ok(st == 0, "2: the build from another directory", msg[-500:])
    after = {os.path.relpath(os.path.join(d, f), decoy) for d, _, fs in os.walk(decoy) for f in fs}
    ok(before == after, "2: nothing outside OUT is touched by the replayed journal",
       f"gone: {sorted(before - after)[:5]} new: {sorted(after - before)[:5]}")
    st2, _ = build(os.path.join(a, "src"), os.path.join(tmp, "clean"))
    diff = subprocess.run(["diff", "-r", "-q", "-x", ".budgetgen", os.path.join(a, "out"),
                           os.path.join(tmp, "clean")], capture_output=True, text=True)
    ok(st2 == 0 and diff.returncode == 0, "2: the interrupted commit was completed, not dropped",
       diff.stdout[-800:])


# ---- 3. state files are not trusted -------------------------------------------------------------

def case_state_files(tmp):
    src, out = os.path.join(tmp, "src"), os.path.join(tmp, "out")
    srcs = county(src, 2, 2)
    st, msg = build(src, out)
    ok(st == 0, "3: a first build", msg[-300:])
    victim = os.path.join(tmp, "victim.txt")
    write(victim, "precious\n")
    state = os.path.join(out, ".budgetgen")
    man = sorted(os.path.join(state, f) for f in os.listdir(state) if f.endswith(".manifest"))[0]
    text = open(man, encoding="utf-8").read()
    planted = re.sub(r"^(output \S+ )\S+ \S+ (.*)$", r"\g<1>-1 0 ../victim.txt", text, count=1,
                     flags=re.M)
    ok(planted != text, "3: planted a manifest line naming ../victim.txt with size -1")
    write(man, planted)
    for p in srcs:  # the department goes: its outputs are deleted
        if os.path.realpath(p) == re.search(r"^source (.*)$", text, re.M).group(1):
            os.unlink(p)
    st, msg = build(src, out)
    ok(os.path.exists(victim), "3: a manifest naming ../victim.txt does not delete it", msg[-300:])
    ok(chinese(msg) and "清单" in msg, "3: the damaged manifest is reported", msg[-300:])
    # a planted journal with absolute paths, committed
    county(src, 2, 2)
    build(src, out)
    other = os.path.join(tmp, "other.txt")
    write(other, "also precious\n")
    write(os.path.join(state, "x.journal"),
          f"budgetgen journal 2\ndelete -1 0 {victim}\nfile {other}\t{victim}\nrmdir {tmp}\ncommit\n")
    st, msg = build(src, out)
    ok(os.path.exists(victim) and open(victim).read() == "precious\n" and os.path.exists(other),
       "3: a journal with absolute paths deletes and renames nothing", msg[-300:])
    # "../" paths: relative to OUT (as journals are now) and to the directory the build runs in
    write(os.path.join(state, "y.journal"), "budgetgen journal 2\ndelete -1 0 ../victim.txt\n"
          f"delete -1 0 {os.path.relpath(victim, ROOT)}\ncommit\n")
    st, msg = build(src, out)
    ok(os.path.exists(victim), "3: a journal with ../ paths deletes nothing", msg[-300:])


# ---- 4. departments swap names ------------------------------------------------------------------

def case_swap(tmp):
    src, out = os.path.join(tmp, "src"), os.path.join(tmp, "out")
    a, b = county(src, 2, 1)
    build(src, out)
    ta, tb = open(a, encoding="utf-8").read(), open(b, encoding="utf-8").read()
    na = re.search(r"^部门：(.*)$", ta, re.M).group(1)
    nb = re.search(r"^部门：(.*)$", tb, re.M).group(1)
    write(a, ta.replace(f"部门：{na}", f"部门：{nb}", 1))
    write(b, tb.replace(f"部门：{nb}", f"部门：{na}", 1))
    st, msg = build(src, out)
    ok(st == 0, "4: a build after two departments swapped their names", msg[-300:])
    mans = [f for f in os.listdir(os.path.join(out, ".budgetgen")) if f.endswith(".manifest")]
    ok(len(mans) == 2, "4: both manifests are there", mans)
    os.unlink(a)
    st, msg = build(src, out)
    ok(len(dept_dirs(out)) == 1, "4: deleting one source then removes its directory",
       f"{dept_dirs(out)} {msg[-200:]}")


# ---- 5. an output path that is a directory ------------------------------------------------------

def case_dir_in_the_way(tmp):
    src, out = os.path.join(tmp, "src"), os.path.join(tmp, "out")
    srcs = county(src, 1, 3)
    build(src, out)
    d = os.path.join(out, dept_dirs(out)[0])
    pdfs = sorted(os.listdir(os.path.join(d, "项目")))
    blocked = os.path.join(d, "项目", pdfs[-1])
    os.unlink(blocked)
    os.makedirs(os.path.join(blocked, "sub"))
    before = {f: open(os.path.join(dp, f), "rb").read() for dp, _, fs in os.walk(d) for f in fs}
    s = open(srcs[0], encoding="utf-8").read()
    write(srcs[0], s.replace("资金用途：", "资金用途：修订后", 1))
    st, msg = run([BG, "build", "-B", src, "-o", out])  # not -q: the summary is checked below
    ok(st == 3 and chinese(msg), "5: the build fails with a message (exit 3)", f"{st} {msg[-400:]}")
    after = {f: open(os.path.join(dp, f), "rb").read() for dp, _, fs in os.walk(d) for f in fs}
    ok(before == after, "5: no file was replaced", sorted(k for k in before if before[k] != after.get(k))[:5])
    ok(not [j for j in os.listdir(os.path.join(out, ".budgetgen")) if j.endswith(".journal")],
       "5: no journal is left behind")
    ok("写入 0 个文件" in msg, "5: the summary says what was written", msg[-300:])
    shutil.rmtree(blocked)
    st, msg = build(src, out)
    ok(st == 0, "5: once the directory is gone the next build succeeds", msg[-300:])


# ---- 6. temporaries of fmt -w and diff -o -------------------------------------------------------

def creat_without_excl(trace):
    bad = []
    for line in open(trace, errors="replace"):
        m = re.search(r'open(?:at)?\((?:AT_FDCWD, )?"([^"]*)", ([A-Z_|]+)', line)
        # /proc/self/fd/N: a descriptor the program already holds (diff -o's memfd), nothing created
        if m and "O_CREAT" in m.group(2) and "O_EXCL" not in m.group(2) and "O_TMPFILE" not in m.group(2) \
                and not m.group(1).startswith("/proc/self/fd/"):
            bad.append(m.group(1))
    return bad


def case_fmt_diff(tmp):
    src = os.path.join(tmp, "src")
    a, b = county(src, 2, 1)
    real = os.path.join(tmp, "real.txt")
    shutil.move(a, real)
    os.symlink(real, a)
    os.chmod(real, 0o640)
    trace = os.path.join(tmp, "trace")
    st, msg = run(["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", trace, BG, "fmt", "-w", a])
    ok(st == 0, "6: fmt -w on a symlinked source", msg[-300:])
    ok(os.path.islink(a), "6: fmt -w keeps the symlink (writes through it)")
    ok(stat.S_IMODE(os.stat(real).st_mode) == 0o640, "6: fmt -w keeps the file's mode",
       oct(os.stat(real).st_mode))
    ok(not creat_without_excl(trace), "6: fmt -w creates its temporary with O_EXCL",
       creat_without_excl(trace))
    old, new = os.path.join(tmp, "old"), os.path.join(tmp, "new")
    os.unlink(a)
    shutil.copy(real, a)
    shutil.copytree(src, old)
    shutil.copytree(src, new)
    shutil.copy(real, os.path.join(old, "a.txt"))
    shutil.copy(real, os.path.join(new, "a.txt"))
    os.unlink(os.path.join(old, os.path.basename(a)))
    os.unlink(os.path.join(new, os.path.basename(a)))
    st, msg = run(["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", trace, BG, "diff", old, new,
                   "-o", os.path.join(tmp, "对照表.xlsx")])
    ok(st in (0, 1), "6: diff -o writes its workbook", msg[-300:])
    ok(not creat_without_excl(trace), "6: diff -o creates its temporary with O_EXCL",
       creat_without_excl(trace))
    before = open(os.path.join(new, "a.txt"), "rb").read()
    st, msg = run([BG, "diff", os.path.join(old, "a.txt"), os.path.join(new, "a.txt"), "-o",
                   os.path.join(new, "a.txt")])
    ok(st == 2 and chinese(msg) and open(os.path.join(new, "a.txt"), "rb").read() == before,
       "6: diff -o refuses to write over one of its inputs", f"{st} {msg[-300:]}")


# ---- 8. a department directory that is a symlink -------------------------------------------------

def case_symlinked_dept(tmp):
    src, out = os.path.join(tmp, "src"), os.path.join(tmp, "out")
    county(src, 1, 1)
    build(src, out)
    d = dept_dirs(out)[0]
    elsewhere = os.path.join(tmp, "elsewhere")
    shutil.move(os.path.join(out, d), elsewhere)
    os.symlink(elsewhere, os.path.join(out, d))
    before = {f: os.stat(os.path.join(dp, f)).st_mtime_ns for dp, _, fs in os.walk(elsewhere) for f in fs}
    st, msg = build(src, out, "-B")
    after = {f: os.stat(os.path.join(dp, f)).st_mtime_ns for dp, _, fs in os.walk(elsewhere) for f in fs}
    ok(st == 3 and chinese(msg) and "符号链接" in msg, "6/8: a symlinked department directory is refused",
       f"{st} {msg[-300:]}")
    ok(before == after, "8: the symlink's target is untouched")


# ---- 9. includes that block or never end ---------------------------------------------------------

def with_include(src):
    a = sorted(os.path.join(src, f) for f in os.listdir(src) if f.endswith(".txt"))[0]
    inc = os.path.join(src, "共用", "说明.txt")
    write(inc, "本段为共用说明。\n")
    s = open(a, encoding="utf-8").read()
    i = s.index("【整体绩效目标】")
    j = s.index("\n", s.index("总体绩效目标：", i)) + 1
    write(a, s[:j] + "包含：共用/说明.txt\n" + s[j:])
    return a, inc


def case_include_special(tmp):
    for kind in ("fifo", "zero"):
        src, out = os.path.join(tmp, kind, "src"), os.path.join(tmp, kind, "out")
        county(src, 1, 1)
        a, inc = with_include(src)
        st, msg = build(src, out)
        ok(st == 0, f"9: a build with an include ({kind})", msg[-300:])
        os.unlink(inc)
        if kind == "fifo":
            os.mkfifo(inc)
        else:
            os.symlink("/dev/zero", inc)
        st, msg = build(src, out, timeout=30)
        ok(st != "timeout" and st != 0 and chinese(msg),
           f"9: an include replaced by {'a FIFO' if kind == 'fifo' else 'a link to /dev/zero'}: "
           "the next build ends with an error", f"{st} {msg[-300:]}")


# ---- 10. too few file descriptors -----------------------------------------------------------------

def case_fd_limit(tmp):
    src = os.path.join(tmp, "src")
    county(src, 2, 6)
    for n in (8, 12, 20, 64):
        for j in ("1", "2"):
            out = os.path.join(tmp, f"out-{n}-{j}")
            st, msg = build(src, out, "-j", j, limits={resource.RLIMIT_NOFILE: n}, timeout=90)
            good = st == 0 or (st == 3 and "打开的文件太多" in msg)
            ok(st != "timeout" and good, f"10: ulimit -n {n}, -j {j}: done, or '打开的文件太多'",
               f"{st} {msg[-300:]}")


# ---- 13. file size limit ----------------------------------------------------------------------------

def case_fsize(tmp):
    src = os.path.join(tmp, "src")
    county(src, 1, 2)
    for j in ("1", "2"):
        out = os.path.join(tmp, f"out-{j}")
        st, msg = build(src, out, "-j", j, limits={resource.RLIMIT_FSIZE: 20000})
        ok(st == 3 and "文件超过大小限制" in msg, f"13: ulimit -f, -j {j}: exit 3, '文件超过大小限制'",
           f"{st} {msg[-300:]}")
        leftovers = [os.path.join(dp, f) for dp, _, fs in os.walk(out) for f in fs
                     if "budgetgen-tmp" in f or f.endswith(".journal")]
        ok(not leftovers, f"13: ulimit -f, -j {j}: no temporary or journal left", leftovers[:5])


# ---- 16. an include through a re-pointed symlink -------------------------------------------------

def case_repointed_include(tmp):
    src, out = os.path.join(tmp, "src"), os.path.join(tmp, "out")
    county(src, 1, 1)
    a, inc = with_include(src)
    first, second = os.path.join(tmp, "第一版.txt"), os.path.join(tmp, "第二版.txt")
    write(first, "第一版的共用说明。\n")
    write(second, "第二版的共用说明。\n")
    os.unlink(inc)
    os.symlink(first, inc)
    st, msg = run([BG, "build", "-q", "--include-dir", tmp, src, "-o", out])
    if st == 2:  # before includes were confined there was no --include-dir
        st, msg = build(src, out)
    ok(st == 0, "16: a build with an include through a symlink", msg[-300:])
    os.unlink(inc)
    os.symlink(second, inc)
    st, msg = run([BG, "build", "-q", "--include-dir", tmp, src, "-o", out])
    if st == 2:
        st, msg = build(src, out)
    pdf = [os.path.join(dp, f) for dp, _, fs in os.walk(out) for f in fs if f.endswith("绩效目标.pdf")][0]
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    ok("第二版" in re.sub(r"\s+", "", text), "16: the re-pointed include's new text is in the booklet")


# ---- 7. includes confined: the allowed directories are part of a build's key ---------------------

def case_include_dir_key(tmp):
    src, out = os.path.join(tmp, "src"), os.path.join(tmp, "out")
    county(src, 1, 1)
    a, inc = with_include(src)
    shared = os.path.join(tmp, "共用目录")
    write(os.path.join(shared, "说明.txt"), "别处的共用说明。\n")
    s = open(a, encoding="utf-8").read()
    write(a, s.replace("包含：共用/说明.txt", f"包含：{shared}/说明.txt"))
    st, msg = run([BG, "build", "-q", "--include-dir", shared, src, "-o", out])
    ok(st == 0, "7: an include outside the tree builds with --include-dir", msg[-300:])
    st, msg = build(src, out)
    ok(st == 1 and "--include-dir" in msg, "7: the same build without --include-dir is refused, "
       "not taken as up to date", f"{st} {msg[-300:]}")


# ---- 12. the same date in all three formats ---------------------------------------------------------

def case_epoch_dates(tmp):
    import zipfile
    src = os.path.join(tmp, "src")
    county(src, 1, 1)
    for epoch, iso in (("0", "1970-01-01T00:00:00Z"), ("1700000000", "2023-11-14T22:13:20Z")):
        out = os.path.join(tmp, "out-" + epoch)
        e = env_clean()
        e["SOURCE_DATE_EPOCH"] = epoch
        st, msg = run([BG, "build", "-q", src, "-o", out], env=e)
        ok(st == 0, f"12: a build with SOURCE_DATE_EPOCH={epoch}", msg[-300:])
        got = {}
        for dp, _, fs in os.walk(out):
            for f in fs:
                p = os.path.join(dp, f)
                if f.endswith((".xlsx", ".docx")):
                    core = zipfile.ZipFile(p).read("docProps/core.xml").decode()
                    got[f[-4:]] = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
                elif f.endswith("绩效目标.pdf"):
                    info = subprocess.run(["pdfinfo", "-isodates", p], capture_output=True, text=True).stdout
                    got["pdf"] = re.findall(r"(?:Creation|Mod)Date:\s*(\S+)", info)
        ok(got.get("xlsx") and got.get("docx") and got.get("pdf") and
           all(v == iso for k in ("xlsx", "docx", "pdf") for v in got[k]),
           f"12: SOURCE_DATE_EPOCH={epoch}: the .xlsx, .docx and PDF all say {iso}", got)
    for bad in ("67768036191676800", "253402300800", "-1", "12abc"):
        e = env_clean()
        e["SOURCE_DATE_EPOCH"] = bad
        st, msg = run([BG, "build", "-q", src, "-o", os.path.join(tmp, "bad")], env=e)
        ok(st == 2 and chinese(msg), f"12: SOURCE_DATE_EPOCH={bad} is a usage error (exit 2)",
           f"{st} {msg[-200:]}")


CASES = [case_foreign_tmp, case_relative_journal, case_state_files, case_swap, case_dir_in_the_way,
         case_fmt_diff, case_symlinked_dept, case_include_special, case_fd_limit, case_fsize,
         case_repointed_include, case_include_dir_key, case_epoch_dates]


def main():
    only = set(sys.argv[2:])
    for case in CASES:
        if only and case.__name__ not in only:
            continue
        tmp = tempfile.mkdtemp(prefix="budgetgen-safety.")
        try:
            case(tmp)
        except Exception as e:  # a broken case is a failure, not a crash of the whole file
            ok(False, f"{case.__name__}: raised {type(e).__name__}", str(e))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return tally.report()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Check a department's transcription against its seed document.

usage:
  roundtrip.py SEED.txt JSON              JSON: output of `budgetgen dump --json input/FILE.txt`
                                          (a file, or - for stdin)
  roundtrip.py SEED.txt --selftest [SRC]  build the JSON from the source file SRC (default: the
                                          seed's file in input/) with the tools' own tiny reader
                                          (srcreader.py); for checking these tools only
  options: --untouched   expect the seed exactly (no corrections), for tests/diag/seeds/*-untouched.txt
           -v            also print the expected differences (the corrections)

Extracts every project table (and the 整体绩效目标 prose) from the seed text with
its own parser -- independent of seed2src.py, which reads rows; this one reads
the seed as a stream of cells keyed by the forms' labels -- and compares,
project by project, name, part, code, amounts (numerically), use, schedule,
goals and every indicator cell, after dropping all whitespace and
canonicalising indicator names.  The deliberate corrections of the samples
are listed in CORRECTIONS below and are expected differences; any other
difference, and any listed correction that is not there, fails.

Exit status 0 when everything matches, 1 otherwise (one line per difference).
"""

import difflib
import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import seedlib  # noqa: E402
from seedlib import clean, canon_name, squash, L2_ALL  # noqa: E402

REPO = os.path.normpath(os.path.join(HERE, '..', '..'))

# (seed, project name, field, value printed in the seed, value in the sample)
# Indicator l1/l2 are the resolved names (merged cells filled in), so a fixed
# merged 一级 cell shows on every row it covers.
CORRECTIONS = [
    ('000', '人才工作专项资金', 'budget.fiscal', '92', '90'),
    ('000', '统筹外定期待遇', 'indicators[4].l1', '产出指标', '效益指标'),
    ('000', '统筹外定期待遇', 'indicators[5].l1', '产出指标', '效益指标'),
    ('000', '劳动人事争议调解仲裁', 'indicators[7].l1', '满意度指标', '效益指标'),
]

# ---------------------------------------------------------------------------
# seed extraction, tab-cell seeds (000, 002, 003): a stream of cells

TITLE = re.compile(r'^(\d+)\s*[.、．]\s*(.+?)(?:项目|公用)?绩效目标(?:申报)?表$')
UNIT = re.compile(r'^\d{6}\S+$')
KEYS = ('l1', 'l2', 'l3', 'desc', 'value', 'basis')


def cell_stream(lines):
    """[('text', s, n) | ('cell', s, n, hard)] ; blank lines carry no meaning here."""
    toks = []
    prev_blank = True
    for n, line in enumerate(lines, 1):
        m = re.match(r'^( ?)\t(.*)$', line)
        if not m and line.strip() == '':
            prev_blank = True
            continue
        if m:
            toks.append(['cell', m.group(2), n, bool(m.group(1))])
        elif not prev_blank and toks and toks[-1][0] == 'cell':
            toks[-1][1] += '\n' + line
        else:
            toks.append(['text', line, n, False])
        prev_blank = False
    return toks


def extract_tab(lines):
    toks = cell_stream(lines)
    projects = []
    part = None
    p = None
    i = 0
    n = len(toks)

    def val(k):
        return toks[k][1] if k < n and toks[k][0] == 'cell' else ''

    def lab(k):
        return squash(clean(val(k))) if k < n and toks[k][0] == 'cell' else None

    while i < n:
        kind, s, ln, hard = toks[i]
        if kind == 'text':
            t = squash(clean(s))
            if t == '预算项目绩效目标':
                part = '项目'
            elif t == '预算公用绩效目标':
                part = '公用'
            elif part:
                m = TITLE.match(t)
                if m:
                    p = {'title': m.group(2), 'name': None, 'part': part, 'code': '',
                         'budget': None, 'use': '', 'schedule': None, 'goals': [],
                         'indicators': [], 'line': ln}
                    projects.append(p)
            i += 1
            continue
        L = lab(i)
        if part is None:
            i += 1
            continue
        if UNIT.match(L or '') and '单位' in (lab(i + 1) or ''):
            if p is None or p['indicators']:
                # a table whose title line is missing
                p = {'title': None, 'name': None, 'part': part, 'code': '', 'budget': None,
                     'use': '', 'schedule': None, 'goals': [], 'indicators': [], 'line': ln}
                projects.append(p)
            p['unit'] = L
            i += 2
            continue
        if L == '项目编码':
            p['code'] = squash(clean(val(i + 1)))
            i += 2
            continue
        if L == '项目名称':
            p['name'] = clean(val(i + 1))
            i += 2
            continue
        if L == '预算规模及资金用途':
            i += 1
            continue
        if L in ('预算数', '其中：财政资金', '其他资金'):
            p['budget'] = p['budget'] or {}
            p['budget'][{'预算数': 'total', '其中：财政资金': 'fiscal', '其他资金': 'other'}[L]] = \
                seedlib.amount(val(i + 1))
            i += 2
            if L == '其他资金':
                # the use text: an empty label cell, then the text
                if lab(i) == '' and not (lab(i + 1) or '').startswith('资金支出计划'):
                    p['use'] = clean(val(i + 1))
                    i += 2
            continue
        if L.startswith('资金支出计划'):
            # 资金支出计划（%） 3月底 6月底 10月底 12月底 | '' 25% 50% 75% 100%
            j = i + 1
            while lab(j) in ('3月底', '6月底', '10月底', '12月底'):
                j += 1
            if lab(j) == '':
                j += 1
            p['schedule'] = [squash(val(k)) for k in range(j, j + 4)]
            i = j + 4
            continue
        if L == '绩效目标':
            j = i + 1
            while j < n and toks[j][0] == 'cell' and not (lab(j) or '').startswith('一级指标'):
                v = lab(j)
                if v != '' and not re.fullmatch(r'目标\d+', v):
                    p['goals'].append(clean(val(j)))
                j += 1
            i = j
            continue
        if L.startswith('一级指标'):
            j = i + 6          # the six column titles
            segs = [[]]
            while j < n and toks[j][0] == 'cell':
                if UNIT.match(lab(j) or '') and '单位' in (lab(j + 1) or ''):
                    break
                if toks[j][3]:
                    segs.append([])
                segs[-1].append(val(j))
                j += 1
            for seg in segs:
                for k in range(0, len(seg), 6):
                    row = seg[k:k + 6]
                    if len(row) < 6:       # the printed table stops here
                        if canon_name(row[0]) in L2_ALL:
                            row = [''] + row
                        row = (row + [''] * 6)[:6]
                    if all(squash(clean(c)) == '' for c in row):
                        continue
                    p['indicators'].append(dict(zip(KEYS, row)))
            i = j
            continue
        if L == '':
            i += 1
            continue
        raise SystemExit('seed line %d: cannot place cell %r' % (ln, s))
    for q in projects:
        if q['name'] is None:
            q['name'] = q['title']
    return projects


# ---------------------------------------------------------------------------
# seed extraction, seed 001 (one line per printed table row)

def extract_pdf(lines):
    projects = []
    p = None
    on = False
    header_seen = False
    for n, line in enumerate(lines, 1):
        if not on:
            on = squash(line) == '第二部分预算项目绩效目标'
            continue
        if line.startswith('六、'):
            break
        if not line.strip():
            continue
        f = line.split('\t')
        if len(f) == 1:
            m = re.match(r'^\d+、(.*)$', line.strip())
            title = squash(clean(m.group(1)))
            title = re.sub(r'^2023年', '', title)
            title = re.sub(r'绩效目标表$', '', title)
            p = {'title': title, 'name': title, 'part': '项目', 'code': None, 'budget': None,
                 'use': None, 'schedule': None, 'goals': [], 'indicators': [], 'line': n}
            projects.append(p)
            header_seen = False
            continue
        f = (f + [''] * 6)[:6]
        if f[0] == '绩效目标':
            text = ''.join(x for x in f[1:])
            paras = re.findall(r'<p>(.*?)</p>', text) or [text]
            p['goals'].extend(clean(x) for x in paras)
            continue
        if f[0] == '一级指标':
            header_seen = True
            continue
        if header_seen and p['indicators'] and not f[0].strip() and not f[1].strip() \
                and n > p['indicators'][-1]['_line'] + 1:
            # carried over from the previous page: glue onto the row above
            last = p['indicators'][-1]
            for k, key in enumerate(KEYS):
                add = squash(clean(f[k]))
                if add and not squash(clean(last[key])).endswith(add):
                    last[key] = last[key] + add
            continue
        row = dict(zip(KEYS, f))
        row['_line'] = n
        p['indicators'].append(row)
    return projects


# ---------------------------------------------------------------------------
# seed extraction, 整体绩效目标

def extract_overall(lines, seed):
    if seed == '001':
        lines = lines[next(i for i, l in enumerate(lines) if l.strip() == '五、预算绩效信息'):]
    out = {'summary': [], 'items': [], 'measures': []}
    sec = None
    for line in lines:
        t = squash(clean(line))
        if not t:
            continue
        if t.startswith('第二部分') and sec:
            break
        h = re.fullmatch(r'(?:[一二三]、|[（(][一二三][)）])(总体绩效目标|分项绩效目标|工作保障措施)', t)
        if h:
            sec = h.group(1)
            continue
        if sec == '总体绩效目标':
            out['summary'].append(t)
        elif sec == '分项绩效目标':
            m = re.match(r'^[（(]([一二三四五六七八九十]+|\d+)[)）](.*)$', t)
            if m:
                out['items'].append({'title': m.group(2), 'goal': None, 'indicators': None, 'text': []})
            elif t.startswith('绩效目标：'):
                out['items'][-1]['goal'] = t[5:]
            elif t.startswith('绩效指标：'):
                out['items'][-1]['indicators'] = t[5:]
            else:
                out['items'][-1]['text'].append(t)
        elif sec == '工作保障措施':
            out['measures'].append(t)
    return out


def extract(seed_path):
    seed = seedlib.seed_id_of(seed_path)
    with open(seed_path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    projects = extract_pdf(lines) if seed == '001' else extract_tab(lines)
    return seed, projects, extract_overall(lines, seed)


# ---------------------------------------------------------------------------
# comparison

def num(s):
    if s is None:
        return None
    t = squash(str(s)).replace('万元', '')
    if t == '':
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return t


def txt(s):
    return squash(clean(s)) if s is not None else ''


def compare(seed, sp, overall, doc, untouched=False, verbose=False):
    """Returns (unexpected differences, expected differences seen)."""
    diffs = []

    def d(where, field, a, b):
        diffs.append((where, field, a, b))

    meta = seedlib.SEEDS[seed]
    dept = doc.get('department') or {}
    for key, want in (('name', meta['name']), ('code', meta['code']), ('year', meta['year'])):
        got = dept.get(key)
        if (got or None) != (want or None) and str(got) != str(want):
            d('部门', key, want, got)

    jp = doc.get('projects') or []
    if len(sp) != meta['projects']:
        d('种子', '项目数', meta['projects'], len(sp))
    if len(jp) != len(sp):
        d('部门', '项目数', len(sp), len(jp))
    for k, (s, j) in enumerate(zip(sp, jp), 1):
        where = '项目%d「%s」' % (k, clean(s['name']))
        if txt(s['name']) != txt(j.get('name')):
            d(where, 'name', clean(s['name']), j.get('name'))
        if (j.get('part') or '项目') != s['part']:
            d(where, 'part', s['part'], j.get('part'))
        if txt(s['code']) != txt(j.get('code')):
            d(where, 'code', s['code'], j.get('code'))
        sb = s['budget'] or {}
        jb = j.get('budget') or {}
        for key in ('total', 'fiscal', 'other'):
            if num(sb.get(key)) != num(jb.get(key)):
                d(where, 'budget.' + key, sb.get(key), jb.get(key))
        if txt(s['use']) != txt(j.get('use')):
            d(where, 'use', clean(s['use']), j.get('use'))
        ss = [squash(x).replace('％', '%') for x in (s['schedule'] or [])]
        js = [squash(x).replace('％', '%') for x in (j.get('schedule') or [])]
        if ss != js:
            d(where, 'schedule', '，'.join(ss), '，'.join(js))
        sg = [txt(g) for g in s['goals']]
        jg = [txt(g) for g in (j.get('goals') or [])]
        if sg != jg:
            if len(sg) != len(jg):
                d(where, 'goals', '%d条' % len(sg), '%d条' % len(jg))
            for m, (a, b) in enumerate(zip(sg, jg)):
                if a != b:
                    d(where, 'goals[%d]' % m, a, b)
        # indicators: resolve the seed's merged (empty) 一级/二级 cells
        si = []
        e1 = e2 = ''
        for r in s['indicators']:
            l1 = canon_name(r['l1'])
            l2 = canon_name(r['l2'])
            if l1:
                e1, e2 = l1, ''
            if l2:
                e2 = l2
            si.append({'l1': e1, 'l2': e2, 'l3': txt(r['l3']), 'desc': txt(r['desc']),
                       'value': txt(r['value']), 'basis': txt(r['basis'])})
        ji = []
        for b in j.get('indicators') or []:
            ji.append({key: canon_name(b.get(key)) if key in ('l1', 'l2') else txt(b.get(key))
                       for key in KEYS})
        pairs = list(zip(range(len(si)), range(len(ji))))
        if len(si) != len(ji):
            d(where, 'indicators', '%d行' % len(si), '%d行' % len(ji))
            # align the rows so that one missing row is one difference
            sm = difflib.SequenceMatcher(None, [tuple(r.values()) for r in si],
                                         [tuple(r[k] for k in KEYS) for r in ji], autojunk=False)
            pairs = []
            for op, a0, a1, b0, b1 in sm.get_opcodes():
                if op == 'equal' or (op == 'replace' and a1 - a0 == b1 - b0):
                    pairs.extend(zip(range(a0, a1), range(b0, b1)))
                else:
                    for m in range(a0, a1):
                        d(where, 'indicators[%d]' % m, '｜'.join(si[m].values()), '(无此行)')
                    for m in range(b0, b1):
                        d(where, 'indicators[json %d]' % m, '(无此行)', '｜'.join(ji[m].values()))
        for m, n in pairs:
            for key in KEYS:
                if si[m][key] != ji[n][key]:
                    d(where, 'indicators[%d].%s' % (m, key), si[m][key], ji[n][key])

    def paras(where, field, a, b):
        a = [txt(x) for x in a]
        b = [txt(x) for x in b or []]
        if len(a) != len(b):
            d(where, field, '%d段' % len(a), '%d段' % len(b))
        for m, (x, y) in enumerate(zip(a, b)):
            if x != y:
                d(where, '%s[%d]' % (field, m), x, y)

    jo = doc.get('overall') or {}
    if jo or overall['summary']:
        paras('整体绩效目标', 'summary', overall['summary'], jo.get('summary'))
        ji = jo.get('items') or []
        if len(ji) != len(overall['items']):
            d('整体绩效目标', 'items', '%d项' % len(overall['items']), '%d项' % len(ji))
        for m, (a, b) in enumerate(zip(overall['items'], ji), 1):
            for key in ('title', 'goal', 'indicators'):
                if txt(a[key]) != txt(b.get(key)):
                    d('分项%d「%s」' % (m, a['title']), key, a[key], b.get(key))
            paras('分项%d「%s」' % (m, a['title']), 'text', a['text'], b.get('text'))
        paras('整体绩效目标', 'measures', overall['measures'], jo.get('measures'))

    expected = [] if untouched else [c for c in CORRECTIONS if c[0] == seed]
    bad, seen = [], []
    for where, field, a, b in diffs:
        hit = None
        for c in expected:
            same = (lambda x, y: num(x) == num(y)) if field.startswith('budget.') \
                else (lambda x, y: squash(str(x)) == squash(str(y)))
            if where.endswith('「%s」' % c[1]) and field == c[2] and same(a, c[3]) and same(b, c[4]):
                hit = c
        if hit:
            seen.append(hit)
        else:
            bad.append('%s %s %s: seed %r, json %r' % (seed, where, field, a, b))
    for c in expected:
        if c not in seen:
            bad.append('%s 「%s」 %s: expected correction %r -> %r is missing' % (seed, c[1], c[2], c[3], c[4]))
    return bad, seen


def main(argv):
    args = [a for a in argv if not a.startswith('-') or a == '-']
    opts = [a for a in argv if a.startswith('-') and a != '-']
    if len(args) < 1 or (len(args) < 2 and '--selftest' not in opts):
        sys.stderr.write(__doc__)
        return 2
    seed_path = args[0]
    seed, sp, overall = extract(seed_path)
    if '--selftest' in opts:
        import srcreader
        src = args[1] if len(args) > 1 else os.path.join(REPO, 'input', seedlib.SEEDS[seed]['out'])
        doc = json.loads(json.dumps(srcreader.public(srcreader.read_source(src)), ensure_ascii=False))
    elif args[1] == '-':
        doc = json.load(sys.stdin)
    else:
        with open(args[1], encoding='utf-8') as f:
            doc = json.load(f)
    bad, seen = compare(seed, sp, overall, doc, untouched='--untouched' in opts)
    if '-v' in opts:
        for c in seen:
            print('%s 「%s」 %s: %r -> %r (expected correction)' % c)
    for line in bad:
        print(line)
    print('%s: %d projects, %d differences%s' % (
        os.path.basename(seed_path), len(sp), len(bad),
        (', %d expected corrections' % len(seen)) if seen else ''), file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""tests/budget/seed001.py — the nine 部门预算公开表 of seed 001, cell by cell.

Reads the nine tables printed in shared/seeds/001_da4bfa57d28e4591.txt (开发区组织人事局, 2023) with its
own parser of the seed text, and compares every figure with the tables budgetgen builds from the sample
input/2023-开发区组织人事局.txt (`budgetgen dump --tables FILE`, JSON
{"tables": [{"title": …, "rows": [[cell, …], …]}, …]}: each table's grid of printed cell texts, header
rows included, "" for empty or covered cells).

Usage:
  seed001.py BUDGETGEN [SOURCE]   run BUDGETGEN dump --tables SOURCE and compare it with the seed
  seed001.py --json FILE          compare a saved dump --tables JSON with the seed
  seed001.py --model [SOURCE]     compare this script's own reference model of SOURCE (the nine tables
                                  computed in Python from the source's 【收入】【支出】【基本支出】
                                  【三公经费】 and layouts/catalog/) with the seed: checks the
                                  transcription and this test without budgetgen
  seed001.py --emit-model [SOURCE]  print the reference model as dump --tables JSON
  seed001.py --print              print the tables as extracted from the seed
SOURCE defaults to input/2023-开发区组织人事局.txt; the seed is $SEEDS_DIR/001_da4bfa57d28e4591.txt
(SEEDS_DIR defaults to ../shared/seeds beside the repository, see tests/common.py). A plain clone
has no ../shared: the comparison is then skipped ("SKIP: …" and "0 passed, 0 failed, 1 skipped").
Prints one line per mismatch, then "N passed, M failed". Exit 0 when every seed figure is reproduced,
1 on a mismatch, 2 on a usage or harness error (no seed, budgetgen failed, no dump --tables yet).

What is compared. Each table's rows are matched by 科目编码 (the 合计 row by its label) in the
classification tables and by the row label in 收支总表, 财政拨款收支总表 and the “三公” table (labels
compared without blanks, with （）/() and the quotes unified; a label that occurs twice, like
“一、一般公共预算拨款” in 财政拨款收支总表, is matched by occurrence). Columns are matched by the
栏次 row (栏次 1, 2, …), or by position when the grid has no 栏次 row. Every figure cell and every
empty figure cell of the seed is one check: the printed text must be equal (2 decimals; an empty cell
must stay empty), the 序号 too; a figure budgetgen prints where the seed has no row is a failure; the
科目名称 of every coded row is a check (against the seed's name after the repairs below); so is the
order of each table's rows and the order of the nine tables.

Repairing the extraction (not counted as seed inconsistencies): numbers, codes and names split by
stray blanks ("1054 4.51", "2013 201", "国有 资本 经营 预算 支出") are joined; a cell continued on the
next page (a row with an empty 序号 right after a repeated page header) is appended to the row before
it, cell by cell ("其他人力资源和社会保" + "障管理事务支出", code "2230" + "105"); page-repeated
headers are dropped.

The seed's own inconsistencies, and how this test treats them:
 1. 2130705: 支出总表 prints “对村民委员会和党支部的补助”; 收入总表 and 一般公共预算财政拨款支出表
    print the official name “对村民委员会和村党支部的补助”. Expected everywhere: the official name
    (NAME_CORRECTIONS).
 2. 2101202 in 收入总表: the name broken across the page reads “财政对城乡居民基本医疗保险” +
    “险基金的补助”, one 险 too many. Expected: “财政对城乡居民基本医疗保险基金的补助”.
 3. Table 7 is titled “部门预算政府基金预算财政拨款支出表” (also in the 目录) and its note says
    “注：无政府基金预算财政拨款预算，空表列示。”, where the form's name is 政府性基金. Titles and the
    note are matched with 政府性基金 and 政府基金 treated alike; the table must have no figures, and
    when the JSON carries a note ("note"/"notes") it must say 空表列示.
 4. 收支总表 labels its column-number row “档次” on three of its four pages (“栏次” on one). Header
    text is not compared.
 5. Function vs economic classification of the 基本支出: 2080501 行政单位离退休 14.36 vs 30302
    退休费 12.56, 2101101 行政单位医疗 (基本) 41.40 vs 30110 职工基本医疗保险缴费 40.60. Only the
    totals must agree (914.98 both, as printed); the per-item difference is not an error and is not
    checked.
 Every 合计, 类 and 款 row of the nine tables adds up exactly (checked by --model, which computes
 them), and the tables agree with each other: 收入总计 10544.51 = 本年收入合计 10533.82 + 上年结转
 10.69 = 支出总计; 一般公共预算财政拨款 10544.38 = 10533.69 + 10.69; 国有资本经营 0.13.
"""

import json
import os
import re
import subprocess
import sys
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from common import shared_data  # noqa: E402  (tests/common.py)
SEED_NAME = '001_da4bfa57d28e4591.txt'
DEFAULT_SOURCE = os.path.join(ROOT, 'input', '2023-开发区组织人事局.txt')
CATALOG_DIR = os.path.join(ROOT, 'layouts', 'catalog')

# The nine tables: canonical title, the title printed in the seed, how rows are keyed.
#   coded:    科目编码 in 栏次 1, 科目名称 in 栏次 2, figures in the other columns
#   sides:    (label column, figure columns) per side of a 收入/支出 table
#   labelled: the row label in 栏次 1, figures in the other columns
TABLES = [
    ('部门预算收支总表', '部门预算收支总表', ('sides', [('1', ['2']), ('3', ['4'])])),
    ('部门预算收入总表', '部门预算收入总表', ('coded',)),
    ('部门预算支出总表', '部门预算支出总表', ('coded',)),
    ('部门预算财政拨款收支总表', '部门预算财政拨款收支总表',
     ('sides', [('1', ['2']), ('3', ['4', '5', '6', '7'])])),
    ('部门预算一般公共预算财政拨款支出表', '部门预算一般公共预算财政拨款支出表', ('coded',)),
    ('部门预算一般公共预算财政拨款基本支出表', '部门预算一般公共预算财政拨款基本支出表', ('coded',)),
    ('部门预算政府性基金预算财政拨款支出表', '部门预算政府基金预算财政拨款支出表', ('coded',)),
    ('部门预算国有资本经营预算财政拨款支出表', '部门预算国有资本经营预算财政拨款支出表', ('coded',)),
    ('部门预算财政拨款“三公”经费支出表', '部门预算财政拨款“三公”经费支出表', ('labelled',)),
]

# (table, 科目编码) -> the name budgetgen must print where the seed's printed name is wrong.
NAME_CORRECTIONS = {
    ('部门预算支出总表', '2130705'): '对村民委员会和村党支部的补助',
    ('部门预算收入总表', '2101202'): '财政对城乡居民基本医疗保险基金的补助',
}

PROSE_START = '开发区组织人事局 2023 年部门预算信息公开情况说明'
# Lines of a table region that are not table rows: the page-repeated department/year/unit lines.
PAGE_JUNK = re.compile(r'^(113 开发区组织人事局|预算年度：\s*(2023)?|预算年|度：|2023|单位：万元)$')


def squeeze(s):
    """A seed cell without the stray blanks of the extraction."""
    return re.sub(r'\s+', '', s)


def norm_label(s):
    s = squeeze(s)
    s = s.replace('（', '(').replace('）', ')').replace('：', ':')
    for q in '“”"\'‘’':
        s = s.replace(q, '')
    return s


def norm_title(s):
    return norm_label(s).replace('政府性基金', '政府基金')


def is_figure(s):
    return re.fullmatch(r'-?\d+(\.\d+)?', s) is not None


# ---------------------------------------------------------------------------------------------
# the seed


def read_seed(path):
    """{canonical title: {'rows': [[cell…]…] header rows then data rows, 'ncols', 'notes'}}."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    by_seed_title = {t[1]: t[0] for t in TABLES}
    out = {}
    cur = None
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip('\r')
        text = line.strip()
        if text in by_seed_title and '\t' not in line:
            cur = {'title': by_seed_title[text], 'header': [], 'labels': None, 'data': [],
                   'notes': [], 'state': 'start', 'line': n}
            out[cur['title']] = cur
            continue
        if cur is None:
            continue
        if text.startswith(PROSE_START):
            cur = None
            continue
        if '\t' not in line:
            if text == '':
                continue
            if text.startswith('注：'):
                cur['notes'].append(text)
                continue
            if PAGE_JUNK.match(text):
                continue
            raise SystemExit('%s:%d: unexpected line in %s: %r' % (path, n, cur['title'], text))
        cells = [squeeze(c) for c in line.split('\t')]
        first = cells[0]
        if first == '序号':
            cur['state'] = 'header'
            if cur['labels'] is None:
                cur['header'].append(cells)
            continue
        if first in ('栏次', '档次'):
            if cur['labels'] is None:
                cur['labels'] = ['栏次'] + cells[1:]
            cur['state'] = 'body'
            continue
        if cur['state'] == 'header':
            if cur['labels'] is None:
                cur['header'].append(cells)
            continue
        if cur['state'] != 'body':
            raise SystemExit('%s:%d: table row before the header in %s' % (path, n, cur['title']))
        if re.fullmatch(r'\d+', first):
            cur['data'].append({'cells': cells, 'line': n})
        elif first == '':
            if not cur['data']:
                raise SystemExit('%s:%d: continuation without a row in %s' % (path, n, cur['title']))
            prev = cur['data'][-1]['cells']
            while len(prev) < len(cells):
                prev.append('')
            for i, c in enumerate(cells):
                prev[i] += c
        else:
            raise SystemExit('%s:%d: cannot read the row %r in %s' % (path, n, line, cur['title']))
    for t in out.values():
        if t['labels'] is None:
            raise SystemExit('%s: no 栏次 row in %s' % (path, t['title']))
        ncols = len(t['labels'])
        for r in t['data']:
            r['cells'] = (r['cells'] + [''] * ncols)[:ncols]
        t['ncols'] = ncols
        t['rows'] = [(h + [''] * ncols)[:ncols] for h in t['header']] + [t['labels']] + \
                    [r['cells'] for r in t['data']]
    missing = [t[0] for t in TABLES if t[0] not in out]
    if missing:
        raise SystemExit('%s: tables not found: %s' % (path, ', '.join(missing)))
    return out


def column_titles(seed_table):
    """栏次 label -> the header text above it (for messages)."""
    res = {}
    for i, lab in enumerate(seed_table['labels']):
        texts = [h[i] for h in seed_table['header'] if i < len(h) and h[i]]
        res[lab] = texts[-1] if texts else lab
    res['栏次'] = '序号'
    return res


# ---------------------------------------------------------------------------------------------
# a grid (seed or budgetgen) -> {key: printed text}


def grid_columns(rows, ncols_hint):
    """(index of the first data row, {栏次 label: column index}) of a grid."""
    for i, r in enumerate(rows):
        if r and norm_label(r[0]) in ('栏次', '档次'):
            cols = {'栏次': 0}
            for j, c in enumerate(r[1:], 1):
                c = norm_label(c)
                if c and c not in cols:
                    cols[c] = j
            return i + 1, cols
    # no 栏次 row: data rows begin at the first row with a number in the first cell; columns by position
    start = len(rows)
    for i, r in enumerate(rows):
        if r and re.fullmatch(r'\d+', squeeze(r[0])):
            start = i
            break
    cols = {'栏次': 0}
    for j in range(1, ncols_hint):
        cols[str(j)] = j
    return start, cols


def data_rows(rows, start):
    for r in rows[start:]:
        if not r or all(squeeze(c) == '' for c in r):
            continue
        if norm_label(r[0]) in ('序号', '栏次', '档次'):
            continue  # a repeated header
        yield r


def cells_of(title, kind, rows, ncols_hint, corrections):
    """{(row key, 栏次 label): text}, {row key: 科目名称}, {row key: 科目编码}, row keys in order,
    list of problems."""
    start, cols = grid_columns(rows, ncols_hint)
    vals, names, codes, order, problems = {}, {}, {}, [], []

    def cell(r, lab):
        j = cols.get(lab)
        if j is None or j >= len(r):
            return ''
        return squeeze(r[j])

    if kind[0] == 'coded':
        fig_labels = [lab for lab in cols if lab not in ('1', '2')]
        for r in data_rows(rows, start):
            code, name = cell(r, '1'), cell(r, '2')
            rk = code or norm_label(name)
            if rk in names:
                problems.append('%s: row %s twice' % (title, rk))
            names[rk] = corrections.get((title, code), name) if code else name
            codes[rk] = code
            order.append(rk)
            for lab in fig_labels:
                vals[(rk, lab)] = cell(r, lab)
    elif kind[0] == 'labelled':
        fig_labels = [lab for lab in cols if lab != '1']
        for r in data_rows(rows, start):
            rk = norm_label(cell(r, '1'))
            order.append(rk)
            for lab in fig_labels:
                vals[(rk, lab)] = cell(r, lab)
    else:  # sides
        seen = {}
        for r in data_rows(rows, start):
            keys = []
            for side, (lab_col, fig_cols) in enumerate(kind[1]):
                label = norm_label(cell(r, lab_col))
                if not label:
                    if any(cell(r, c) for c in fig_cols):
                        problems.append('%s: figures without a label in row %s' % (title, cell(r, '栏次')))
                    continue
                occ = seen.get((side, label), 0) + 1
                seen[(side, label)] = occ
                rk = label if occ == 1 else '%s#%d' % (label, occ)
                rk = ('收入：' if side == 0 else '支出：') + rk
                keys.append(rk)
                order.append(rk)
                for c in fig_cols:
                    vals[(rk, c)] = cell(r, c)
            if keys:
                vals[(keys[-1], '栏次')] = cell(r, '栏次')
    return vals, names, codes, order, problems


# ---------------------------------------------------------------------------------------------
# comparison


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self):
        self.passed += 1

    def fail(self, msg):
        self.failed += 1
        print(msg)


def compare(seed, doc, tally):
    tables = doc.get('tables') if isinstance(doc, dict) else None
    if not isinstance(tables, list):
        tally.fail('the JSON has no "tables" list')
        return
    got = {}
    order = []
    for t in tables:
        if not isinstance(t, dict):
            continue
        nt = norm_title(str(t.get('title', '')))
        got.setdefault(nt, t)
        order.append(nt)
    want_order = [norm_title(t[0]) for t in TABLES]
    present = [x for x in order if x in want_order]
    if present == [x for x in want_order if x in present]:
        tally.ok()
    else:
        tally.fail('table order: %s' % ' / '.join(present))
    for title, _, kind in TABLES:
        st = seed[title]
        bt = got.get(norm_title(title))
        if bt is None:
            tally.fail('%s: missing from the JSON' % title)
            continue
        rows = [[('' if c is None else str(c)) for c in r] for r in bt.get('rows', [])
                if isinstance(r, list)]
        titles = column_titles(st)
        svals, snames, _, sorder, sprob = cells_of(title, kind, st['rows'], st['ncols'], NAME_CORRECTIONS)
        for p in sprob:
            tally.fail('seed ' + p)
        bvals, bnames, bcodes, border, bprob = cells_of(title, kind, rows, st['ncols'], {})
        for p in bprob:
            tally.fail(p)
        common = set(sorder) & set(border)
        if [k for k in sorder if k in common] == [k for k in border if k in common]:
            tally.ok()
        else:
            tally.fail('%s: rows in another order than the seed\'s: %s' % (
                title, ' '.join(k for k in border if k in common)))
        for key, want in svals.items():
            rk, lab = key
            have = bvals.get(key)
            where = '%s | %s | %s' % (title, rk, '序号' if lab == '栏次' else
                                       '栏次%s %s' % (lab, titles.get(lab, '')))
            if have is None:
                rows_known = {k[0] for k in bvals}
                tally.fail('%s: %s' % (where, 'no such row' if rk not in rows_known else
                                       'no such column'))
            elif have == want:
                tally.ok()
            else:
                tally.fail('%s: seed "%s", budgetgen "%s"' % (where, want, have))
        for key, have in bvals.items():
            if key not in svals and have and (is_figure(have) or key[1] != '栏次'):
                tally.fail('%s | %s | %s: budgetgen prints "%s" where the seed has no such cell'
                           % (title, key[0], '序号' if key[1] == '栏次' else '栏次' + key[1], have))
        for rk, want in snames.items():
            if rk not in bnames:
                continue  # already reported through its figures
            if norm_label(bnames[rk]) == norm_label(want):
                tally.ok()
            elif bnames[rk] == '' and norm_label(bcodes.get(rk, '')) == norm_label(want):
                tally.fail('%s | %s | 科目名称: budgetgen prints "%s" in 栏次1 (科目编码) and leaves 科目名称 '
                           'empty; the seed prints it in 栏次2 (科目名称) with 科目编码 empty'
                           % (title, rk, want))
            else:
                tally.fail('%s | %s | 科目名称: seed "%s", budgetgen "%s"' % (title, rk, want, bnames[rk]))
        if not st['data']:  # the empty table: no figures, and its note
            if bvals or bnames:
                tally.fail('%s: the seed prints it empty, budgetgen has %d rows' % (title, len(bnames)))
            else:
                tally.ok()
            note = bt.get('note', bt.get('notes'))
            if note is not None:
                note = ''.join(note) if isinstance(note, list) else str(note)
                if '空表列示' in note:
                    tally.ok()
                else:
                    tally.fail('%s: note "%s", seed "%s"' % (title, note, ' '.join(st['notes'])))


# ---------------------------------------------------------------------------------------------
# the reference model: the nine tables computed from the source, independently of budgetgen


D0 = Decimal(0)
SOURCES = ['一般公共预算', '政府性基金', '国有资本经营', '财政专户', '事业', '事业单位经营', '上级补助',
           '附属单位上缴', '其他', '上年结转', '上年结转（政府性基金）', '上年结转（国有资本经营）',
           '上年结转（其他）']
CARRY = {'上年结转', '上年结转（政府性基金）', '上年结转（国有资本经营）', '上年结转（其他）'}


def money(s):
    s = s.replace('万元', '').strip()
    return Decimal(s) if s else None


def fmt(x):
    return '' if x is None else str(x.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))


def add(a, b):
    if b is None:
        return a
    return b if a is None else a + b


def read_catalog(base):
    res = {}
    files = [base + '.txt'] + sorted(f for f in os.listdir(CATALOG_DIR)
                                      if f.startswith(base + '-') and f.endswith('.txt'))
    for fn in files:
        with open(os.path.join(CATALOG_DIR, fn), encoding='utf-8') as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    code, name = re.split(r'[ \t]+', line, maxsplit=1)
                    res[code] = name.strip()
    return res


def read_summary_rows():
    res = []
    with open(os.path.join(CATALOG_DIR, '收支总表.txt'), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                o, c, n = re.split(r'[ \t]+', line, maxsplit=2)
                res.append((o, '' if c == '-' else c, n))
    return res


def read_budget(path):
    """The source's budget sections (only what the nine tables need)."""
    b = {'income': {}, 'spend': [], 'basic': [], 'sangong': {}}
    sec = None
    with open(path, encoding='utf-8') as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip().replace('|', '｜').replace(':', '：')
            if not line or line[0] in '#＃':
                continue
            m = re.match(r'^【(.*?)】', line)
            if m:
                sec = m.group(1)
                continue
            if sec == '收入':
                k, v = line.split('：', 1)
                b['income'][k.strip()] = add(b['income'].get(k.strip()), money(v))
            elif sec == '支出':
                code, name, kind, src, amt = [c.strip() for c in line.split('｜')]
                src = src or '一般公共预算'
                if src not in SOURCES or kind not in ('基本', '项目'):
                    raise SystemExit('%s:%d: bad 【支出】 row' % (path, n))
                b['spend'].append((code, name, kind, src, money(amt)))
            elif sec == '基本支出':
                code, name, kind, amt = [c.strip() for c in line.split('｜')]
                b['basic'].append((code, name, kind, money(amt)))
            elif sec == '三公经费':
                k, v = line.split('：', 1)
                cells = v.split('｜')
                b['sangong'][k.strip()] = money(cells[0]) if cells else None
    return b


def coded_table(spend, func, columns, keep):
    """Rows 合计 / 类 / 款 / 项 of the expenditure rows `keep` accepts; columns: [(label, f(row)->amount)]."""
    rows = [r for r in spend if keep(r)]

    def line(rs):
        out = []
        for _, f in columns:
            tot = None
            for r in rs:
                tot = add(tot, f(r))
            out.append(fmt(tot))
        return out

    grid = [['', '合计'] + line(rows)]
    for c3 in sorted({r[0][:3] for r in rows}):
        r3 = [r for r in rows if r[0][:3] == c3]
        grid.append([c3, func.get(c3, '?')] + line(r3))
        for c5 in sorted({r[0][:5] for r in r3}):
            r5 = [r for r in r3 if r[0][:5] == c5]
            grid.append([c5, func.get(c5, '?')] + line(r5))
            for c7 in sorted({r[0] for r in r5}):
                r7 = [r for r in r5 if r[0] == c7]
                grid.append([c7, func.get(c7, '?')] + line(r7))
    return [[str(i)] + r for i, r in enumerate(grid, 1)]


def only(pred):
    return lambda r: r[4] if pred(r) else None


def build_model(path):
    func = read_catalog('功能分类')
    econ = read_catalog('经济分类')
    summary = read_summary_rows()
    b = read_budget(path)
    spend, inc = b['spend'], b['income']
    for code, name, *_ in spend:
        if func.get(code) != name:
            raise SystemExit('%s: %s %s is not in the catalogue (%s)' % (path, code, name, func.get(code)))
    for code, name, *_ in b['basic']:
        if econ.get(code) != name:
            raise SystemExit('%s: %s %s is not in the catalogue (%s)' % (path, code, name, econ.get(code)))
    tables = []

    def lanci(n):
        return ['栏次'] + [str(i) for i in range(1, n)]

    def total(pred):
        t = None
        for r in spend:
            if pred(r):
                t = add(t, r[4])
        return t

    is_gp = lambda r: r[3] in ('一般公共预算', '上年结转')
    is_fund = lambda r: r[3] in ('政府性基金', '上年结转（政府性基金）')
    is_soe = lambda r: r[3] in ('国有资本经营', '上年结转（国有资本经营）')
    is_fiscal = lambda r: is_gp(r) or is_fund(r) or is_soe(r)

    # 收支总表
    inc_rows = [('一、一般公共预算拨款收入', '一般公共预算'), ('二、政府性基金预算拨款收入', '政府性基金'),
                ('三、国有资本经营预算拨款收入', '国有资本经营'), ('四、财政专户管理资金收入', '财政专户'),
                ('五、事业收入', '事业'), ('六、事业单位经营收入', '事业单位经营'), ('七、上级补助收入', '上级补助'),
                ('八、附属单位上缴收入', '附属单位上缴'), ('九、其他收入', '其他')]
    this_year = None
    for _, k in inc_rows:
        this_year = add(this_year, inc.get(k))
    carry = None
    for k in CARRY:
        carry = add(carry, inc.get(k))
    grid = [['序号', '收入', '', '支出', ''], ['', '项目', '预算数', '项目', '预算数'], lanci(5)]
    for i, (o, c3, name) in enumerate(summary):
        left = inc_rows[i] if i < len(inc_rows) else ('', None)
        grid.append([str(i + 1), left[0], fmt(inc.get(left[1])) if left[1] else '', o + '、' + name,
                     fmt(total(lambda r: r[0][:3] == c3)) if c3 else ''])
    n = len(summary)
    grid.append([str(n + 1), '本年收入合计', fmt(this_year), '本年支出合计', fmt(total(lambda r: True))])
    grid.append([str(n + 2), '上年结转结余', fmt(carry), '年终结转结余', ''])
    grid.append([str(n + 3), '收入总计', fmt(add(this_year, carry)), '支出总计', fmt(total(lambda r: True))])
    tables.append({'title': '部门预算收支总表', 'rows': grid})

    # 收入总表
    cols = [('合计', lambda r: r[4]), ('小计', only(lambda r: r[3] not in CARRY)),
            ('财政拨款收入', only(lambda r: r[3] in ('一般公共预算', '政府性基金', '国有资本经营'))),
            ('财政专户收入', only(lambda r: r[3] == '财政专户')), ('事业收入', only(lambda r: r[3] == '事业')),
            ('经营收入', only(lambda r: r[3] == '事业单位经营')), ('上级补助收入', only(lambda r: r[3] == '上级补助')),
            ('附属单位上缴收入', only(lambda r: r[3] == '附属单位上缴')), ('其他收入', only(lambda r: r[3] == '其他')),
            ('上年结转', only(lambda r: r[3] in CARRY))]
    grid = [['序号', '功能分类科目', '', '合计', '本年收入', '', '', '', '', '', '', '', '上年结转'],
            ['', '科目编码', '科目名称', '', '小计', '财政拨款收入', '财政专户收入', '事业收入', '经营收入',
             '上级补助收入', '附属单位上缴收入', '其他收入', ''], lanci(13)]
    tables.append({'title': '部门预算收入总表', 'rows': grid + coded_table(spend, func, cols, lambda r: True)})

    # 支出总表
    cols = [('合计', lambda r: r[4]), ('基本支出', only(lambda r: r[2] == '基本')),
            ('项目支出', only(lambda r: r[2] == '项目')), ('经营支出', lambda r: None),
            ('上解上级支出', lambda r: None), ('对附属单位补助支出', lambda r: None)]
    head = [['序号', '功能分类科目', '', '合计', '基本支出', '项目支出', '经营支出', '上解上级支出',
             '对附属单位补助支出'], ['', '科目编码', '科目名称', '', '', '', '', '', ''], lanci(9)]
    tables.append({'title': '部门预算支出总表', 'rows': head + coded_table(spend, func, cols, lambda r: True)})

    # 财政拨款收支总表
    def fiscal_cols(pred):
        return [fmt(total(lambda r: pred(r) and is_fiscal(r))), fmt(total(lambda r: pred(r) and is_gp(r))),
                fmt(total(lambda r: pred(r) and is_fund(r))), fmt(total(lambda r: pred(r) and is_soe(r)))]
    f_inc = [('一、一般公共预算拨款', '一般公共预算'), ('二、政府性基金预算拨款', '政府性基金'),
             ('三、国有资本经营预算拨款', '国有资本经营')]
    f_carry = [('一、一般公共预算拨款', '上年结转'), ('二、政府性基金预算拨款', '上年结转（政府性基金）'),
               ('三、国有资本经营预算拨款', '上年结转（国有资本经营）')]
    grid = [['序号', '收入', '', '支出', '', '', '', ''],
            ['', '项目', '金额', '项目', '合计', '一般公共预算财政拨款', '政府性基金预算财政拨款',
             '国有资本经营预算财政拨款'], lanci(8)]
    for i, (o, c3, name) in enumerate(summary):
        left = f_inc[i] if i < len(f_inc) else ('', None)
        right = fiscal_cols(lambda r: r[0][:3] == c3) if c3 else ['', '', '', '']
        grid.append([str(i + 1), left[0], fmt(inc.get(left[1])) if left[1] else '', o + '、' + name] + right)
    f_this = None
    for _, k in f_inc:
        f_this = add(f_this, inc.get(k))
    f_carry_tot = None
    for _, k in f_carry:
        f_carry_tot = add(f_carry_tot, inc.get(k))
    k = len(summary)
    grid.append([str(k + 1), '本年收入合计', fmt(f_this), '本年支出合计'] + fiscal_cols(lambda r: True))
    grid.append([str(k + 2), '年初财政拨款结转和结余', fmt(f_carry_tot), '年末财政拨款结转和结余', '', '', '', ''])
    for j, (lab, key) in enumerate(f_carry):
        grid.append([str(k + 3 + j), lab, fmt(inc.get(key)), '', '', '', '', ''])
    grid.append([str(k + 6), '收入总计', fmt(add(f_this, f_carry_tot)), '支出总计'] + fiscal_cols(lambda r: True))
    tables.append({'title': '部门预算财政拨款收支总表', 'rows': grid})

    # the three fund tables
    head = [['序号', '功能分类科目', '', '合计', '基本支出', '项目支出'], ['', '科目编码', '科目名称', '', '', ''],
            lanci(6)]
    cols = [('合计', lambda r: r[4]), ('基本支出', only(lambda r: r[2] == '基本')),
            ('项目支出', only(lambda r: r[2] == '项目'))]
    for title, pred in [('部门预算一般公共预算财政拨款支出表', is_gp),
                        ('部门预算政府性基金预算财政拨款支出表', is_fund),
                        ('部门预算国有资本经营预算财政拨款支出表', is_soe)]:
        body = coded_table(spend, func, cols, pred) if any(pred(r) for r in spend) else []
        t = {'title': title, 'rows': head + body}
        if not body:
            t['note'] = '注：无%s预算，空表列示。' % title[4:-3]
        tables.append(t)
        if pred is is_gp:  # the 基本支出表 comes right after the 一般公共预算 table
            tables.append(basic_table(b['basic'], econ))

    # “三公”
    sg = b['sangong']
    g = lambda k: sg.get(k)
    abroad = add(g('教学科研人员因公出国费'), g('其他因公出国费'))
    car = add(g('公务用车购置费'), g('公务用车运行维护费'))
    alltot = add(add(abroad, car), g('公务接待费'))
    items = [('合计', alltot), ('“三公”经费小计', alltot), ('一、因公出国（境）费', abroad),
             ('其中：教学科研人员因公出国（境）费', g('教学科研人员因公出国费')),
             ('其他因公出国（境）费', g('其他因公出国费')), ('二、公务用车购置及运维费', car),
             ('其中：公务用车购置费', g('公务用车购置费')), ('公务用车运行维护费', g('公务用车运行维护费')),
             ('三、公务接待费', g('公务接待费'))]
    grid = [['序号', '项目', '资金性质', '', '', ''],
            ['', '', '合计', '一般公共预算财政拨款', '政府性基金预算拨款', '国有资本经营预算财政拨款'], lanci(6)]
    for i, (lab, v) in enumerate(items, 1):
        grid.append([str(i), lab, fmt(v), fmt(v), '', ''])
    tables.append({'title': '部门预算财政拨款“三公”经费支出表', 'rows': grid})
    return {'tables': tables}


def basic_table(basic, econ):
    grid = [['序号', '支出部门经济分类科目', '', '一般公共预算基本支出', '', ''],
            ['', '科目编码', '科目名称', '合计', '人员经费', '公用经费'], ['栏次', '1', '2', '3', '4', '5']]

    def line(rs):
        t = p = g = None
        for r in rs:
            t = add(t, r[3])
            if r[2] == '人员经费':
                p = add(p, r[3])
            else:
                g = add(g, r[3])
        return [fmt(t), fmt(p), fmt(g)]

    body = [['', '合计'] + line(basic)]
    for c3 in sorted({r[0][:3] for r in basic}):
        r3 = [r for r in basic if r[0][:3] == c3]
        body.append([c3, econ.get(c3, '?')] + line(r3))
        for r in sorted(r3):
            body.append([r[0], r[1]] + line([r]))
    return {'title': '部门预算一般公共预算财政拨款基本支出表',
            'rows': grid + [[str(i)] + r for i, r in enumerate(body, 1)]}


# ---------------------------------------------------------------------------------------------


def seed_path():
    d, skip = shared_data('SEEDS_DIR')
    if skip:
        print('SKIP: the nine tables of seed 001, cell by cell (1 check): %s' % skip)
        print('0 passed, 0 failed, 1 skipped')
        sys.exit(0)
    p = os.path.join(d, SEED_NAME)
    if not os.path.exists(p):
        print('seed001.py: no seed %s' % p, file=sys.stderr)
        sys.exit(2)
    return p


def print_seed(seed):
    for title, _, _ in TABLES:
        t = seed[title]
        print('== %s  (seed line %d)' % (title, t['line']))
        for r in t['rows']:
            print('  ' + ' | '.join(r))
        for n in t['notes']:
            print('  ' + n)


def main(argv):
    args = argv[1:]
    if not args or args[0] in ('-h', '--help'):
        print(__doc__.split('\n\n')[1])
        return 2 if not args else 0
    seed = read_seed(seed_path())
    if args[0] == '--print':
        print_seed(seed)
        return 0
    if args[0] in ('--model', '--emit-model'):
        doc = build_model(args[1] if len(args) > 1 else DEFAULT_SOURCE)
        if args[0] == '--emit-model':
            json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
            print()
            return 0
    elif args[0] == '--json':
        if len(args) != 2:
            print('usage: seed001.py --json FILE', file=sys.stderr)
            return 2
        with open(args[1], encoding='utf-8') as f:
            doc = json.load(f)
    else:
        exe = args[0]
        src = args[1] if len(args) > 1 else DEFAULT_SOURCE
        try:
            p = subprocess.run([exe, 'dump', '--tables', src], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=300)
        except OSError as e:
            print('seed001.py: cannot run %s: %s' % (exe, e), file=sys.stderr)
            return 2
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode('utf-8', 'replace'))
            print('seed001.py: %s dump --tables %s exited with %d' % (exe, src, p.returncode),
                  file=sys.stderr)
            return 2
        try:
            doc = json.loads(p.stdout.decode('utf-8'))
        except ValueError as e:
            print('seed001.py: dump --tables printed no valid JSON: %s' % e, file=sys.stderr)
            return 2
    tally = Tally()
    compare(seed, doc, tally)
    print('%d passed, %d failed' % (tally.passed, tally.failed))
    return 0 if tally.failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Transcribe a seed document's 整体绩效目标 and 项目绩效目标表 into a budgetgen source.

usage:
  seed2src.py SEED.txt [-o OUT]          corrected sample (what lands in input/)
  seed2src.py SEED.txt --untouched [-o OUT]
                                         the seed's data exactly as printed
                                         (canonical indicator names only)
  seed2src.py --all                      write every input/ file and every
                                         tests/diag/seeds/NNN-untouched.txt

Only the 整体绩效目标 prose and the project tables are transcribed (not the
budget tables or other prose of seed 001).  The source language is described
in docs/language.md.  python3, stdlib only.

The known data errors of the seeds are corrected from the CORRECTIONS table
below; each correction is written with a "# 更正：…" comment right above the
corrected line.  roundtrip.py holds the same corrections as expected
differences.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seedlib  # noqa: E402
from seedlib import clean, canon_name, amount, squash  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))
# the seed documents: $SEEDS_DIR, else ../shared/seeds beside the repository (tests/common.py)
SEED_DIR = os.environ.get('SEEDS_DIR') or os.path.join(os.path.dirname(REPO), 'shared', 'seeds')

# ---------------------------------------------------------------------------
# corrections of real data errors (the seeds print these; budgetgen check
# rejects them).  Keyed by seed and project number (1-based, in print order).
#   field 'fiscal' / 'total' / 'other'   : budget amount
#   field (cell, row), cell one of l1 l2 l3 desc value basis, row 0-based:
#                                          an indicator cell as written in the
#                                          source ('' for l1/l2 = 同上)
# 'seed_value' is what the seed prints, 'fixed' what the sample says instead;
# 'note' becomes the "# 更正：" comment, 'expect' (if set) is listed in the
# untouched file's header as the error budgetgen check should report.
# roundtrip.py lists the same corrections as expected differences.

CORRECTIONS = [
    {
        'seed': '000', 'project': 1, 'field': 'fiscal', 'project_name': '人才工作专项资金',
        'expect': '预算数90 ≠ 财政资金92 + 其他资金（空）',
        'seed_value': '92', 'fixed': '90',
        'note': '原表预算数90万元、其中财政资金92万元，二者不符；其他资金为空，'
                '资金全部为财政资金，以预算数为准改为财政资金90。',
    },
    {
        'seed': '000', 'project': 4, 'field': ('l1', 4), 'project_name': '统筹外定期待遇',
        'expect': '社会效益指标、可持续影响指标两行的二级指标不属于（同上的）一级指标产出指标',
        'seed_value': '', 'fixed': '效益指标',
        'note': '原表“社会效益指标”和“可持续影响指标”两行的一级指标格与上面的产出指标合并，'
                '缺了“效益指标”，二级指标不属于产出指标；从此行起改为效益指标。',
    },
    {
        'seed': '000', 'project': 11, 'field': ('l1', 7), 'project_name': '劳动人事争议调解仲裁',
        'expect': '二级指标可持续影响指标不属于一级指标满意度指标',
        'seed_value': '满意度指标', 'fixed': '',
        'note': '原表把可持续影响指标“提高劳动方面法规普及率”一行印在一级指标“满意度指标”下，'
                '二者不相属；此行与劳动保障监察表的可持续影响指标相同，归入上面的效益指标（同上）。'
                '原表本无服务对象满意度指标行，不补。',
    },
]

# seed 002, table 30 is cut short: its 社会效益指标 and 可持续影响指标 rows
# lost their 指标值 and 依据 cells (budgetgen: 指标值不能为空).
_N002 = ('原表在此中断，本行缺指标值和指标值确定依据两格；本表其余各行的指标值都是'
         '“%s”，依据都是“本单位年初计划安排”，据此补齐。' % '100一个村8万元，共4个村，全额用于驻村工作队办公支出')
for _row in (5, 6):
    CORRECTIONS.append({
        'seed': '002', 'project': 30, 'field': ('value', _row), 'project_name': '驻村工作队工作经费',
        'expect': '第%d条指标的指标值为空（原表截断）' % (_row + 1),
        'seed_value': '', 'fixed': '100一个村8万元，共4个村，全额用于驻村工作队办公支出', 'note': _N002})
    CORRECTIONS.append({
        'seed': '002', 'project': 30, 'field': ('basis', _row), 'project_name': '驻村工作队工作经费',
        'expect': None, 'seed_value': '', 'fixed': '本单位年初计划安排', 'note': _N002})

# seed 003, table 16 (the last one) stops after the first indicator's 三级指标.
_N003 = ('原表在文档末尾中断，本行只印出一级至三级指标，缺绩效指标描述和指标值；同一表式的“就业补助资金”'
         '“省级就业补助资金”两表的这一行，描述与三级指标相同、指标值为“≥95%”，据此补齐。'
         '两表的指标值确定依据不同，无从判断，留空。')
CORRECTIONS.append({
    'seed': '003', 'project': 16, 'field': ('desc', 0), 'project_name': '中央就业补助资金',
    'expect': '第1条指标的绩效指标描述、指标值为空（原表截断）',
    'seed_value': '', 'fixed': '符合政策规定的毕业年度高校毕业生享受求职创业补贴比例', 'note': _N003})
CORRECTIONS.append({
    'seed': '003', 'project': 16, 'field': ('value', 0), 'project_name': '中央就业补助资金',
    'expect': None, 'seed_value': '', 'fixed': '≥95%', 'note': _N003})


def corrections_for(seed_id, number):
    return [c for c in CORRECTIONS if c['seed'] == seed_id and c['project'] == number]


# ---------------------------------------------------------------------------
# reading tab-cell seeds (000, 002, 003)

CELL_RE = re.compile(r'^( ?)\t(.*)$')


def read_rows(lines):
    """Group the seed's lines into text lines and table rows.

    A line starting with a tab is a cell; following lines without a tab
    continue the cell; a blank line ends the row (but see merge_rows); a line
    starting with " \\t" starts a new row even without a blank line (this is
    how a printed table that was cut short looks).
    Returns items {'text': str, 'line': n} or {'cells': [...], 'hard': bool, 'line': n}.
    """
    out = []
    row = None
    in_cell = False
    for i, line in enumerate(lines, 1):
        m = CELL_RE.match(line)
        if m:
            if row is None or m.group(1):
                row = {'cells': [], 'hard': bool(m.group(1)), 'line': i}
                out.append(row)
            row['cells'].append(m.group(2))
            in_cell = True
        elif line.strip() == '':
            if row is not None and in_cell:
                # may be a trailing line break inside the cell, or the row end;
                # merge_rows() decides by counting cells.
                row['cells'][-1] += '\n'
            row = None
            in_cell = False
        else:
            if row is not None and in_cell:
                row['cells'][-1] += '\n' + line
            else:
                row = None
                in_cell = False
                out.append({'text': line, 'line': i})
    return out


def merge_rows(items, width=6):
    """Join indicator rows that a cell's trailing blank line split in two."""
    out = []
    for it in items:
        if ('cells' in it and not it['hard'] and out and 'cells' in out[-1]
                and out[-1].get('short') and len(out[-1]['cells']) + len(it['cells']) <= width):
            out[-1]['cells'].extend(it['cells'])
            out[-1]['short'] = len(out[-1]['cells']) < width
            continue
        if 'cells' in it:
            it = dict(it, cells=list(it['cells']))
            it['short'] = len(it['cells']) < width
        out.append(it)
    return out


TITLE_RE = re.compile(r'^\s*(\d+)\s*[.、．]\s*(.+?)\s*$')
UNIT_RE = re.compile(r'^\d{6}\S+')


def strip_title(t):
    t = clean(t)
    t = re.sub(r'(项目|公用)?绩效目标(申报)?表$', '', t)
    return t


def parse_tab_projects(lines, seed_id):
    items = read_rows(lines)
    projects = []
    cur = None
    part = '项目'
    state = None
    pending = []      # indicator rows waiting for merge

    def flush_indicators():
        nonlocal pending
        if cur is None:
            pending = []
            return
        for r in merge_rows(pending):
            cells = [c for c in r['cells']]
            if len(cells) < 6:
                # a row the seed cut short: align it by its first cell
                first = canon_name(cells[0]) if cells else ''
                if first in seedlib.L2_ALL:
                    cells = [''] + cells
                cells = cells + [''] * (6 - len(cells))
                cur['truncated'] = True
                cut = True
            else:
                cut = False
            if len(cells) > 6:
                raise SystemExit('%s line %d: indicator row with %d cells' % (seed_id, r['line'], len(cells)))
            if all(squash(c) == '' for c in cells):
                continue
            cur['indicators'].append({
                'l1': canon_name(cells[0]), 'l2': canon_name(cells[1]),
                'l3': clean(cells[2]), 'desc': clean(cells[3]),
                'value': clean(cells[4]), 'basis': clean(cells[5]),
                'line': r['line'], 'cut': cut,
            })
        pending = []

    def new_project(title_name, number, line):
        nonlocal cur, state
        flush_indicators()
        cur = {'number': number, 'title': title_name, 'name': title_name, 'part': part,
               'code': '', 'budget': None, 'use': '', 'schedule': None, 'goals': [],
               'indicators': [], 'line': line, 'unit': None}
        projects.append(cur)
        state = 'head'

    started = False
    for it in items:
        if 'text' in it:
            t = clean(it['text'])
            if t in ('第二部分', '预算项目绩效目标'):
                started = True
                part = '项目'
                continue
            if t in ('第三部分', '预算公用绩效目标'):
                part = '公用'
                continue
            if not started:
                continue
            m = TITLE_RE.match(t)
            if m and '绩效目标' in t:
                new_project(strip_title(m.group(2)), int(m.group(1)), it['line'])
            continue
        if not started:
            continue
        cells = it['cells']
        first = squash(clean(cells[0]))
        if UNIT_RE.match(first) and len(cells) >= 2 and '单位' in cells[1]:
            # the unit line opens a table; a table without its title line
            # (seed 002's last table) starts here.
            if cur is None or state != 'head':
                new_project(None, (cur['number'] + 1) if cur else 1, it['line'])
            cur['unit'] = first
            continue
        if cur is None:
            continue
        if state == 'ind':
            if first.startswith('一级指标'):
                continue
            pending.append(it)
            continue
        if first in ('项目编码',):
            cur['code'] = squash(clean(cells[1])) if len(cells) > 1 else ''
            if len(cells) > 3 and squash(cells[2]) == '项目名称':
                cur['name'] = clean(cells[3])
            state = 'head'
        elif first == '预算规模及资金用途':
            vals = {}
            k = 1
            while k + 1 < len(cells):
                label = squash(cells[k])
                vals[label] = cells[k + 1]
                k += 2
            cur['budget'] = {
                'total': amount(vals.get('预算数', '')),
                'fiscal': amount(vals.get('其中：财政资金', '')),
                'other': amount(vals.get('其他资金', '')),
            }
            state = 'use'
        elif state == 'use' and first == '' and len(cells) == 2:
            cur['use'] = clean(cells[1])
            state = 'head'
        elif first.startswith('资金支出计划'):
            state = 'sched'
        elif state == 'sched' and first == '':
            cur['schedule'] = [squash(c) for c in cells[1:]]
            state = 'head'
        elif first == '绩效目标' or (state == 'goals' and first == ''):
            if len(cells) == 3:            # 绩效目标 | 目标1 | text
                cur['goals'].append(clean(cells[2]))
            else:                          # 绩效目标 | text
                cur['goals'].append(clean(cells[1]))
            state = 'goals'
        elif first.startswith('一级指标'):
            state = 'ind'
            pending = []
        else:
            raise SystemExit('%s line %d: unexpected row %r' % (seed_id, it['line'], cells))
    flush_indicators()
    return projects


# ---------------------------------------------------------------------------
# reading seed 001 (PDF-like: a table row is one line of tab-separated cells)

def parse_pdf_projects(lines, seed_id):
    projects = []
    cur = None
    started = False
    after_header = False
    for i, line in enumerate(lines, 1):
        t = line.rstrip('\n')
        if not started:
            if clean(t) == '第二部分预算项目绩效目标':
                started = True
            continue
        if t.startswith('六、'):
            break
        if t.strip() == '':
            continue
        cells = t.split('\t')
        if len(cells) == 1:
            m = re.match(r'^(\d+)、(.+)$', t.strip())
            if not m:
                raise SystemExit('001 line %d: unexpected text %r' % (i, t))
            name = clean(m.group(2))
            name = re.sub(r'^20\d\d年', '', name)
            name = re.sub(r'绩效目标表$', '', name)
            cur = {'number': int(m.group(1)), 'title': name, 'name': name, 'part': '项目',
                   'code': None, 'budget': None, 'use': None, 'schedule': None,
                   'goals': [], 'indicators': [], 'line': i, 'unit': None}
            projects.append(cur)
            continue
        cells = (cells + [''] * 6)[:6]
        if cells[0] == '绩效目标':
            text = ' '.join(c for c in cells[1:] if c.strip())
            parts = re.findall(r'<p>(.*?)</p>', text, re.S)
            for p in (parts or [text]):
                cur['goals'].append(clean(p))
            continue
        if cells[0].startswith('一级指标'):
            after_header = bool(cur['indicators'])
            continue
        if after_header and cells[0].strip() == '' and cells[1].strip() == '':
            # the rest of the previous row, carried over a page break
            prev = cur['indicators'][-1]
            for k, key in enumerate(('l1', 'l2', 'l3', 'desc', 'value', 'basis')):
                frag = clean(cells[k])
                if not frag:
                    continue
                if squash(prev['raw'][k]).endswith(squash(frag)):
                    continue     # the extraction repeated the cell's tail
                prev['raw'][k] += frag
                prev[key] = clean(prev['raw'][k]) if key not in ('l1', 'l2') else canon_name(prev['raw'][k])
            after_header = False
            continue
        after_header = False
        cur['indicators'].append({
            'l1': canon_name(cells[0]), 'l2': canon_name(cells[1]),
            'l3': clean(cells[2]), 'desc': clean(cells[3]),
            'value': clean(cells[4]), 'basis': clean(cells[5]),
            'raw': [clean(c) for c in cells], 'line': i,
        })
    return projects


# ---------------------------------------------------------------------------
# 整体绩效目标 prose

SECTION_RE = re.compile(r'^(一|二|三)、(总体绩效目标|分项绩效目标|工作保障措施)$')
NUM_RE = re.compile(r'^[（(]\s*([一二三四五六七八九十\d]+)\s*[)）]\s*(.*)$')


def parse_overall(lines):
    summary, items, measures = [], [], []
    section = None
    for line in lines:
        t = clean(line)
        if t.startswith('第二部分'):
            if section:
                break
            continue
        m = SECTION_RE.match(t)
        if m:
            section = m.group(1)
            continue
        if not t or section is None:
            continue
        nm = NUM_RE.match(t)
        if nm and nm.group(2) in ('总体绩效目标', '分项绩效目标', '工作保障措施'):
            continue    # 001 prints each heading twice: "(一) 总体绩效目标"
        if section == '一':
            summary.append(t)
        elif section == '二':
            if nm:
                items.append({'title': nm.group(2), 'goal': None, 'indicators': None, 'text': []})
            elif t.startswith('绩效目标：'):
                items[-1]['goal'] = t[len('绩效目标：'):]
            elif t.startswith('绩效指标：'):
                items[-1]['indicators'] = t[len('绩效指标：'):]
            else:
                items[-1]['text'].append(t)
        else:
            measures.append(t)
    return {'summary': summary, 'items': items, 'measures': measures}


# ---------------------------------------------------------------------------

def parse_seed(path):
    seed_id = seedlib.seed_id_of(path)
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    meta = seedlib.SEEDS[seed_id]
    if seed_id == '001':
        start = next(i for i, l in enumerate(lines) if l.strip() == '五、预算绩效信息')
        overall = parse_overall(lines[start:])
        projects = parse_pdf_projects(lines, seed_id)
    else:
        overall = parse_overall(lines)
        projects = parse_tab_projects(lines, seed_id)
    return {'seed': seed_id, 'path': path, 'meta': meta, 'overall': overall, 'projects': projects}


# ---------------------------------------------------------------------------
# writing the source

def fmt_schedule(s):
    return '，'.join(s)


def indicator_lines(p, untouched, seed_id):
    """Indicator rows with 同上 cells left empty, plus 更正 comments."""
    out = []
    fixes = {}
    if not untouched:
        for c in corrections_for(seed_id, p['number']):
            if isinstance(c['field'], tuple):
                fixes[c['field']] = c
    eff1 = eff2 = None
    for k, r in enumerate(p['indicators']):
        r = dict(r)
        comments = []
        for key in ('l1', 'l2', 'l3', 'desc', 'value', 'basis'):
            c = fixes.get((key, k))
            if c:
                r[key] = c['fixed']
                note = '# 更正：' + c['note']
                if note not in comments:
                    comments.append(note)
        l1, l2 = r['l1'], r['l2']
        # the seed writes a merged cell's name once; a repeated name (not
        # merged in the seed) is written as 同上 too.
        w1 = l1
        if l1 and l1 == eff1:
            w1 = ''
        if l1:
            eff1 = l1
            new_group = w1 != ''
        else:
            new_group = False
        w2 = l2
        if l2 and l2 == eff2 and not new_group:
            w2 = ''
        if l2:
            eff2 = l2
        cells = [w1, w2, r['l3'], r['desc'], r['value'], r['basis']]
        for cell in cells:
            if '｜' in cell or '|' in cell:
                raise SystemExit('indicator cell contains a bar: %r' % cell)
        if r.get('cut') and not any(x.get('cut') for x in p['indicators'][:k]):
            out.append('# 原表到此中断：以下各行原表只印出前几格，其后的指标行没有印出。')
        out.extend(comments)
        out.append('｜'.join(cells))
    return out


def write_source(model, untouched=False):
    meta = model['meta']
    seed_id = model['seed']
    L = []
    seedfile = os.path.join(SEED_DIR, meta['file'])
    if untouched:
        L.append('# 未更正的转写：%s 的整体绩效目标和项目绩效目标表，数据错误照原表保留，' % seedfile)
        L.append('# 供 budgetgen check 的诊断测试用（对应的更正稿在 input/%s）。' % meta['out'])
        L.append('# budgetgen check 应报告的错误（每条都是原表的真实数据错误）：')
        for c in CORRECTIONS:
            if c['seed'] == seed_id and c['expect']:
                L.append('#   %s：%s' % (c['project_name'], c['expect']))
    else:
        L.append('# 转写自 %s（%s%s年部门预算公开文档）：' % (seedfile, meta['name'], meta['year']))
        L.append('# 部门整体绩效目标和全部%d个项目绩效目标表；由 tests/seedtools/seed2src.py 生成后人工校对。'
                 % len(model['projects']))
        if not untouched and any(c['seed'] == seed_id for c in CORRECTIONS):
            L.append('# 原表的数据错误已更正，每处更正上方有“# 更正：”注释；'
                     '原样转写见 tests/diag/seeds/%s-untouched.txt。' % seed_id)
    L.append('部门：' + meta['name'])
    if meta['code']:
        L.append('部门编码：' + meta['code'])
    L.append('年度：' + meta['year'])
    if meta['unit']:
        L.append('编报单位：' + meta['unit'])
    L.append('项目表：' + meta['variant'])
    if meta.get('form_title'):
        L.append('项目表题：' + meta['form_title'])
    L.append('')

    ov = model['overall']
    L.append('【整体绩效目标】')
    L.append('总体绩效目标：')
    L.extend(ov['summary'])
    for it in ov['items']:
        L.append('分项绩效目标：' + it['title'])
        if it['goal'] is not None:
            L.append('绩效目标：' + it['goal'])
        if it['indicators'] is not None:
            L.append('绩效指标：' + it['indicators'])
        L.extend(it['text'])
    L.append('工作保障措施：')
    L.extend(ov['measures'])

    for p in model['projects']:
        L.append('')
        L.extend(project_lines(p, meta, seed_id, untouched))
    return '\n'.join(L) + '\n'


def project_lines(p, meta, seed_id, untouched):
    L = []
    fixes = {} if untouched else {c['field']: c for c in corrections_for(seed_id, p['number'])
                                  if not isinstance(c['field'], tuple)}
    L.append('【项目】')
    if p.get('title_lost'):
        L.append('# 原表缺标题行，项目名称取自表内“项目名称”格。')
    L.append('项目名称：' + p['name'])
    if seed_id == '000':
        L.append('部分：' + p['part'])
    if p.get('unit') and meta['unit'] and p['unit'] != meta['unit']:
        L.append('# 原表编报单位：%s' % p['unit'])
    if meta['variant'] == '完整':
        L.append('项目编码：' + (p['code'] or ''))
        b = dict(p['budget'])
        for key, label in (('total', '预算数'), ('fiscal', '财政资金'), ('other', '其他资金')):
            c = fixes.get(key)
            if c:
                L.append('# 更正：' + c['note'])
                b[key] = c['fixed']
            L.append('%s：%s' % (label, b[key]))
        L.append('资金用途：' + (p['use'] or ''))
        L.append('资金支出计划：' + fmt_schedule(p['schedule']))
    for g in p['goals']:
        L.append('绩效目标：' + g)
    L.append('绩效指标：')
    L.extend(indicator_lines(p, untouched, seed_id))
    return L


def finish_model(model):
    """Seed-specific facts the parser cannot see."""
    if model['seed'] == '002':
        last = model['projects'][-1]
        if last['title'] is None:
            last['title_lost'] = True
    for p in model['projects']:
        if p['name'] is None:
            p['name'] = p['title']
    return model


def convert(path, untouched=False):
    return write_source(finish_model(parse_seed(path)), untouched)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('seed', nargs='?')
    ap.add_argument('-o', '--output')
    ap.add_argument('--untouched', action='store_true')
    ap.add_argument('--all', action='store_true')
    a = ap.parse_args()
    if a.all:
        for sid, meta in sorted(seedlib.SEEDS.items()):
            path = os.path.join(SEED_DIR, meta['file'])
            out = os.path.join(REPO, 'input', meta['out'])
            with open(out, 'w', encoding='utf-8') as f:
                f.write(convert(path))
            print('wrote', out)
            if any(c['seed'] == sid for c in CORRECTIONS):
                out = os.path.join(REPO, 'tests', 'diag', 'seeds', '%s-untouched.txt' % sid)
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with open(out, 'w', encoding='utf-8') as f:
                    f.write(convert(path, untouched=True))
                print('wrote', out)
        return 0
    if not a.seed:
        ap.error('give a seed file or --all')
    text = convert(a.seed, a.untouched)
    if a.output:
        with open(a.output, 'w', encoding='utf-8') as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""A tiny reader of the budgetgen source format (docs/language.md), for the
seed tools' own checking only: roundtrip.py --selftest and seed2src.py's
self-check.  It is NOT budgetgen; it understands just what the seed
transcriptions use and implements the error-level checks that matter for the
samples (section 6 of the reference).  python3, stdlib only.

read_source(path) -> dict in the shape of `budgetgen dump --json`.
check(path)       -> list of (line, 'error'|'warning', message).
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seedlib import L1, L2_ALL, PARENT, canon_name  # noqa: E402

FW = str.maketrans({'：': ':', '｜': '|', '％': '%', '，': ','})

HEAD_FIELDS = ['部门', '部门编码', '年度', '编报单位', '项目表']
OVERALL_FIELDS = ['总体绩效目标', '分项绩效目标', '绩效目标', '绩效指标', '工作保障措施']
PROJECT_FIELDS = ['项目名称', '部分', '项目编码', '预算数', '财政资金', '其他资金', '资金用途',
                  '资金支出计划', '绩效目标', '绩效指标']


def _split_field(line, known):
    m = re.match(r'^\s*([^:：]{1,12}?)\s*[:：](.*)$', line)
    if m and m.group(1).strip() in known:
        return m.group(1).strip(), m.group(2).strip()
    return None, None


def _money(s):
    from decimal import Decimal
    t = s.replace('万元', '').strip()
    if t == '':
        return None
    d = Decimal(t)
    q = d.quantize(Decimal('0.01')) if d.as_tuple().exponent >= -2 else d
    return str(q)


def read_source(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    dept = {'code': None, 'name': None, 'year': None}
    projects = []
    overall = {'summary': [], 'items': [], 'measures': []}
    section = 'head'
    para_target = None
    cur = None
    in_ind = False
    eff1 = eff2 = None
    meta = []   # (project, line numbers) for check()
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if line == '' or line.startswith('#') or line.startswith('＃'):
            continue
        if line in ('【整体绩效目标】', '【项目】'):
            section = line[1:-1]
            para_target = None
            in_ind = False
            if section == '项目':
                cur = {'part': '项目', 'code': None, 'name': None,
                       'budget': None, 'use': None, 'schedule': None, 'goals': [],
                       'indicators': [], '_lines': {'start': n}, '_raw': {}}
                projects.append(cur)
                eff1 = eff2 = None
            continue
        if section == 'head':
            k, v = _split_field(line, HEAD_FIELDS)
            if k == '部门':
                dept['name'] = v
            elif k == '部门编码':
                dept['code'] = v or None
            elif k == '年度':
                dept['year'] = v
            continue
        if section == '整体绩效目标':
            k, v = _split_field(line, OVERALL_FIELDS)
            if k == '总体绩效目标':
                para_target = overall['summary']
                if v:
                    para_target.append(v)
            elif k == '工作保障措施':
                para_target = overall['measures']
                if v:
                    para_target.append(v)
            elif k == '分项绩效目标':
                it = {'title': v, 'goal': None, 'indicators': None, 'text': []}
                overall['items'].append(it)
                para_target = it['text']
            elif k == '绩效目标':
                overall['items'][-1]['goal'] = v
            elif k == '绩效指标':
                overall['items'][-1]['indicators'] = v
            else:
                para_target.append(line)
            continue
        # project
        if in_ind and ('｜' in line or '|' in line):
            cells = [c.strip() for c in line.replace('｜', '|').split('|')]
            cells = (cells + [''] * 6)[:6]
            l1 = canon_name(cells[0]) if cells[0] not in ('', '〃') else ''
            l2 = canon_name(cells[1]) if cells[1] not in ('', '〃') else ''
            if l1:
                eff1 = l1
                eff2 = None
            if l2:
                eff2 = l2
            cur['indicators'].append({'l1': eff1, 'l2': eff2, 'l3': cells[2], 'desc': cells[3],
                                      'value': cells[4], 'basis': cells[5], '_line': n})
            continue
        k, v = _split_field(line, PROJECT_FIELDS)
        if k is None:
            raise SystemExit('%s:%d: cannot read %r' % (path, n, line))
        in_ind = False
        cur['_lines'][k] = n
        if k in cur['_raw'] and k != '绩效目标':
            cur.setdefault('_dups', []).append((n, k))
        cur['_raw'][k] = v
        if k == '项目名称':
            cur['name'] = v
        elif k == '部分':
            cur['part'] = v
        elif k == '项目编码':
            cur['code'] = v or None
        elif k in ('预算数', '财政资金', '其他资金'):
            cur['budget'] = cur['budget'] or {'total': None, 'fiscal': None, 'other': None}
            cur['budget'][{'预算数': 'total', '财政资金': 'fiscal', '其他资金': 'other'}[k]] = _money(v)
        elif k == '资金用途':
            cur['use'] = v
        elif k == '资金支出计划':
            cur['schedule'] = [x for x in re.split(r'[，,、｜|\s]+', v.translate(FW)) if x]
        elif k == '绩效目标':
            cur['goals'].append(v)
        elif k == '绩效指标':
            in_ind = True
    return {'department': dept, 'projects': projects, 'overall': overall}


def public(doc):
    """Drop the reader's private keys (the dump JSON shape)."""
    out = dict(doc)
    out['projects'] = []
    for p in doc['projects']:
        q = {k: v for k, v in p.items() if not k.startswith('_')}
        q['indicators'] = [{k: v for k, v in r.items() if not k.startswith('_')} for r in p['indicators']]
        out['projects'].append(q)
    return out


def check(path):
    from decimal import Decimal
    doc = read_source(path)
    year = doc['department']['year']
    with open(path, encoding='utf-8') as f:
        variant = '简明' if re.search(r'^项目表[:：]\s*简明', f.read(), re.M) else '完整'
    msgs = []
    names = {}
    codes = {}
    for p in doc['projects']:
        ln = p['_lines']
        for n, k in p.get('_dups', []):
            msgs.append((n, 'error', '字段重复：' + k))
        need = ['项目名称', '绩效指标'] + (['预算数', '财政资金', '资金支出计划'] if variant == '完整' else [])
        for k in need:
            if k not in ln:
                msgs.append((ln['start'], 'error', '缺少必填字段：%s（%s）' % (k, p['name'])))
        if not p['goals']:
            msgs.append((ln['start'], 'error', '缺少绩效目标（%s）' % p['name']))
        if p['name'] in names:
            msgs.append((ln['项目名称'], 'error', '项目名称重复：%s' % p['name']))
        names[p['name']] = 1
        if p['code']:
            if p['code'] in codes:
                msgs.append((ln['项目编码'], 'error', '项目编码重复：%s' % p['code']))
            codes[p['code']] = 1
            if not re.fullmatch(r'\d{6}\d{2}P[0-9A-Za-z]{12}', p['code']):
                msgs.append((ln['项目编码'], 'error', '项目编码格式不对：%s' % p['code']))
            elif p['code'][6:8] != year[2:]:
                msgs.append((ln['项目编码'], 'warning', '项目编码年度位与部门年度不符：%s' % p['code']))
        b = p['budget']
        if b and b['total'] is not None:
            tot = Decimal(b['total'])
            s = Decimal(b['fiscal'] or 0) + Decimal(b['other'] or 0)
            if tot != s:
                msgs.append((ln['预算数'], 'error', '预算数%s ≠ 财政资金%s + 其他资金%s（%s）'
                             % (b['total'], b['fiscal'], b['other'], p['name'])))
        if p['schedule'] is not None:
            s = p['schedule']
            ok = len(s) == 4 and all(re.fullmatch(r'\d+(\.\d+)?%', x) for x in s)
            if ok:
                v = [float(x[:-1]) for x in s]
                ok = all(v[i] <= v[i + 1] for i in range(3)) and v[3] == 100
            if not ok:
                msgs.append((ln['资金支出计划'], 'error', '资金支出计划不对：%s（%s）' % ('，'.join(s), p['name'])))
        seen1 = set()
        for r in p['indicators']:
            if r['l1'] not in L1:
                msgs.append((r['_line'], 'error', '一级指标不在指标体系中：%s（%s）' % (r['l1'], p['name'])))
            elif r['l2'] not in L2_ALL:
                msgs.append((r['_line'], 'error', '二级指标不在指标体系中：%s（%s）' % (r['l2'], p['name'])))
            elif PARENT[r['l2']] != r['l1']:
                msgs.append((r['_line'], 'error', '二级指标%s不属于一级指标%s（%s）' % (r['l2'], r['l1'], p['name'])))
            seen1.add(r['l1'])
        for l1 in L1:
            if l1 not in seen1:
                msgs.append((ln.get('绩效指标', ln['start']), 'warning', '缺少%s（%s）' % (l1, p['name'])))
    return msgs


if __name__ == '__main__':
    bad = 0
    for path in sys.argv[1:]:
        for n, level, msg in check(path):
            print('%s:%d: %s: %s' % (path, n, level, msg))
            bad += level == 'error'
    sys.exit(1 if bad else 0)

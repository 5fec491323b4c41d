"""Small helpers shared by seed2src.py and roundtrip.py (python3, stdlib only).

Only text-level helpers live here: cleaning extraction junk out of a piece of
seed text, canonical indicator names, amounts.  The two tools parse the seed
tables with their own, separate code, so that one tool checks the other.
"""

import re

# ---------------------------------------------------------------------------
# seeds

SEEDS = {
    '000': {
        'file': '000_c887e95a5caa2111.txt',
        'out': '2025-汉沽管理区人力资源和社会保障局.txt',
        'name': '汉沽管理区人力资源和社会保障局',
        'code': None,
        'year': '2025',
        'unit': None,
        'variant': '完整',
        'form_title': '项目绩效目标申报表',  # its forms are titled “1. 人才工作专项资金项目绩效目标申报表”
        'projects': 30,
    },
    '001': {
        'file': '001_da4bfa57d28e4591.txt',
        'out': '2023-开发区组织人事局.txt',
        'name': '开发区组织人事局',
        'code': '113',
        'year': '2023',
        'unit': None,
        'variant': '简明',
        'projects': 56,
    },
    '002': {
        'file': '002_1b5a530e573f6504.txt',
        'out': '2022-中共曹妃甸区委组织部.txt',
        'name': '中共曹妃甸区委组织部',
        'code': None,
        'year': '2022',
        'unit': '203001中共曹妃甸区委组织部本级',
        'variant': '完整',
        'projects': 31,
    },
    '003': {
        'file': '003_554df16629a70716.txt',
        'out': '2024-乐亭县人力资源和社会保障局.txt',
        'name': '乐亭县人力资源和社会保障局',
        'code': None,
        'year': '2024',
        'unit': '356001乐亭县人力资源和社会保障局本级',
        'variant': '完整',
        'projects': 16,
    },
}


def seed_id_of(path):
    """'…/002_1b5a….txt' -> '002'."""
    m = re.search(r'(\d{3})_[0-9a-f]+\.txt$', path)
    if m and m.group(1) in SEEDS:
        return m.group(1)
    for k, v in SEEDS.items():
        if path.endswith(v['file']):
            return k
    raise SystemExit('%s: not one of the known seeds' % path)


# ---------------------------------------------------------------------------
# text cleaning

BOOKMARK_RE = re.compile(r'\[bookmark: [^\]]*\]')


def is_wide(ch):
    """Characters around which a space is never meaningful (CJK text)."""
    return ord(ch) > 0x7f


def drop_extraction_spaces(s):
    """Remove spaces next to a CJK (non-ASCII) character.

    "组织 160 余人次" -> "组织160余人次", "城乡居 民" -> "城乡居民",
    "《工会法》 《工会章程》" -> "《工会法》《工会章程》".
    Spaces with ASCII on both sides ("Microsoft Word") are kept, collapsed to one.
    """
    out = []
    i = 0
    n = len(s)
    while i < n:
        ch = s[i]
        if ch in ' \u3000\u00a0':
            j = i
            while j < n and s[j] in ' \u3000\u00a0':
                j += 1
            before = out[-1] if out else ''
            after = s[j] if j < n else ''
            if before and after and not is_wide(before) and not is_wide(after):
                out.append(' ')
            i = j
            continue
        out.append(ch)
        i += 1
    return ''.join(out)


def clean(s):
    """Clean one piece of seed text (a cell or a prose line) into source text.

    Drops [bookmark: …] anchors, <p>…</p> tags, the LaTeX "$\\geq 90\\%$",
    tabs and line breaks (a cell's line break carries no meaning in the
    source: the generator re-wraps), and extraction spaces.
    """
    if s is None:
        return ''
    s = BOOKMARK_RE.sub('', s)
    s = s.replace('<p>', '').replace('</p>', '')
    s = re.sub(r'\$\\geq\s*([0-9.]+)\s*\\%\s*\$', r'≥\1%', s)
    s = s.replace('\t', ' ').replace('\r', '')
    s = s.replace('\n', ' ')
    s = drop_extraction_spaces(s)
    return s.strip()


def squash(s):
    """Comparison form: drop every kind of whitespace."""
    return re.sub(r'\s+', '', s or '')


# ---------------------------------------------------------------------------
# indicator names

L1 = ['产出指标', '效益指标', '满意度指标']
L2 = {
    '产出指标': ['数量指标', '质量指标', '时效指标', '成本指标'],
    '效益指标': ['经济效益指标', '社会效益指标', '生态效益指标', '可持续影响指标'],
    '满意度指标': ['服务对象满意度指标'],
}
L2_ALL = [x for v in L2.values() for x in v]
PARENT = {l2: l1 for l1, v in L2.items() for l2 in v}


def canon_name(s):
    """Canonical 一级/二级 indicator name for a seed spelling, '' for empty.

    Handles 效果指标, 实效指标, 可持续性影响(指标), missing 指标 suffix and
    names split by a line break ("产出\\n指标").  Unknown names are returned
    cleaned but otherwise unchanged.
    """
    t = squash(BOOKMARK_RE.sub('', s or ''))
    if not t:
        return ''
    t = t.replace('可持续性影响', '可持续影响')
    if not t.endswith('指标'):
        t += '指标'
    t = {'效果指标': '效益指标', '实效指标': '时效指标',
         '满意指标': '满意度指标'}.get(t, t)
    return t


# ---------------------------------------------------------------------------
# amounts

def amount(s):
    """'90万元' -> '90', ' 0' -> '0', '  ' -> '' (blank), '110.00' -> '110.00'."""
    t = squash(BOOKMARK_RE.sub('', s or ''))
    t = t.replace('万元', '')
    return t


def amount_value(s):
    """Numeric comparison value of an amount string; None for blank."""
    from decimal import Decimal, InvalidOperation
    t = amount(s or '')
    if t == '':
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return t

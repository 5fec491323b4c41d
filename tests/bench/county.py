#!/usr/bin/env python3
"""county.py — writes a synthetic county: N department sources of M projects each, for the
benchmark (tests/bench.sh) and the batch tests (tests/batch/run.sh).

The text is real: project names, uses, goals and indicator rows are taken from the sources in
input/ (the 完整 ones), the 整体绩效目标 from the same; amounts are varied with a seeded random
generator, so the same arguments always write the same bytes. Every second department also has
the budget data (the nine tables and the 情况说明) of input/2023-开发区组织人事局.txt, its amounts
multiplied by a small whole number so that every identity still holds exactly.

usage: county.py OUTDIR [--departments N] [--projects M] [--seed S]
"""
import argparse
import os
import random
import re
import sys
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INPUT = os.path.join(ROOT, "input")
BUDGET_SOURCE = "2023-开发区组织人事局.txt"
BUDGET_SECTIONS = ("【收入】", "【支出】", "【基本支出】", "【三公经费】", "【政府采购】", "【固定资产】",
                   "【机构设置】", "【上年】", "【情况说明】")
BUREAUS = ["人力资源和社会保障局", "教育局", "财政局", "民政局", "农业农村局", "卫生健康局", "交通运输局",
           "自然资源和规划局", "住房和城乡建设局", "水务局", "文化广电和旅游局", "市场监督管理局", "应急管理局",
           "生态环境分局", "统计局", "审计局", "司法局", "商务局", "科学技术局", "退役军人事务局",
           "医疗保障局", "林业局", "行政审批局", "档案馆", "机关事务服务中心"]


def sections(text):
    """(header lines, [(section title line, lines)]) of a source."""
    head, parts, cur = [], [], None
    for line in text.splitlines():
        if line.startswith("【"):
            cur = (line, [])
            parts.append(cur)
        elif cur is None:
            head.append(line)
        else:
            cur[1].append(line)
    return head, parts


def field(lines, name):
    for line in lines:
        if line.startswith(name + "："):
            return line[len(name) + 1:]
    return ""


def load_material():
    projects, overalls = [], []
    for name in sorted(os.listdir(INPUT)):
        if not name.endswith(".txt"):
            continue
        text = open(os.path.join(INPUT, name), encoding="utf-8").read()
        head, parts = sections(text)
        full = "项目表：简明" not in head
        dept = field(head, "部门")
        for title, lines in parts:
            if title == "【整体绩效目标】":
                overalls.append((dept, [l for l in lines if not l.startswith("#")]))
            elif title.startswith("【项目】") and full:
                rows, goals, inside = [], [], False
                for l in lines:
                    if l.startswith("绩效指标："):
                        inside = True
                    elif inside and "｜" in l:
                        rows.append(l)
                    elif l.startswith("绩效目标："):
                        goals.append(l)
                name_ = field(lines, "项目名称") or title[len("【项目】"):]
                # a number run into a sentence ("100全额用于…") is warned about: not that row
                bad = any(re.search(r"[0-9][\u4e00-\u9fff]{3,}", r.split("｜")[4] if r.count("｜") == 5 else "")
                          for r in rows)
                cells = [r.split("｜") for r in rows]
                bad = bad or any(len(c) != 6 or not all(c[2:5]) for c in cells)
                groups = {c[0] for c in cells}
                if name_ and goals and not bad and {"产出指标", "效益指标", "满意度指标"} <= groups:
                    projects.append({"name": name_, "use": field(lines, "资金用途"),
                                     "plan": field(lines, "资金支出计划"), "goals": goals, "rows": rows})
    return projects, overalls


def budget_block(dept, factor):
    """The budget sections of the 2023 sample for another department, amounts × factor."""
    text = open(os.path.join(INPUT, BUDGET_SOURCE), encoding="utf-8").read()
    _, parts = sections(text)
    out = []
    scaled = {"【收入】", "【支出】", "【基本支出】", "【三公经费】", "【上年】"}
    for title, lines in parts:
        if title not in BUDGET_SECTIONS:
            continue
        out.append(title)
        for l in lines:
            if l.startswith("#"):
                continue
            l = l.replace("开发区组织人事局", dept)
            if title in scaled:
                m = re.match(r"^(.*[｜：])([0-9]+(?:\.[0-9]+)?)$", l)
                if m:
                    l = m.group(1) + str(Decimal(m.group(2)) * factor)
            if l.startswith("包含："):
                l = "包含：共用/名词解释.txt"
            out.append(l)
        out.append("")
    return out


def amount(rng, lo, hi):
    return Decimal(rng.randint(lo * 100, hi * 100)) / 100


def department(rng, i, nprojects, material, with_budget):
    projects, overalls = material
    k = i // len(BUREAUS)
    name = "城关县" + BUREAUS[i % len(BUREAUS)] + (f"第{k + 1}分局" if k else "")
    lines = [f"# 合成的部门（tests/bench/county.py），第 {i + 1} 个", f"部门：{name}", f"部门编码：{300 + i}",
             "年度：2025", f"编报单位：{300 + i}001{name}本级", "项目表：完整", ""]
    if with_budget:
        lines += budget_block(name, rng.choice([1, 2, 3]))
    src_dept, overall = overalls[rng.randrange(len(overalls))]
    lines.append("【整体绩效目标】")
    lines += [l.replace(src_dept, name) for l in overall]
    lines.append("")
    used = {}
    for p in range(nprojects):
        src = projects[rng.randrange(len(projects))]
        pname = src["name"]
        used[pname] = used.get(pname, 0) + 1
        if used[pname] > 1:
            pname = f"{pname}（第{used[pname]}批）"
        total = amount(rng, 1, 3000)
        other = Decimal(0) if rng.random() < 0.7 else amount(rng, 0, int(total) // 2 if total > 2 else 0)
        lines += ["【项目】", f"项目名称：{pname}", "部分：项目", "项目编码：", f"预算数：{total}",
                  f"财政资金：{total - other}", f"其他资金：{other if other else ''}",
                  f"资金用途：{src['use']}", f"资金支出计划：{src['plan'] or '25%，50%，75%，100%'}"]
        lines += src["goals"]
        lines.append("绩效指标：")
        lines += [r for r in src["rows"] if "成本指标" not in r.split("｜")[1]]
        lines.append("")
    return name, "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--departments", type=int, default=100)
    ap.add_argument("--projects", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    material = load_material()
    os.makedirs(os.path.join(a.outdir, "共用"), exist_ok=True)
    with open(os.path.join(INPUT, "共用", "名词解释.txt"), encoding="utf-8") as f:
        shared = f.read()
    with open(os.path.join(a.outdir, "共用", "名词解释.txt"), "w", encoding="utf-8") as f:
        f.write(shared)
    for i in range(a.departments):
        name, text = department(rng, i, a.projects, material, i % 2 == 0)
        with open(os.path.join(a.outdir, f"{i + 1:03d}-{name}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

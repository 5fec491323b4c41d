#!/usr/bin/python3
"""tests/import/make_fixtures.py — writes the documents of tests/import/fixtures/ that other writers
than budgetgen produce (checked in, so the test needs neither python-docx nor LibreOffice):
  other-layout.docx  python-docx: a department title, one table per project with the labels in
                     other places (two columns, 预算数 with 万元 and thousands separators), goals as
                     paragraphs of one cell, the indicator table's 一级/二级 merged by python-docx
                     (vMerge), text in several runs, a tracked change (w:ins kept, w:del dropped), a
                     content control (w:sdt) and a field (its displayed result), a nested table;
  one-sheet.xlsx     openpyxl: every project on one sheet, labels in column A, merged 一级 cells,
                     amounts as numbers with a "#,##0.00" format, percentages as numbers with "0%";
  per-sheet.xlsx     openpyxl: one sheet per project, no title row, shared strings;
  lo-resaved.docx    (only with --lo) the 2024 sample's .docx re-saved by LibreOffice.
usage: /usr/bin/python3 tests/import/make_fixtures.py [--lo BUDGETGEN]"""
import copy
import os
import subprocess
import sys
import tempfile

import docx
import openpyxl
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from openpyxl.styles import Alignment

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

PROJECTS = [
    {"name": "技能培训补贴", "code": "13022524P0008F010099A", "total": "1,250.50万元", "fiscal": "1250.50",
     "other": "", "use": "用于职业技能培训补贴。", "sched": [25, 50, 75, 100],
     "goals": ["完成职业技能培训1000人次", "培训合格率达到90%"],
     "rows": [["产出指标", "数量指标", "培训人次", "全年培训人次", "≥1000人次", "年度计划"],
              ["产出指标", "质量指标", "培训合格率", "培训合格率", "≥90%", "年度计划"],
              ["效益指标", "社会效益指标", "就业率", "培训后就业率", "≥60%", "年度计划"],
              ["满意度指标", "服务对象满意度指标", "学员满意度", "学员满意度", "≥95%", "问卷调查"]]},
    {"name": "劳动监察经费", "code": "13022524P0008F010098B", "total": "30", "fiscal": "30",
     "other": "", "use": "用于劳动保障监察。", "sched": [20, 50, 80, 100],
     "goals": ["查处拖欠工资案件"],
     "rows": [["产出指标", "数量指标", "检查企业数", "全年检查企业数", "≥200家", "年度计划"],
              ["产出指标", "时效指标", "结案及时率", "案件按时结案率", "≥95%", "年度计划"],
              ["满意度指标", "服务对象满意度指标", "群众满意度", "群众满意度", "≥95%", "回访"]]},
]
DEPT, YEAR, UNIT = "某某县人力资源和社会保障局", "2024", "356001某某县人力资源和社会保障局本级"


def runs(par, text, pieces=3):
    """text in several runs"""
    step = max(1, len(text) // pieces)
    for i in range(0, len(text), step):
        par.add_run(text[i:i + step])


def other_layout_docx(path):
    d = docx.Document()
    runs(d.add_paragraph(), f"{DEPT}{YEAR}年部门预算绩效目标")
    d.add_paragraph("第二部分　预算项目绩效目标")
    for k, p in enumerate(PROJECTS):
        d.add_paragraph(f"{k + 1}.{p['name']}绩效目标表")
        d.add_paragraph(f"单位名称：{UNIT}")
        t = d.add_table(rows=0, cols=4)
        for label, value in (("项目名称", p["name"]), ("项目编码", p["code"]), ("预算数", p["total"]),
                             ("其中：财政资金", p["fiscal"]), ("其他资金", p["other"]), ("资金用途", p["use"])):
            row = t.add_row().cells
            row[0].text = label
            runs(row[1].paragraphs[0], value)
            row[1].merge(row[3])
        row = t.add_row().cells
        row[0].text = "资金支出计划（%）"
        for i, m in enumerate(("3月底", "6月底", "10月底", "12月底")):
            if i:
                row[i].text = m
        row = t.add_row().cells  # labels in the first row, values under them
        row[0].text = "3月底"
        row2 = t.add_row().cells
        for i, v in enumerate(p["sched"]):
            row2[i].text = f"{v}%"
        # the months: one row of labels, one of values
        t.rows[-3].cells[0].text = "资金支出计划（%）"
        for i, m in enumerate(("3月底", "6月底", "10月底", "12月底")):
            t.rows[-2].cells[i].text = m
        row = t.add_row().cells
        row[0].text = "绩效目标"
        cell = row[1].merge(row[3])
        cell.text = p["goals"][0]
        for g in p["goals"][1:]:
            cell.add_paragraph(g)
        # indicators, 一级 and 二级 merged down where they repeat
        it = d.add_table(rows=1, cols=6)
        for i, h in enumerate(("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")):
            it.rows[0].cells[i].text = h
        start = {}
        for r in p["rows"]:
            cells = it.add_row().cells
            for i, v in enumerate(r):
                cells[i].text = v
        n = len(p["rows"])
        for col in (0,):
            top = 1
            for r in range(2, n + 2):
                if r == n + 1 or p["rows"][r - 1][col] != p["rows"][top - 1][col]:
                    if r - 1 > top:
                        a, b = it.cell(top, col), it.cell(r - 1, col)
                        a.merge(b).text = p["rows"][top - 1][col]
                    top = r
    # a tracked change, a content control and a field in the first project's 资金用途
    body = d.element.body
    tbl = body.findall(qn("w:tbl"))[0]
    use_cell = tbl.findall(qn("w:tr"))[5].findall(qn("w:tc"))[1]
    par = use_cell.find(qn("w:p"))
    par.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z">'
                         '<w:r><w:delText>（删去的字）</w:delText></w:r></w:del>'))
    par.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z">'
                         '<w:r><w:t>含实训</w:t></w:r></w:ins>'))
    par.append(parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="备注"/></w:sdtPr><w:sdtContent>'
                         '<w:r><w:t>（市级</w:t></w:r></w:sdtContent></w:sdt>'))
    par.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'))
    par.append(parse_xml(f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> DOCPROPERTY 类别 </w:instrText></w:r>'))
    par.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'))
    par.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>专项</w:t></w:r>'))
    par.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))
    par.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>）</w:t></w:r>'))
    # a nested table: the second project's indicator table moved into a one-cell layout table
    tables = body.findall(qn("w:tbl"))
    inner = tables[3]
    outer = parse_xml(f'<w:tbl {nsdecls("w")}><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc>'
                      '<w:p><w:r><w:t>绩效指标</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')
    inner.addprevious(outer)
    tc = outer.find(qn("w:tr")).find(qn("w:tc"))
    tc.append(inner)
    tc.append(parse_xml(f'<w:p {nsdecls("w")}/>'))
    d.core_properties.title = ""
    d.save(path)


def one_sheet_xlsx(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目绩效目标"
    ws.append([f"{DEPT}{YEAR}年部门预算项目绩效目标表"])
    ws.merge_cells("A1:F1")
    for p in PROJECTS:
        ws.append([])
        ws.append([f"{p['name']}绩效目标表"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=6)
        ws.append(["单位名称：" + UNIT])
        ws.append(["项目编码", p["code"], None, "项目名称", p["name"]])
        total = float(p["total"].replace(",", "").replace("万元", ""))
        ws.append(["预算数", total, "其中：财政资金", float(p["fiscal"]), "其他资金", None])
        r = ws.max_row
        ws.cell(r, 2).number_format = "#,##0.00"
        ws.cell(r, 4).number_format = "#,##0.00"
        ws.append(["资金用途", p["use"]])
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=6)
        ws.append(["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"])
        ws.append([None] + [v / 100 for v in p["sched"]])
        for c in range(2, 6):
            ws.cell(ws.max_row, c).number_format = "0%"
        ws.merge_cells(start_row=ws.max_row - 1, start_column=1, end_row=ws.max_row, end_column=1)
        for i, g in enumerate(p["goals"]):
            ws.append(["绩效目标" if i == 0 else None, f"目标{i + 1}", g])
        if len(p["goals"]) > 1:
            ws.merge_cells(start_row=ws.max_row - len(p["goals"]) + 1, start_column=1, end_row=ws.max_row,
                           end_column=1)
        ws.append(["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"])
        top = None
        for r in p["rows"]:
            ws.append(r)
            row = ws.max_row
            if top and ws.cell(top, 1).value == r[0]:
                ws.cell(row, 1).value = None
                if ws.cell(row - 1, 1).value is None or row - 1 == top:
                    pass
            else:
                top = row
        # merge the repeated 一级 cells
        start = None
        for row in range(ws.max_row - len(p["rows"]) + 1, ws.max_row + 2):
            v = ws.cell(row, 1).value if row <= ws.max_row else "end"
            if v is not None:
                if start and row - 1 > start:
                    ws.merge_cells(start_row=start, start_column=1, end_row=row - 1, end_column=1)
                start = row
    wb.save(path)


def per_sheet_xlsx(path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for p in PROJECTS:
        ws = wb.create_sheet(p["name"])
        ws.append(["部门", DEPT, "年度", f"{YEAR}年部门预算"])
        ws.append(["项目名称", p["name"], "项目编码", p["code"]])
        ws.append(["预算数", p["total"], "财政资金", p["fiscal"], "其他资金", ""])
        ws.append(["资金用途", p["use"]])
        ws.append(["资金支出计划", "3月底", "6月底", "10月底", "12月底"])
        ws.append([""] + [f"{v}%" for v in p["sched"]])
        ws.append(["绩效目标", "\n".join(p["goals"])])
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True)
        ws.append(["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"])
        for r in p["rows"]:
            ws.append(r)
    wb.save(path)


def lo_resaved(prog, path):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([prog, "build", "-q", "-o", tmp + "/out", "input/2024-乐亭县人力资源和社会保障局.txt"],
                       check=True)
        src = tmp + "/out/2024-乐亭县人力资源和社会保障局/2024年部门预算绩效目标.docx"
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                        "docx:MS Word 2007 XML", "--outdir", tmp + "/lo", src], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.replace(tmp + "/lo/2024年部门预算绩效目标.docx", path)


os.makedirs(HERE, exist_ok=True)
other_layout_docx(os.path.join(HERE, "other-layout.docx"))
one_sheet_xlsx(os.path.join(HERE, "one-sheet.xlsx"))
per_sheet_xlsx(os.path.join(HERE, "per-sheet.xlsx"))
if len(sys.argv) > 2 and sys.argv[1] == "--lo":
    lo_resaved(os.path.abspath(sys.argv[2]), os.path.join(HERE, "lo-resaved.docx"))

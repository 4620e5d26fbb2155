"""Build ``feedback_letter.docx``, the office-editable template of the 情况反馈 letter.

Run once (``python -m workbench.templates.build_letter_template``) to regenerate the shipped
template; offices then edit the .docx in Word — wording, fonts, letterhead — keeping the
``{{ placeholders }}``. Layout follows the usual official-document style (GB/T 9704): 文号 line,
title in 小标宋 22 pt, addressee, body in 仿宋_GB2312 16 pt with a two-character indent, numbered
headings in 黑体, issuing office and date at the bottom right. Every run names its East-Asian font
(``w:eastAsia``), with Noto CJK as the fallback LibreOffice and Linux machines find.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
BODY_FONT = ("FangSong", "仿宋_GB2312")  # (Latin, East Asian)
TITLE_FONT = ("Noto Serif CJK SC", "方正小标宋简体")
HEADING_FONT = ("SimHei", "黑体")


def set_fonts(run, fonts: tuple[str, str], size: float, bold: bool = False) -> None:
    latin, east = fonts
    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)


def para(doc_or_cell, text: str, fonts=BODY_FONT, size: float = 16, align=None, indent: bool = True,
         bold: bool = False):
    p = doc_or_cell.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    set_fonts(p.add_run(text), fonts, size, bold)
    return p


def official_document() -> Document:
    """An empty A4 document laid out as a Chinese official document: GB/T 9704 margins and
    3号 (16 pt) body text in the East-Asian body font."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT[0], Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT[1])
    return doc


def build(path: Path = HERE / "feedback_letter.docx") -> Path:
    doc = official_document()

    para(doc, "{{ office }}", TITLE_FONT, 26, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para(doc, "{{ doc_no }}", BODY_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para(doc, "", indent=False)
    para(doc, "关于{{ year }}年度机构编制事项跟踪问效情况的反馈意见", TITLE_FONT, 22,
         WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para(doc, "", indent=False)
    para(doc, "{{ unit_name }}:", indent=False)
    para(doc, "按照{{ area_name }}{{ year }}年度机构编制事项跟踪问效工作安排,我办于{{ eval_date }}对你单位"
              "{{ matters|length }}项机构编制事项的落实情况进行了跟踪问效。经调查摸底、自评自查、现场核查和"
              "综合评定,现将有关情况反馈如下。")
    para(doc, "一、综合评定情况", HEADING_FONT, 16)
    para(doc, "你单位问效事项综合完成度为{{ unit_pct }}%,等次为“{{ unit_band }}”,在本轮{{ n_units }}个"
              "被问效单位中位列第{{ unit_rank }}位。各事项得分情况如下:")
    table = doc.add_table(rows=3, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    heads = ["事项编号", "批复文号", "事项类别", "得分", "完成度", "等次"]
    cells = ["{{ m.matter_id }}", "{{ m.doc_no }}", "{{ m.category }}", "{{ m.score }}",
             "{{ m.completion_pct }}%", "{{ m.band }}"]
    for j, h in enumerate(heads):
        set_fonts(table.rows[0].cells[j].paragraphs[0].add_run(h), HEADING_FONT, 12)
    row_for = table.rows[1].cells[0].paragraphs[0]
    set_fonts(row_for.add_run("{%tr for m in matters %}"), BODY_FONT, 12)
    for j, c in enumerate(cells):
        set_fonts(table.rows[2].cells[j].paragraphs[0].add_run(c), BODY_FONT, 12)
    end = table.add_row()
    set_fonts(end.cells[0].paragraphs[0].add_run("{%tr endfor %}"), BODY_FONT, 12)
    # Fixed widths (15.2 cm of the 15.6 cm text block) so 文号 such as 潍编〔2017〕23号 stay on one line.
    table.autofit = False
    widths = [Cm(w) for w in (2.6, 4.4, 2.2, 2.0, 2.4, 1.6)]
    for column, width in zip(table.columns, widths):
        column.width = width  # the grid, which LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width  # each cell, which Word reads
    para(doc, "二、存在的问题及整改要求", HEADING_FONT, 16)
    para(doc, "{%p if items %}", indent=False)
    para(doc, "{%p for it in items %}", indent=False)
    para(doc, "{{ loop.index }}. “{{ it.matter }}”({{ it.doc_no }}):{{ it.problem }}。"
              "整改要求:{{ it.requirement }}。整改期限:{{ it.deadline }}前。")
    para(doc, "{%p endfor %}", indent=False)
    para(doc, "{%p else %}", indent=False)
    para(doc, "经核查,你单位问效事项已全部落实到位,未发现需要整改的问题。")
    para(doc, "{%p endif %}", indent=False)
    para(doc, "三、有关要求", HEADING_FONT, 16)
    para(doc, "请你单位对照上述问题认真整改,于整改期限前将整改情况书面报送我办。对设立类事项得分低于60%,且未在"
              "规定时限完成整改的,将按照管理权限提出机构撤并或核减编制的处理意见;对落实不到位且未在规定时限"
              "完成整改,或整改后仍不符合要求的,暂停受理你单位机构编制事项申请。")
    para(doc, "", indent=False)
    para(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para(doc, "{{ issued_on }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para(doc, "(联系人:{{ contact }})", size=14, indent=True)
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())

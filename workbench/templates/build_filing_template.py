"""Build ``filing_letter.docx``, the office-editable template of the county's 报备函.

Run once (``python -m workbench.templates.build_filing_template``) to regenerate the shipped
template; offices then edit the .docx in Word, keeping the ``{{ placeholders }}``. Same GB/T 9704
official-document layout and East-Asian fonts as the feedback letter (``build_letter_template``):
文号 line, title in 小标宋, addressee (the city office), body in 仿宋_GB2312 with a
two-character indent, numbered headings in 黑体, the filing office and date at the bottom right,
the 版记 (印发 only: a filing is copied to no one) at the foot of the last page.
"""

from __future__ import annotations

from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH

from .build_letter_template import (
    BODY_FONT,
    HEADING_FONT,
    TITLE_FONT,
    heading,
    imprint,
    official_document,
    para,
    red_header,
    set_fonts,
    signature,
)

HERE = Path(__file__).resolve().parent


def build(path: Path = HERE / "filing_letter.docx") -> Path:
    doc = official_document()

    red_header(doc)
    para(doc, "关于报备{{ year }}年度{{ area_name }}机构编制事项跟踪问效工作情况的函", TITLE_FONT, 22,
         WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para(doc, "", indent=False)
    para(doc, "{{ city_office }}:", indent=False)
    para(doc, "按照《{{ city_name }}机构编制事项跟踪问效实施办法》关于{{ filer_level }}机构编制部门将问效开展情况以书面形式"
              "报{{ city_short }}备案的要求,现将我办{{ year }}年度机构编制事项跟踪问效工作情况报备如下。")
    heading(doc, "一、问效范围和工作开展情况")
    para(doc, "本轮问效将{{ window_start }}至{{ window_end }}期间公布实施的机构编制事项纳入范围,于{{ eval_date }}"
              "组织实施,共对{{ n_units }}个被问效对象的{{ n_matters }}个问效事项进行了跟踪问效。现场核查中调阅文件资料"
              "{{ documents }}件,询问问题{{ questions }}个,调查核实有关事项{{ items_verified }}项,征求意见建议"
              "{{ suggestions }}条。{{ feedback_on }}已向被问效对象书面反馈。")
    heading(doc, "二、综合评定结果")
    para(doc, "问效事项平均完成情况百分比为{{ mean_pct }}%。各等次事项数如下:")
    table = doc.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j, h in enumerate(["等次", "事项数", "占比"]):
        set_fonts(table.rows[0].cells[j].paragraphs[0].add_run(h), HEADING_FONT, 12)
    set_fonts(table.rows[1].cells[0].paragraphs[0].add_run("{%tr for b in bands %}"), BODY_FONT, 12)
    for j, c in enumerate(["{{ b.band }}", "{{ b.count }}", "{{ b.share }}%"]):
        set_fonts(table.rows[2].cells[j].paragraphs[0].add_run(c), BODY_FONT, 12)
    end = table.add_row()
    set_fonts(end.cells[0].paragraphs[0].add_run("{%tr endfor %}"), BODY_FONT, 12)
    heading(doc, "三、整改和结果运用情况")
    para(doc, "共下达整改事项{{ n_items }}项,截至报备之日已复查通过{{ n_passed }}项,其余正在督促整改。"
              "按照结果运用规定形成处理意见{{ n_decisions }}项。")
    heading(doc, "四、附件")
    para(doc, "随函报送电子报备包({{ package_name }}),包含问效结果表、单位排名、工作量统计、整改事项及状态、"
              "结果运用决定{{ letters_note }},各文件附SHA-256校验值。")
    signature(doc, "{{ office }}", "{{ filed_on }}")
    para(doc, "(联系人:{{ contact }})", size=16, indent=True)
    imprint(doc, cc=None, printed_by="{{ office }}", printed_on="{{ filed_on }}")
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())

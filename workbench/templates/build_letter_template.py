"""Build ``feedback_letter.docx``, the office-editable template of the 情况反馈 letter.

Run once (``python -m workbench.templates.build_letter_template``) to regenerate the shipped
template; offices then edit the .docx in Word — wording, fonts, letterhead — keeping the
``{{ placeholders }}``. Layout follows GB/T 9704-2012 (党政机关公文格式): the red 发文机关标志
with the 文号 and the red line under it, title in 小标宋 22 pt ending in "的函", addressee, body in
仿宋_GB2312 16 pt with a two-character indent, numbered headings in 黑体 kept with what follows,
issuing office and date at the bottom right, the 版记 (抄送, 印发) floating at the foot of the last
page and page numbers "— N —" at the outside corners. The same template writes the 更正函
(``corrects``). Every run names its East-Asian font
(``w:eastAsia``), with Noto CJK as the fallback LibreOffice and Linux machines find.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor

HERE = Path(__file__).resolve().parent
BODY_FONT = ("FangSong", "仿宋_GB2312")  # (Latin, East Asian)
TITLE_FONT = ("Noto Serif CJK SC", "方正小标宋简体")
HEADING_FONT = ("SimHei", "黑体")
PAGE_FONT = ("SimSun", "宋体")  # the page number: 半角宋体
RED = "FF0000"


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
    """An empty A4 document laid out as a Chinese official document: GB/T 9704 margins,
    3号 (16 pt) body text in the East-Asian body font, page numbers at the outside corners."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT[0], Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT[1])
    page_numbers(doc)
    return doc


def _border(p, side: str, size_eighths: int, color: str = RED, space: int = 4) -> None:
    """A line along one side of a paragraph (``size_eighths``: width in 1/8 pt)."""
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    line = OxmlElement(f"w:{side}")
    for k, v in (("val", "single"), ("sz", str(size_eighths)), ("space", str(space)), ("color", color)):
        line.set(qn(f"w:{k}"), v)
    bdr.append(line)


def _page_field(p, fonts, size: float) -> None:
    """"— N —": the page number between two 一字线 (GB/T 9704 §7.5)."""
    set_fonts(p.add_run("— "), fonts, size)
    number = p.add_run("1")  # shown until the PAGE field is updated
    set_fonts(number, fonts, size)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number._r.addprevious(field)
    field.append(number._r)
    set_fonts(p.add_run(" —"), fonts, size)


def page_numbers(doc: Document) -> None:
    """Page numbers in 4号 (14 pt) 半角宋体, 7 mm under the text block: odd pages at the right,
    even pages at the left, one character in from the edge (GB/T 9704 §7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    sec.footer_distance = Cm(2.2)
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        fmt = p.paragraph_format
        fmt.right_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
        fmt.left_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.LEFT else None
        _page_field(p, PAGE_FONT, 14)


def red_header(doc: Document, office: str = "{{ office }}", doc_no: str = "{{ doc_no }}") -> None:
    """The 版头: the 发文机关标志 in red 小标宋, centred, 35 mm under the top of the text block;
    two lines below it the 发文字号, centred; 4 mm under that a red line as wide as the text block
    (GB/T 9704 §7.2)."""
    mark = para(doc, office, TITLE_FONT, 30, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    mark.paragraph_format.space_before = Pt(99)  # 35 mm
    mark.paragraph_format.line_spacing = Pt(44)
    mark.runs[0].font.color.rgb = RGBColor.from_string(RED)
    para(doc, "", indent=False)
    para(doc, "", indent=False)
    number = para(doc, doc_no, BODY_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _border(number, "bottom", 12, space=11)  # 1.5 pt, 4 mm under the 文号
    para(doc, "", indent=False)


def heading(doc, text: str):
    """A numbered heading in 黑体 that never stays alone at the foot of a page."""
    p = para(doc, text, HEADING_FONT, 16)
    p.paragraph_format.keep_with_next = True
    return p


def signature(doc, office: str, dated: str) -> None:
    """The 发文机关署名 and 成文日期, the date four characters in from the right (§7.3.5.2)."""
    para(doc, "", indent=False)
    for text in (office, dated):
        p = para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        p.paragraph_format.right_indent = Pt(16 * 4) if text == dated else Pt(16 * 2)
        p.paragraph_format.keep_with_next = text == office


def _el(tag: str, **attrs) -> OxmlElement:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def _imprint_table(doc, rows: int):
    """A one-column table as wide as the text block, floating at the foot of the page's text
    block (``w:tblpPr``, vertical: bottom of the margin box). A floating object is kept clear of
    the body: where the body leaves no room, LibreOffice moves the table, with the paragraph that
    anchors it, to the next page (the render tests check this; Word wraps text round a floating
    table too, not checked here). LibreOffice (7.4) floats a table only if text could stand beside
    it — narrower than the text block, or placed from the page edge — so it is placed from the
    page's left edge at the left margin, not centred in the text block (that would print inline,
    after the signature)."""
    table = doc.add_table(rows=rows, cols=1)
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    sec = doc.sections[0]
    width = Emu(sec.page_width - sec.left_margin - sec.right_margin)
    borders = _el("w:tblBorders")
    # first and last lines 0.35 mm (1 pt), the one between 0.25 mm (3/4 pt): §7.4.1
    for side, size in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 6), ("insideV", 0)):
        borders.append(_el(f"w:{side}", val="single" if size else "nil", sz=size, space=0, color="000000"))
    margins = _el("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(_el(f"w:{side}", w=0, type="dxa"))
    # children in the schema's order, which Word insists on; half a line (4号) kept clear above it,
    # so that the 成文日期 never touches the first line
    tbl_pr.extend([
        _el("w:tblpPr", leftFromText=0, rightFromText=0, topFromText=Pt(14).twips, bottomFromText=0,
            vertAnchor="margin", horzAnchor="page", tblpX=sec.left_margin.twips, tblpYSpec="bottom"),
        _el("w:tblOverlap", val="never"), _el("w:tblW", w=width.twips, type="dxa"), borders,
        _el("w:tblLayout", type="fixed"), margins])
    table.columns[0].width = width
    for row in table.rows:
        row.cells[0].width = width
    return table


def imprint(doc, cc: str | None = "{{ cc }}", printed_by: str = "{{ printed_by }}",
            printed_on: str = "{{ issued_on }}", cc_if: str | None = "cc") -> None:
    """The 版记 at the foot of the last page (§7.4, figure 10): 抄送 (``cc``; none if ``None``; its
    row kept only if ``cc_if`` holds when the template is filled) and 印发机关 with 印发日期 at the
    right, in 4号 仿宋, one character in from each side, between a thick first line, a thin line
    between the two, and a thick last line on the bottom edge of the text block. Being the last
    thing of the document, it floats at the foot of the page the signature ends on, or of a page of
    its own when the body leaves no room."""
    rows = [] if cc is None else [f"抄送:{cc}。"]
    if rows and cc_if:
        rows = [f"{{%tr if {cc_if} %}}", *rows, "{%tr endif %}"]
    table = _imprint_table(doc, len(rows) + 1)
    for row, text in zip(table.rows, [*rows, f"{printed_by}\t{printed_on}印发"]):
        p = row.cells[0].paragraphs[0]
        fmt = p.paragraph_format
        fmt.left_indent = fmt.right_indent = Pt(14)
        fmt.line_spacing, fmt.space_before, fmt.space_after = Pt(28), Pt(0), Pt(0)
        # right tab on the right indent: the date ends one character in from the right
        fmt.tab_stops.add_tab_stop(table.columns[0].width - Pt(14), WD_TAB_ALIGNMENT.RIGHT)
        set_fonts(p.add_run(text), BODY_FONT, 14)
    # the paragraph a document must end with, which anchors the table: 1 pt high, so that it
    # never pushes the 版记 onto a page of its own
    anchor = doc.add_paragraph()
    anchor.paragraph_format.line_spacing, anchor.paragraph_format.space_after = Pt(1), Pt(0)
    set_fonts(anchor.add_run(""), BODY_FONT, 1)


def build(path: Path = HERE / "feedback_letter.docx") -> Path:
    doc = official_document()
    red_header(doc)
    para(doc, "{%p if corrects %}", indent=False)
    para(doc, "关于更正{{ year }}年度机构编制事项跟踪问效情况反馈意见的函", TITLE_FONT, 22,
         WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para(doc, "{%p else %}", indent=False)
    para(doc, "关于反馈{{ year }}年度机构编制事项跟踪问效情况的函", TITLE_FONT, 22,
         WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    para(doc, "{%p endif %}", indent=False)
    para(doc, "", indent=False)
    para(doc, "{{ unit_name }}:", indent=False)
    para(doc, "{%p if corrects %}", indent=False)
    para(doc, "我办于{{ corrects.issued_on }}向你单位发出的《关于反馈{{ year }}年度机构编制事项跟踪问效情况的函》"
              "({{ corrects.doc_no }})因{{ reason }},现予更正。更正后的反馈意见如下,原函同时作废。")
    para(doc, "{%p else %}", indent=False)
    para(doc, "按照{{ area_name }}{{ year }}年度机构编制事项跟踪问效工作安排,我办于{{ eval_date }}对你单位"
              "{{ matters|length }}项机构编制事项的落实情况进行了跟踪问效。经调查摸底、自评自查、现场核查和"
              "综合评定,现将有关情况反馈如下。")
    para(doc, "{%p endif %}", indent=False)
    heading(doc, "一、综合评定情况")
    para(doc, "你单位问效事项综合完成情况百分比为{{ unit_pct }}%,等次为“{{ unit_band }}”,在本轮{{ n_units }}个"
              "被问效单位中位列第{{ unit_rank }}位。各事项得分情况如下:")
    table = doc.add_table(rows=3, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    heads = ["事项编号", "批复文号", "事项类别", "得分", "完成情况百分比", "等次"]
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
    heading(doc, "二、存在的问题及整改要求")
    para(doc, "{%p if items %}", indent=False)
    para(doc, "{%p for it in items %}", indent=False)
    para(doc, "{{ loop.index }}. “{{ it.matter }}”({{ it.doc_no }}):{{ it.problem }}。"
              "整改要求:{{ it.requirement }}。整改期限:{{ it.deadline }}前。")
    para(doc, "{%p endfor %}", indent=False)
    para(doc, "{%p elif all_verified and all_full %}", indent=False)
    para(doc, "经核查,你单位问效事项已全部落实到位,未发现需要整改的问题。")
    para(doc, "{%p else %}", indent=False)
    para(doc, "本次不下达限期整改事项。请你单位对照上表中未得满分的指标自查完善。")
    para(doc, "{%p endif %}", indent=False)
    heading(doc, "三、有关要求")
    para(doc, "请你单位对照上述问题认真整改,于整改期限前将整改情况书面报送我办。对设立类事项得分低于60%,且未在"
              "规定时限完成整改的,将按照管理权限提出机构撤并或核减编制的处理意见;对落实不到位且未在规定时限"
              "完成整改,或整改后仍不符合要求的,暂停受理你单位机构编制事项申请。")
    signature(doc, "{{ office }}", "{{ issued_on }}")
    para(doc, "{%p if contact %}", indent=False)
    para(doc, "(联系人:{{ contact }})", size=16, indent=True)
    para(doc, "{%p endif %}", indent=False)
    imprint(doc)
    doc.save(path)
    return path


if __name__ == "__main__":
    print(build())

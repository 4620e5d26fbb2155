"""The letters in official form (GB/T 9704-2012), rendered as a unit would see them: the feedback
letter, the 更正函 and the 报备函 converted to PDF by LibreOffice, the first page to an image, then
looked at — red pixels in the 版头 band, one red line across the text block, the page number
"— 1 —" and the 文号 on page 1. One rendered letter is kept as docs/letter.png and
docs/letter-last-page.png.

The 版记 (抄送, 印发) is measured on the PDF: on the last page, its last separator line on the
bottom edge of the text block, the 印发 line just above it, nothing of the body below its first
line — for letters of one page, of two and of four, and for a body that leaves the last page no
room (the 版记 then stands on a page of its own)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from followup_support import build_round

from workbench.archive.store import Archive
from workbench.filing.package import package_files, render_cover
from workbench.followup import rectification as R
from workbench.followup.letters import check_context, correct_letter, issue_letters, render_letter
from workbench.templates.build_letter_template import (
    imprint,
    official_document,
    para,
    red_header,
    signature,
)

ROOT = Path(__file__).resolve().parents[2]
ISSUED = date(2018, 5, 20)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftoppm"),
                                                   reason="needs LibreOffice and poppler")]


MM = 72 / 25.4  # PDF points per millimetre
TEXT_TOP, TEXT_BOTTOM, TEXT_LEFT, TEXT_WIDTH = 37.0, 37.0 + 225.0, 28.0, 156.0  # GB/T 9704 §5.2, in mm
CHAR_4 = 14 / MM  # one character of 4号 (14 pt), in mm


def to_pdf(tmp_path: Path, *docx: Path) -> list[Path]:
    """The PDFs LibreOffice makes of the documents (one run for all: it starts slowly)."""
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *map(str, docx)], check=True, capture_output=True, timeout=300)
    return [tmp_path / (d.stem + ".pdf") for d in docx]


def first_page(docx: Path, tmp_path: Path, dpi: int = 50) -> tuple[np.ndarray, str]:
    """(RGB pixels of page 1, text of page 1)."""
    (pdf,) = to_pdf(tmp_path, docx)
    text = subprocess.run(["pdftotext", "-layout", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    stem = tmp_path / docx.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)], check=True)
    raw = (tmp_path / (docx.stem + ".ppm")).read_bytes()
    _, w, h, _, pixels = raw.split(maxsplit=4)  # P6 header: magic, width, height, maxval
    return np.frombuffer(pixels, np.uint8).reshape(int(h), int(w), 3), text


def red(img: np.ndarray) -> np.ndarray:
    r, g, b = (img[..., i].astype(int) for i in range(3))
    return (r > 180) & (g < 90) & (b < 90)


def check_official(img: np.ndarray, text: str, doc_no: str) -> None:
    h, w = img.shape[:2]
    mask = red(img)
    band = mask[: int(h * 0.5)]
    assert band.sum() > 300, "the 发文机关标志 is red"
    assert mask[int(h * 0.5):].sum() == 0, "nothing red below the 版头"
    rows = mask.sum(axis=1)
    line = int(np.argmax(rows))
    assert rows[line] > 0.7 * (w * 15.6 / 21.0), "a red line as wide as the text block"
    assert rows[:line].sum() > rows[line], "the red mark stands above the red line"
    assert "— 1 —" in text.replace("—1—", "— 1 —")
    assert doc_no in text.replace(" ", "")


@pytest.fixture
def issued(tmp_path, catalogue):
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    props = R.propose_items(archive, rid, catalogue)
    R.confirm_items(archive, rid, props, by="王建华", on=ISSUED, deadline=date(2018, 8, 31), catalogue=catalogue)
    paths = issue_letters(archive, rid, tmp_path / "out", ISSUED, by="王建华", catalogue=catalogue, cc="市委组织部")
    return archive, rid, paths


def test_letter_first_page_is_in_official_form(issued, tmp_path):
    archive, rid, paths = issued
    letter = next(p for p in paths if "C2" in p.name)
    img, text = first_page(letter, tmp_path, dpi=60)
    check_official(img, text, "潍编办函〔2018〕2号")
    assert "关于反馈2018年度机构编制事项跟踪问效情" in text.replace(" ", "")
    docs = ROOT / "docs"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / (letter.stem + ".pdf")), str(docs / "letter")], check=True)
    assert (docs / "letter.png").stat().st_size > 10_000


def test_corrected_letter_first_page_cites_the_letter_it_corrects(issued, tmp_path, catalogue):
    archive, rid, _ = issued
    path = correct_letter(archive, rid, "C2", "完成度计算有误", "王建华", tmp_path / "fix", date(2018, 6, 1),
                          catalogue=catalogue)
    img, text = first_page(path, tmp_path)
    check_official(img, text, "潍编办函〔2018〕4号")
    flat = text.replace(" ", "").replace("\n", "")
    assert "更正" in flat and "潍编办函〔2018〕2号" in flat and "2018年5月20日" in flat


def test_filing_letter_first_page_is_in_official_form(demo_archive, tmp_path, catalogue):
    rid = "2019-370702"
    seal = demo_archive.read("seals")
    on = seal.set_index("round_id").at[rid, "feedback_issued_on"]
    _, files = package_files(demo_archive, rid, "县编办", date(on.year, 9, 1), catalogue)
    (name,) = [n for n in files if n.endswith("报备函.docx")]
    cover = tmp_path / "cover.docx"
    cover.write_bytes(files[name])
    img, text = first_page(cover, tmp_path)
    check_official(img, text, "潍城编办报〔2019〕")
    assert "的函" in text.replace(" ", "")


# -- the 版记 at the foot of the last page ---------------------------------------------------------

def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, its words as (x0, y0, x1, y1 in mm from the top left, text)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    word = re.compile(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<')
    return [[(*(float(v) / MM for v in m[:4]), m[4]) for m in word.findall(page)] for page in html.split("<page ")[1:]]


def rules(pdf: Path, page: int, tmp_path: Path, dpi: int = 300) -> list[tuple[float, float]]:
    """The dark lines across the text block on a page: (top in mm, thickness in mm), top down."""
    stem = tmp_path / f"{pdf.stem}-{page}"
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(stem)], check=True)
    _, w, h, _, pixels = (stem.with_suffix(".pgm")).read_bytes().split(maxsplit=4)
    img = np.frombuffer(pixels, np.uint8).reshape(int(h), int(w))
    mm = 25.4 / dpi
    full = np.flatnonzero((img < 128).sum(axis=1) * mm > 0.95 * TEXT_WIDTH)
    runs = np.split(full, np.flatnonzero(np.diff(full) > 1) + 1) if len(full) else []
    return [(r[0] * mm, len(r) * mm) for r in runs]


def check_imprint(pdf: Path, tmp_path: Path, cc: str = "") -> dict:
    """The 版记 stands at the foot of the last page as §7.4 and figure 10 put it; returns what was
    measured (pages, where the body ends on the 版记's page)."""
    pages = words(pdf)
    *before, last = pages
    assert not any("印发" in w[4] or "抄送" in w[4] for page in before for w in page), "版记 only on the last page"
    (printed,) = [w for w in last if w[4].endswith("印发")]
    assert TEXT_BOTTOM - 7 < printed[3] < TEXT_BOTTOM, f"印发 line ends {printed[3]:.1f} mm, text block {TEXT_BOTTOM}"
    right = TEXT_LEFT + TEXT_WIDTH - CHAR_4
    assert abs(printed[2] - right) < 1.5, f"印发日期 ends {printed[2]:.1f} mm, one character in: {right:.1f}"
    imprint_lines = [w for w in last if w[4].startswith("抄送") or abs(w[1] - printed[1]) < 1]
    assert abs(min(w[0] for w in imprint_lines) - (TEXT_LEFT + CHAR_4)) < 1.5, "one character in from the left"
    if cc:
        (copy,) = [w for w in last if w[4].startswith("抄送")]
        assert cc in copy[4] and copy[3] < printed[1]
    else:
        assert not any(w[4].startswith("抄送") for w in last)
    lines = [r for r in rules(pdf, len(pages), tmp_path) if r[0] > printed[1] - 25]  # the 版记 is two rows high
    assert len(lines) == (3 if cc else 2), f"separator lines of the 版记: {lines}"
    (first, *middle, end) = lines
    assert abs(end[0] + end[1] - TEXT_BOTTOM) < 1, f"last line at {end[0]:.1f} mm: on the text block's bottom edge"
    for thick in (first, end):
        assert 0.25 < thick[1] < 0.5, f"first and last lines 0.35 mm, not {thick[1]:.2f}"
    for thin in middle:
        assert 0.15 < thin[1] < thick[1], f"the middle line thin (0.25 mm), not {thin[1]:.2f}"
    body = [w for w in last if w not in imprint_lines and w[3] < TEXT_BOTTOM]  # not the page number
    body_ends = max((w[3] for w in body), default=TEXT_TOP)
    assert body_ends < first[0] - 3, f"the body ({body_ends:.1f} mm) runs into the 版记 ({first[0]:.1f} mm)"
    return {"pages": len(pages), "body_ends": body_ends if body else None}


def feedback_context(n_matters: int = 1, n_items: int = 0, cc: str = "") -> dict:
    """A feedback letter's context as ``letter_context`` makes it, as long as asked."""
    matters = [{"matter_id": f"M{i}", "doc_no": f"潍编〔2017〕{i}号", "category": "设立", "score": "36.0",
                "completion_pct": "36.0", "band": "差"} for i in range(1, n_matters + 1)]
    items = [{"matter_id": "M1", "indicator": "人员配备及到位情况", "matter": "设立市大数据中心",
              "doc_no": "潍编〔2017〕1号", "indicator_id": "EST-01", "problem": f"问题{i}:人员尚未配备到位",
              "requirement": "按核定编制配齐人员", "deadline": "2018年8月31日"} for i in range(1, n_items + 1)]
    return check_context({
        "office": "潍坊市机构编制委员会办公室", "doc_no": "潍编办函〔2018〕2号", "year": 2018, "area_name": "潍坊市",
        "unit_name": "市大数据中心", "unit_id": "C2", "eval_date": "2018年4月15日", "issued_on": "2018年5月20日",
        "issued_on_cn": "二〇一八年五月二十日", "contact": "王建华", "cc": cc, "printed_by": "潍坊市机构编制委员会办公室",
        "unit_pct": "36.0", "unit_band": "差", "unit_rank": 3, "n_units": 3, "all_verified": True,
        "all_full": not n_items, "matters": matters, "items": items, "corrects": None, "reason": ""})


def cover_context(n_bands: int) -> dict:
    """A 报备函's context as ``package_files`` makes it, with as many bands as asked."""
    return {"office": "潍城区机构编制委员会办公室", "city_office": "潍坊市机构编制委员会办公室", "city_name": "潍坊市",
            "filer_level": "县级", "city_short": "市编办", "doc_no": "潍城编办报〔2019〕1号", "year": 2019,
            "area_name": "潍城区", "window_start": "2017年10月1日", "window_end": "2018年9月30日",
            "eval_date": "2019年4月15日", "feedback_on": "2019年5月20日", "n_units": 4, "n_matters": 6,
            "documents": 50, "questions": 20, "items_verified": 10, "suggestions": 4, "mean_pct": "80.0",
            "bands": [{"band": f"等次{i}", "count": 1, "share": "25.0"} for i in range(n_bands)],
            "n_items": 3, "n_passed": 1, "n_decisions": 0, "letters_note": "、情况反馈函4份",
            "package_name": "2019-370702_报备.zip", "filed_on": "2019年9月1日", "contact": "县编办"}


def test_imprint_of_issued_letter_is_at_the_foot_of_its_last_page(issued, tmp_path):
    _, _, paths = issued
    (pdf,) = to_pdf(tmp_path, next(p for p in paths if "C2" in p.name))
    pages = check_imprint(pdf, tmp_path, cc="市委组织部")["pages"]
    assert pages >= 2
    # kept beside docs/letter.png (its first page): the last page, with the 版记 at its foot
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(pages), "-l", str(pages), "-singlefile", str(pdf),
                    str(ROOT / "docs" / "letter-last-page")], check=True)


def test_imprint_of_short_and_long_feedback_letters_is_at_the_foot_of_the_last_page(tmp_path):
    cases = {"short": feedback_context(), "long": feedback_context(6, 14, cc="市委组织部")}
    for name, ctx in cases.items():
        (tmp_path / f"{name}.docx").write_bytes(render_letter(ctx))
    short, long = to_pdf(tmp_path, *(tmp_path / f"{n}.docx" for n in cases))
    assert check_imprint(short, tmp_path)["pages"] == 2  # the shipped letter's shortest
    assert check_imprint(long, tmp_path, cc="市委组织部")["pages"] >= 3


def test_imprint_of_filing_letters_is_at_the_foot_of_the_last_page(demo_archive, tmp_path, catalogue):
    rid = "2019-370702"
    on = demo_archive.read("seals").set_index("round_id").at[rid, "feedback_issued_on"]
    _, files = package_files(demo_archive, rid, "县编办", date(on.year, 9, 1), catalogue)
    (name,) = [n for n in files if n.endswith("报备函.docx")]
    (tmp_path / "filed.docx").write_bytes(files[name])
    (tmp_path / "long.docx").write_bytes(render_cover(cover_context(40)))
    filed, long = to_pdf(tmp_path, tmp_path / "filed.docx", tmp_path / "long.docx")
    assert check_imprint(filed, tmp_path)["pages"] >= 1
    assert check_imprint(long, tmp_path)["pages"] >= 3


def test_imprint_of_a_one_page_letter_and_of_a_full_last_page(tmp_path):
    """Letters of the template's own parts: one short enough for one page, with and without 抄送;
    then bodies one line longer each, so that one of them ends where the 版记 would stand — it
    must then move to a page of its own, never sit over the body."""
    def letter(name: str, lines: int, cc: str) -> Path:
        doc = official_document()
        red_header(doc, "潍坊市机构编制委员会办公室", "潍编办函〔2018〕2号")
        for i in range(lines):
            para(doc, f"第{i + 1}行正文。")
        signature(doc, "潍坊市机构编制委员会办公室", "2018年5月20日")
        imprint(doc, cc=cc or None, cc_if=None, printed_by="潍坊市机构编制委员会办公室", printed_on="2018年5月20日")
        doc.save(tmp_path / f"{name}.docx")
        return tmp_path / f"{name}.docx"

    one, one_cc = to_pdf(tmp_path, letter("one", 2, ""), letter("one-cc", 2, "市委组织部"))
    assert check_imprint(one, tmp_path)["pages"] == 1
    assert check_imprint(one_cc, tmp_path, cc="市委组织部")["pages"] == 1
    fuller = to_pdf(tmp_path, *(letter(f"lines-{n}", n, "市委组织部") for n in range(5, 12)))
    found = [check_imprint(pdf, tmp_path, cc="市委组织部") for pdf in fuller]
    assert any(f["body_ends"] is None and f["pages"] == 2 for f in found), "one body leaves no room: 版记 alone"
    assert any(f["body_ends"] is not None and f["pages"] == 2 for f in found)

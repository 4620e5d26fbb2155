"""The letters in official form (GB/T 9704-2012), rendered as a unit would see them: the feedback
letter, the 更正函 and the 报备函 converted to PDF by LibreOffice, the first page to an image, then
looked at — red pixels in the 版头 band, one red line across the text block, the page number
"— 1 —" and the 文号 on page 1. One rendered letter is kept as docs/letter.png."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from followup_support import build_round

from workbench.archive.store import Archive
from workbench.filing.package import package_files
from workbench.followup import rectification as R
from workbench.followup.letters import correct_letter, issue_letters

ROOT = Path(__file__).resolve().parents[2]
ISSUED = date(2018, 5, 20)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftoppm"),
                                                   reason="needs LibreOffice and poppler")]


def first_page(docx: Path, tmp_path: Path, dpi: int = 50) -> tuple[np.ndarray, str]:
    """(RGB pixels of page 1, text of page 1)."""
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (docx.stem + ".pdf")
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

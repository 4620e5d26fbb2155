"""Feedback documents: the letter (.docx, opened and rendered), the HTML report, the Excel summary,
the unit's archive bundle — and templates or units that cannot make a document."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from followup_support import build_round, snapshot

from workbench.archive.schema import letters
from workbench.archive.store import Archive
from workbench.errors import NotFoundError
from workbench.followup import rectification as R
from workbench.followup.documents import issue_feedback, write_summary
from workbench.followup.history import export_bundle, unit_history
from workbench.followup.letters import TemplateError, issue_letters, read_letters
from workbench.followup.report_html import render_report
from workbench.followup.sealing import check_seal
from workbench.templates.build_letter_template import para

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports" / "tests"
ISSUED = date(2018, 5, 20)
DEADLINE = date(2018, 8, 31)


@pytest.fixture
def with_items(tmp_path, catalogue):
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    props = R.propose_items(archive, rid, catalogue)
    R.confirm_items(archive, rid, props, by="王建华", on=ISSUED, deadline=DEADLINE, catalogue=catalogue)
    return archive, rid


def text_of(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


def test_letter_names_unit_scores_and_deadlines_with_east_asian_font(with_items, tmp_path, catalogue):
    archive, rid = with_items
    paths = issue_letters(archive, rid, tmp_path / "out", ISSUED, by="王建华", unit_ids=["C2"], catalogue=catalogue)
    assert len(paths) == 1 and "市大数据中心" in paths[0].name
    doc = Document(str(paths[0]))
    text = text_of(doc)
    res = archive.latest_results(rid).set_index("matter_id")
    assert "市大数据中心:" in text
    assert "潍坊市机构编制委员会办公室" in text and "潍编办函〔2018〕1号" in text  # first number of the register
    assert f"{res.at['M2', 'completion_pct']:.1f}%" in text and "潍编〔2017〕23号" in text
    assert "整改期限:2018年8月31日前" in text and "2018年5月20日" in text
    assert text.count("整改要求:") == 5  # the five items of M2
    assert "人员配备及到位情况" in text and "市财政局" not in text
    runs = [r for p in doc.paragraphs for r in p.runs if "市大数据中心" in r.text]
    assert runs and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312" for r in runs)
    cells = [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert cells and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in cells)
    stored = read_letters(archive, rid, with_content=True)
    assert stored["unit_id"].tolist() == ["C2"] and bytes(stored["content"].iloc[0]) == paths[0].read_bytes()


def test_template_missing_a_placeholder_is_refused_and_nothing_written(with_items, tmp_path, catalogue):
    archive, rid = with_items
    bad = Document()
    para(bad, "{{ office }} {{ doc_no }} {{ issued_on }}")  # no unit_name, matters, items
    bad.save(tmp_path / "bad.docx")
    before = snapshot(archive)
    with pytest.raises(TemplateError, match="items, matters, unit_name"):
        issue_letters(archive, rid, tmp_path / "out", ISSUED, catalogue=catalogue, template=tmp_path / "bad.docx")
    with pytest.raises(TemplateError):
        issue_letters(archive, rid, tmp_path / "out", ISSUED, catalogue=catalogue, template=tmp_path / "none.docx")
    assert snapshot(archive) == before and not (tmp_path / "out").exists()


def test_letter_for_unit_without_results_is_refused_and_nothing_written(with_items, tmp_path, catalogue):
    archive, rid = with_items
    archive.import_units(archive.units().head(1).assign(unit_id="C9", name="市新设中心"))
    before = snapshot(archive)
    with pytest.raises(NotFoundError, match="市新设中心 在 2018-city 中没有问效结果"):
        issue_letters(archive, rid, tmp_path / "out", ISSUED, unit_ids=["C1", "C9"], catalogue=catalogue)
    assert snapshot(archive) == before and not (tmp_path / "out").exists()


def test_report_is_self_contained_html_with_inline_charts(with_items, catalogue, tmp_path):
    archive, rid = with_items
    html = render_report(archive, rid, date(2018, 9, 1), "zh", catalogue)
    assert html.count("<svg") == 3 and "<script" not in html and "http://" not in html.replace(
        "http://www.w3.org", "")
    assert "潍坊市(市级)2018年度机构编制事项跟踪问效专题报告" in html
    assert "市大数据中心" in html and "已逾期" in html and "指标目录哈希 " + catalogue.hash[:16] in html
    en = render_report(archive, rid, date(2018, 9, 1), "en", catalogue)
    assert "thematic report" in en and "overdue" in en
    broken = tmp_path / "r.html.j2"
    broken.write_text("<h1>{{ title }}</h1>", encoding="utf-8")
    with pytest.raises(TemplateError, match="charts"):
        render_report(archive, rid, date(2018, 9, 1), template=broken)


def test_feedback_day_writes_everything_and_seals(with_items, tmp_path, catalogue):
    archive, rid = with_items
    out = issue_feedback(archive, rid, tmp_path / "fb", ISSUED, "王建华", catalogue=catalogue)
    assert len(out["letter"]) == 3 and out["report"][0].suffix == ".html"
    assert check_seal(archive, rid).ok
    with archive.engine.begin() as conn:  # a letter swapped in the archive after it was sent
        conn.execute(letters.update().where(letters.c.unit_id == "C1").values(content=b"forged"))
    assert check_seal(archive, rid).problems == ["第 1 号反馈函(C1)与发出时不一致"]
    book = openpyxl.load_workbook(out["summary"][0])
    assert book.sheetnames == ["单位汇总", "事项结果", "整改事项", "结果运用"]
    header = [c.value for c in book["单位汇总"][1]]
    assert "单位名称" in header and "排名" in header


def test_summary_in_english(with_items, tmp_path, catalogue):
    archive, rid = with_items
    path = write_summary(archive, rid, tmp_path / "s.xlsx", date(2018, 9, 1), "en", catalogue)
    assert openpyxl.load_workbook(path).sheetnames == ["Units", "Matters", "Rectification", "Decisions"]


def test_unit_archive_bundle(with_items, tmp_path, catalogue):
    archive, rid = with_items
    issue_letters(archive, rid, tmp_path / "l", ISSUED, unit_ids=["C2"], catalogue=catalogue)
    item = R.read_items(archive, rid, "C2")["item_id"].iloc[0]
    R.mark_done(archive, item, DEADLINE, "C2")
    R.recheck(archive, item, True, date(2018, 9, 5), "王建华", catalogue=catalogue)
    hist = unit_history(archive, "C2")
    assert hist["unit"]["name"] == "市大数据中心"
    verified = hist["results"][hist["results"]["source"] == "verified"]
    assert verified["version"].tolist() == [1, 2]  # the old result kept beside the re-scored one
    assert len(hist["letters"]) == 1 and len(hist["items"]) == 5
    path = export_bundle(archive, "C2", tmp_path / "C2.zip")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        assert "items.csv" in names and any(n.startswith("letters/") and n.endswith(".docx") for n in names)
        assert manifest["条数"]["results"] == len(hist["results"])
        assert "M2" in z.read("results.csv").decode("utf-8-sig")
        # an archive for people: the history's headers and actions are words, not column keys
        events = pd.read_csv(io.BytesIO(z.read("events.csv")), encoding="utf-8-sig")
        assert {"操作", "日期", "新整改期限", "经办人"} <= set(events.columns)
        assert {"下达", "报整改完成", "复查通过"} <= set(events["操作"])
    with pytest.raises(NotFoundError):
        unit_history(archive, "NOPE")


def test_cli_feedback_report_and_history(with_items, tmp_path, capsys, monkeypatch):
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    archive, rid = with_items
    db = archive.url
    assert main(["feedback", "--round", rid, "--out", str(tmp_path / "fb"), "--issued-on", "2018-05-20",
                 "--by", "王建华", "--db", db]) == 0
    assert "已生成 3 份反馈函" in capsys.readouterr().out
    assert main(["letters", "--round", rid, "--out", str(tmp_path / "l"), "--unit", "C1", "--db", db]) == 0
    assert len(list((tmp_path / "l").glob("*.docx"))) == 1
    assert main(["report", "--round", rid, "--out", str(tmp_path / "r.html"), "--as-of", "2018-09-01",
                 "--db", db]) == 0
    assert "<svg" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert main(["history", "--unit", "C2", "--out", str(tmp_path / "C2.zip"), "--db", db]) == 0
    assert "市大数据中心的电子档案已导出" in capsys.readouterr().out
    assert main(["history", "--unit", "NOPE", "--out", str(tmp_path / "x.zip"), "--db", db]) == 2
    assert "单位 NOPE 不存在" in capsys.readouterr().err


def test_report_shows_how_fast_matters_were_carried_out(demo_archive, with_items, catalogue):
    """The thematic report beside its on-site work figures: section-setup months by year and category,
    registrations, and the fall since the first round (the demo's city: 5 → 3 months)."""
    html = render_report(demo_archive, "2020-city", date(2020, 9, 1), "zh", catalogue)
    assert "落实效率(批复至科室设置完成)" in html and "设立 · 科室设置周期(月)" in html
    assert "2018年至2020年,科室设置周期由 5.0 个月变为 3.0 个月,缩短 40%" in html
    assert "调阅文件资料" in html or "查阅文件" in html  # the work-log figures sit above it
    en = render_report(demo_archive, "2020-city", date(2020, 9, 1), "en", catalogue)
    assert "From 2018 to 2020 the section-setup cycle went from 5.0 to 3.0 months (40% shorter)" in en
    archive, rid = with_items  # nothing recorded: no section
    assert "落实效率" not in render_report(archive, rid, date(2018, 9, 1), "zh", catalogue)

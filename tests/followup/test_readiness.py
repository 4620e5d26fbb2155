"""Nothing leaves the office for an unfinished round (issue 12, defect 1): feedback, letters and
the seal are refused with the list of what is missing; no letter ever carries an empty slot, and
"未发现需要整改的问题" only when every matter was verified in full."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from followup_support import build_round, snapshot

from workbench.archive.schema import entries
from workbench.archive.store import Archive
from workbench.cli import main
from workbench.followup.documents import issue_feedback
from workbench.followup.letters import LetterError, check_context, issue_letters, letter_context
from workbench.followup.readiness import NotReadyError, readiness
from workbench.followup.sealing import seal_of, seal_round
from workbench.rounds.lifecycle import score_archived_round

ISSUED = date(2018, 5, 20)


@pytest.fixture
def unfinished(tmp_path, catalogue):
    """The small round with two verified values of M2 taken back (blank), then re-scored."""
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    archive.add_entries(pd.DataFrame([
        {"round_id": rid, "matter_id": "M2", "indicator_id": i, "source": "verified", "result": None, "note": ""}
        for i in ("EST-01", "EST-03")]), entered_by="王建华")
    score_archived_round(archive, rid, catalogue, computed_by="王建华")
    return archive, rid


def test_a_finished_round_has_nothing_missing(tmp_path, catalogue):
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    assert readiness(archive, rid, catalogue).empty


def test_unverified_indicators_are_named(unfinished, catalogue):
    archive, rid = unfinished
    missing = readiness(archive, rid, catalogue)
    assert missing[["code", "matter_id", "unit_name", "indicators"]].values.tolist() == [
        ["not_verified", "M2", "市大数据中心", "EST-01、EST-03"]]


def test_entries_changed_after_scoring_are_unscored(tmp_path, catalogue):
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    archive.add_entries(pd.DataFrame([{"round_id": rid, "matter_id": "M1", "indicator_id": "CHG-03",
                                       "source": "verified", "result": "完全落实", "note": ""}]))
    assert readiness(archive, rid, catalogue)[["code", "matter_id"]].values.tolist() == [["unscored", "M1"]]


def test_a_round_never_scored_has_no_assessment(tmp_path, catalogue):
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    with archive.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM results")
        conn.exec_driver_sql("DELETE FROM scoring_runs")
    assert readiness(archive, rid, catalogue)["code"].tolist() == ["no_assessment"]


def test_feedback_letters_and_seal_are_refused_and_nothing_written(unfinished, tmp_path, catalogue):
    archive, rid = unfinished
    before = snapshot(archive)
    with pytest.raises(NotReadyError) as err:
        issue_feedback(archive, rid, tmp_path / "fb", ISSUED, "王建华", catalogue=catalogue)
    assert "不能发出情况反馈" in str(err.value)
    assert err.value.missing == ["事项 M2(市大数据中心):2 项指标尚未核查(EST-01、EST-03)"]
    with pytest.raises(NotReadyError, match="不能生成反馈函"):
        issue_letters(archive, rid, tmp_path / "l", ISSUED, catalogue=catalogue)
    with pytest.raises(NotReadyError, match="不能封存结果"):
        seal_round(archive, rid, "王建华", ISSUED)
    assert snapshot(archive) == before and seal_of(archive, rid) is None
    assert not (tmp_path / "fb").exists() and not (tmp_path / "l").exists()


def test_cli_seal_refused_in_english_without_traceback(unfinished, capsys, monkeypatch):
    archive, rid = unfinished
    monkeypatch.setenv("WORKBENCH_LANG", "zh")  # --lang en sets it; monkeypatch restores it afterwards
    code = main(["--lang", "en", "seal", "--round", rid, "--db", archive.url])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "cannot seal the results" in err and "matter M2 (市大数据中心): 2 indicator(s) not verified" in err


def test_letter_context_guard_refuses_every_empty_slot(unfinished, catalogue):
    archive, rid = unfinished
    rnd = archive.get_round(rid)
    unit = archive.units().set_index("unit_id", drop=False).loc["C2"].to_dict()
    ctx = letter_context(unit, rnd, archive.latest_results(rid), pd.DataFrame(columns=[
        "item_id", "unit_id", "matter_id", "indicator_id", "problem", "requirement", "deadline"]),
        archive.matters(), catalogue, ISSUED, "王建华", org=archive.organisation(), doc_no="潍编办函〔2018〕1号")
    assert ctx["unit_pct"] == "—" and ctx["all_verified"] is False  # M2 incomplete: no score to report
    with pytest.raises(LetterError, match=r"unit_pct, unit_band, unit_rank, matters\[0\].score"):
        check_context(ctx)
    good = {"unit_name": "市档案馆", "doc_no": "潍编办函〔2018〕1号", "all_verified": True, "contact": "",
            "matters": [{"score": "98.0", "band": "好"}]}
    assert check_context(good) is good  # the contact line is optional
    for slot, value in (("doc_no", ""), ("doc_no", None), ("unit_name", "nan"), ("unit_name", float("nan")),
                        ("doc_no", "None"), ("doc_no", "—")):
        with pytest.raises(LetterError, match=slot):
            check_context({**good, slot: value})
    with pytest.raises(LetterError, match="all_verified"):
        check_context({**good, "all_verified": False})  # "no problems found" needs every matter verified


def test_no_problems_sentence_only_for_a_unit_verified_in_full(tmp_path, catalogue):
    from docx import Document

    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    paths = issue_letters(archive, rid, tmp_path / "l", ISSUED, by="王建华", catalogue=catalogue)
    text = {p.name.split("_")[1]: "\n".join(x.text for x in Document(str(p)).paragraphs) for p in paths}
    # no items drafted; all verified in full, but only C3 earned every point
    assert ["未发现需要整改的问题" in text[u] for u in ("C1", "C2", "C3")] == [False, False, True]
    assert "自查完善" in text["C1"] and "自查完善" in text["C2"]
    for v in text.values():
        assert "nan" not in v and "None" not in v and "—%" not in v and "第—位" not in v
    with archive.engine.connect() as conn:
        assert conn.execute(entries.select()).first() is not None

"""The archive on both backends: SQLite (embedded default) and PostgreSQL (shared deployment)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.archive import Archive, resolve_url
from workbench.errors import NotFoundError, WorkbenchError
from workbench.rounds.lifecycle import create_round, score_archived_round, select_round

UNITS = pd.DataFrame([
    {"unit_id": "C1", "name": "市财政局", "level": "city", "county": None, "kind": "行政机关",
     "approved_quota": 40, "staff_in_post": 38, "approved_leader_posts": 5, "approved_sections": 9},
    {"unit_id": "Q1", "name": "青州市财政局", "level": "county", "county": "370781", "kind": "行政机关",
     "approved_quota": 30, "staff_in_post": 30, "approved_leader_posts": 4, "approved_sections": 7},
])
MATTERS = pd.DataFrame([
    {"matter_id": "M1", "unit_id": "C1", "category": "abolish", "approved_on": date(2017, 5, 2),
     "doc_no": "潍编〔2017〕1号", "summary": "撤销所属站所"},
    {"matter_id": "M2", "unit_id": "C1", "category": "abolish", "approved_on": date(2016, 12, 1),
     "doc_no": "潍编〔2016〕7号", "summary": "撤销"},
    {"matter_id": "M3", "unit_id": "Q1", "category": "abolish", "approved_on": date(2017, 5, 2),
     "doc_no": "青编〔2017〕2号", "summary": "撤销"},
])
FULL = ["完全落实", "1", "1", "是", "完全落实"]
ABL = ["ABL-01", "ABL-02", "ABL-03", "ABL-04", "ABL-05"]


def entries(matter, values, source="verified", round_id="2018-city"):
    return pd.DataFrame({"round_id": round_id, "matter_id": matter, "indicator_id": ABL[: len(values)],
                         "source": source, "result": values})


@pytest.fixture
def ready(archive):
    archive.import_units(UNITS)
    archive.import_matters(MATTERS)
    create_round(archive, 2018, "city", created_by="王建华")
    return archive


def test_round_lifecycle(ready, catalogue):
    assert select_round(ready, "2018-city") == {"units": 1, "matters": 2, "late": 1}
    scope = ready.round_matters("2018-city").set_index("matter_id")
    assert list(scope.index) == ["M1", "M2"] and bool(scope.loc["M2", "late"])
    assert scope.loc["M1", "unit_name"] == "市财政局"
    excluded = ready.selection("2018-city")
    assert len(excluded) == 2  # the county matter is not even listed for the city round
    ready.add_entries(entries("M1", FULL), entered_by="李晓梅")
    ready.add_entries(entries("M2", ["部分落实", "0.5", "1", "否", "未落实"]), entered_by="李晓梅")
    first = score_archived_round(ready, "2018-city", catalogue, computed_by="t").set_index("matter_id")
    assert first.loc["M1", "completion_pct"] == 100.0
    assert first.loc["M2", "completion_pct"] == pytest.approx(100 * (12.5 + 12.5 + 20) / 100)
    assert first.loc["M2", "band"] == "差"


def test_results_are_versioned_never_overwritten(ready, catalogue):
    select_round(ready, "2018-city")
    ready.add_entries(entries("M1", FULL))
    ready.add_entries(entries("M2", FULL))
    v1 = score_archived_round(ready, "2018-city", catalogue)
    ready.add_entries(entries("M2", ["未落实"]))
    v2 = score_archived_round(ready, "2018-city", catalogue)
    runs = ready.scoring_runs("2018-city")
    assert len(runs) == 2
    old = ready.results(runs.iloc[0]["run_id"]).set_index("matter_id")
    new = ready.latest_results("2018-city").set_index("matter_id")
    assert old.loc["M2", "completion_pct"] == 100.0 == v1.set_index("matter_id").loc["M2", "completion_pct"]
    assert new.loc["M2", "completion_pct"] == 75.0 == v2.set_index("matter_id").loc["M2", "completion_pct"]
    run = runs.iloc[-1]
    assert run["catalogue_hash"] == catalogue.hash and run["software_version"]
    assert json.loads(run["weights"])["ABL-01"] == 25


def test_versions_are_numbered_within_each_round(ready, catalogue):
    """Issue 12, defect 6: "第 82 版" counted runs across the archive; a round's versions are 1, 2, 3…"""
    create_round(ready, 2018, "370781", created_by="王建华")
    for rid in ("2018-city", "2018-370781"):
        select_round(ready, rid)
    ready.add_entries(entries("M1", FULL))
    ready.add_entries(entries("M3", FULL, round_id="2018-370781"))
    ready.add_entries(entries("M2", FULL))
    order = ["2018-city", "2018-370781", "2018-city", "2018-370781", "2018-city"]
    for rid in order:
        score_archived_round(ready, rid, catalogue)
    runs = ready.scoring_runs().sort_values("run_id")
    versions = ready.run_versions()
    assert [versions[int(r)] for r in runs["run_id"]] == [1, 1, 2, 2, 3]
    assert ready.run_versions("2018-370781") == {int(runs["run_id"].iloc[1]): 1, int(runs["run_id"].iloc[3]): 2}
    assert ready.run_version(int(runs["run_id"].iloc[4])) == 3  # the 5th run of the archive


def test_replaying_a_run_gives_the_same_result(ready, catalogue):
    """Each result carries what made it: re-scoring with the stored weights reproduces it."""
    select_round(ready, "2018-city")
    ready.add_entries(entries("M1", ["基本落实", "0.7", "1", "是", "部分落实"]))
    ready.add_entries(entries("M2", FULL))
    w = catalogue.weights.copy()
    w["ABL-01"], w["ABL-02"] = 35, 15
    score_archived_round(ready, "2018-city", catalogue, weights=w)
    run = ready.latest_run("2018-city")
    stored = pd.Series(json.loads(run["weights"]))
    replay = score_archived_round(ready, "2018-city", catalogue, weights=stored, save=False)
    kept = ready.results(run["run_id"])
    assert replay["completion_pct"].tolist() == kept["completion_pct"].tolist()


def test_entries_are_idempotent_and_keep_history(ready):
    select_round(ready, "2018-city")
    assert ready.add_entries(entries("M1", FULL)) == 5
    assert ready.add_entries(entries("M1", FULL)) == 0
    assert ready.add_entries(entries("M1", ["基本落实"])) == 1
    assert ready.add_entries(entries("M1", [""])) == 1  # cleared: missing again
    cur = ready.current_entries("2018-city", "verified").set_index("indicator_id")
    assert pd.isna(cur.loc["ABL-01", "result"]) and len(ready.entry_history("2018-city")) == 7


def test_an_import_is_one_transaction(ready):
    """A write that fails part-way leaves nothing behind."""
    bad = pd.concat([UNITS.assign(unit_id=["C7", "C8"]), UNITS.iloc[:1].assign(unit_id="C9", name=None)])
    with pytest.raises(sa.exc.IntegrityError):
        ready.import_units(bad)
    assert set(ready.units()["unit_id"]) == {"C1", "Q1"}


def test_duplicate_round_and_unknown_round(ready):
    with pytest.raises(WorkbenchError, match="已存在"):
        create_round(ready, 2018, "city")
    with pytest.raises(NotFoundError, match="workbench round create"):
        ready.get_round("2031-city")


def test_work_log_counters(ready):
    ready.set_work_log("2018-city", documents=12, questions=5)
    ready.set_work_log("2018-city", suggestions=2)
    assert ready.work_log("2018-city") == {"documents": 12, "questions": 5, "items_verified": 0, "suggestions": 2}


def test_read_only_archive_refuses_writes(ready, tmp_path):
    ro = Archive(ready.url, read_only=True)
    assert len(ro.units()) == 2
    with pytest.raises(sa.exc.DBAPIError):
        ro.import_units(UNITS)
    ro.dispose()


def test_round_trip_of_types(ready):
    r = ready.get_round("2018-city")
    assert r["window_start"] == date(2016, 10, 1) and r["eval_date"] == date(2018, 4, 15)
    assert isinstance(r["created_at"], datetime)
    m = ready.matters().set_index("matter_id")
    assert m.loc["M1", "approved_on"] == date(2017, 5, 2) and m.loc["M1", "doc_no"] == "潍编〔2017〕1号"


def test_url_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    assert resolve_url(None).endswith("data/workbench.db")
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "x.db"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_demo_builds_on_postgresql(pg_url, catalogue):
    from workbench.demo.build import build_demo

    a = Archive(pg_url)
    counts = build_demo(a, catalogue)
    assert (counts["evaluated"], counts["city"], counts["county"]) == (564, 86, 478)
    a.dispose()

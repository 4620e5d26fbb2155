"""County rounds filed with the city (报备): the package, its receipt, the status and the points."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.archive.schema import results, seals
from workbench.demo.filing import DEMO_LATE, DEMO_MISSING
from workbench.filing.keys import register_key
from workbench.filing.package import (
    FilingError,
    FilingRejected,
    build_filing_package,
    read_filings,
    receive_filing,
    reject_filing,
)
from workbench.filing.rules import judge_filings, performance_points
from workbench.filing.status import county_performance, filing_status, load_rule
from workbench.followup.sealing import seal_of
from workbench.paths import parameter_file
from workbench.rounds.lifecycle import create_round

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNFILED = DEMO_MISSING[0]  # 2019-370786: completed and sealed (feedback 2019-05-20), never filed in the demo


@pytest.fixture
def key(demo_db):
    """370786's private key, made and registered by the demo beside its archive."""
    return demo_db.parent / "keys" / "370786.key"


def test_package_round_trip_filed_on_time(demo_archive, tmp_path, catalogue, key):
    path = build_filing_package(demo_archive, UNFILED, tmp_path / "p.zip", "李晓梅", date(2019, 6, 10), catalogue, key=key)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        results = pd.read_csv(io.BytesIO(z.read("results.csv")), encoding="utf-8-sig")
    assert {"manifest.json", "results.csv", "units.csv", "work_log.csv", "rectification.csv",
            "decisions.csv"} <= names
    assert any(n.endswith("报备函.docx") for n in names)
    assert manifest["round_id"] == UNFILED and manifest["area"] == "370786" and manifest["year"] == 2019
    assert manifest["catalogue_hash"] == catalogue.hash and manifest["feedback_on"] == "2019-05-20"
    assert manifest["sealed_version"] == demo_archive.run_version(manifest["sealed_run_id"]) < manifest["sealed_run_id"]
    assert set(manifest["files"]) == names - {"manifest.json", "manifest.sig"}
    assert manifest["counts"]["matters"] == len(results) == len(demo_archive.latest_results(UNFILED))

    row = receive_filing(demo_archive, path, "孙丽华", date(2019, 6, 12))
    assert row["new"] and row["status"] == "received" and row["problems"] == ""
    status = filing_status(demo_archive, 2019, as_of=date(2019, 12, 31)).set_index("round_id").loc[UNFILED]
    assert status["status"] == "on_time" and status["filed_on"] == date(2019, 6, 10)
    # timeliness is counted to the day the city received it (12 June), not the letter's own date
    assert status["received_on"] == date(2019, 6, 12) and status["receipt_gap_days"] == 2
    assert status["days_after_feedback"] == 23 and status["days_after_eval"] == 58 and status["days_late"] == 0


def test_re_receiving_the_same_package_adds_nothing(demo_archive, tmp_path, key):
    path = build_filing_package(demo_archive, UNFILED, tmp_path / "p.zip", "李晓梅", date(2019, 6, 10), key=key)
    first = receive_filing(demo_archive, path, "孙丽华", date(2019, 6, 12))
    before = read_filings(demo_archive)
    again = receive_filing(demo_archive, path, "孙丽华", date(2019, 6, 30))
    assert not again["new"] and again["filing_id"] == first["filing_id"]
    pd.testing.assert_frame_equal(read_filings(demo_archive), before)


def _rewrite(src, dst, name: str, change) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == name else data)


def test_tampered_package_is_rejected_naming_the_file(demo_archive, tmp_path, key):
    path = build_filing_package(demo_archive, UNFILED, tmp_path / "p.zip", "李晓梅", date(2019, 6, 10), key=key)
    bad = tmp_path / "bad.zip"
    _rewrite(path, bad, "results.csv", lambda b: b.replace(b",\xe5\xb7\xae", b",\xe4\xbc\x98", 1) + b"\n")
    before = read_filings(demo_archive)
    with pytest.raises(FilingRejected) as err:
        receive_filing(demo_archive, bad, "孙丽华", date(2019, 6, 12))
    assert "results.csv" in str(err.value) and "workbench file" in str(err.value)
    pd.testing.assert_frame_equal(read_filings(demo_archive), before)
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(FilingRejected, match="junk.zip"):
        receive_filing(demo_archive, tmp_path / "junk.zip", "孙丽华")


def test_inconsistent_round_ids_are_rejected(demo_archive, tmp_path, key):
    path = build_filing_package(demo_archive, UNFILED, tmp_path / "p.zip", "李晓梅", date(2019, 6, 10), key=key)
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
    manifest["round_id"] = "2019-370781"  # hashes still match: the files themselves name 2019-370786
    bad = tmp_path / "bad.zip"
    _rewrite(path, bad, "manifest.json", lambda b: json.dumps(manifest).encode())
    with pytest.raises(FilingRejected, match="2019-370786"):
        receive_filing(demo_archive, bad, "孙丽华")


@pytest.mark.parametrize("round_id, prepare, match", [
    ("2018-city", None, "city round"),
    ("2021-city", None, "city round"),
    ("2020-370781", "reopen", "not completed"),
    ("2020-370781", "unseal", "not sealed"),
    ("2022-370781", "unscored", "no complete verified results"),
])
def test_rounds_that_cannot_be_filed_are_refused(demo_archive, tmp_path, monkeypatch, round_id, prepare, match):
    if prepare == "reopen":
        demo_archive.set_round_status(round_id, "open")
    elif prepare == "unscored":  # marked completed, but never assessed
        create_round(demo_archive, 2022, "370781")
        demo_archive.set_round_status(round_id, "completed")
    elif prepare == "unseal":
        with demo_archive.engine.begin() as conn:
            conn.execute(seals.delete().where(seals.c.round_id == round_id))
    out = tmp_path / "p.zip"
    monkeypatch.setenv("WORKBENCH_LANG", "en")
    with pytest.raises(FilingError, match=match):
        build_filing_package(demo_archive, round_id, out, "x", date(2020, 6, 1))
    assert not out.exists() and not list(tmp_path.glob(".*tmp"))


def test_filing_before_feedback_is_refused(demo_archive, tmp_path, key):
    with pytest.raises(FilingError, match="2019-05-20"):
        build_filing_package(demo_archive, UNFILED, tmp_path / "p.zip", "x", date(2019, 5, 1), key=key)


def test_flagged_catalogue_and_rejection_after_review(demo_archive, archive, tmp_path, catalogue, key):
    """Received into another archive (SQLite and PostgreSQL) that knows the round and the county's
    key: a different catalogue is flagged; an officer may send it back."""
    register_key(archive, "370786", key.with_suffix(".pub").read_bytes(), "孙丽华")
    create_round(archive, 2019, "370786")
    path = build_filing_package(demo_archive, UNFILED, tmp_path / "p.zip", "李晓梅", date(2019, 6, 25), key=key)
    other = dataclasses.replace(catalogue, hash="0" * 64)
    row = receive_filing(archive, path, "孙丽华", date(2019, 6, 26), catalogue=other)
    assert row["status"] == "flagged" and "指标体系" in row["problems"]
    status = filing_status(archive, as_of=date(2019, 12, 31))
    assert list(status["round_id"]) == [UNFILED] and status.at[0, "status"] == "late"
    assert status.at[0, "days_late"] == 7  # received 26 June, deadline 19 June
    reject_filing(archive, row["filing_id"], "孙丽华", "结果与核查记录不符,请重报")
    assert filing_status(archive, as_of=date(2019, 12, 31)).at[0, "status"] == "rejected"
    assert read_filings(archive).at[0, "status"] == "rejected"


def test_results_differing_from_the_archive_are_flagged(demo_archive, tmp_path, key):
    path = build_filing_package(demo_archive, UNFILED, tmp_path / "p.zip", "李晓梅", date(2019, 6, 10), key=key)
    run_id = int(seal_of(demo_archive, UNFILED)["run_id"])
    first = demo_archive.results(run_id).iloc[0]["matter_id"]
    with demo_archive.engine.begin() as conn:  # the archive's sealed result changed after the package was built
        conn.execute(results.update().where((results.c.run_id == run_id) & (results.c.matter_id == first))
                     .values(completion_pct=1.0))
    row = receive_filing(demo_archive, path, "孙丽华", date(2019, 6, 12))
    assert row["status"] == "flagged" and first in row["problems"] and "1 个事项" in row["problems"]
    # flagged still counts as filed; nothing was imported into the results
    assert filing_status(demo_archive, 2019, date(2019, 12, 31)).set_index("round_id").at[UNFILED, "status"] == "on_time"


def test_round_dates_differing_from_the_archive_are_flagged(demo_archive, tmp_path, key):
    path = build_filing_package(demo_archive, UNFILED, tmp_path / "p.zip", "李晓梅", date(2019, 6, 10), key=key)
    with zipfile.ZipFile(path) as z:
        assert "p.zip" in "".join(p.text for p in __import__("docx").Document(io.BytesIO(
            z.read(next(n for n in z.namelist() if n.endswith("报备函.docx"))))).paragraphs)
    with demo_archive.engine.begin() as conn:
        conn.execute(sa.text("UPDATE rounds SET eval_date = '2019-04-20' WHERE round_id = :r"), {"r": UNFILED})
    row = receive_filing(demo_archive, path, "孙丽华", date(2019, 6, 12))
    assert row["status"] == "flagged" and "问效日期" in row["problems"]


def _rounds(*rows):
    return pd.DataFrame(rows, columns=["round_id", "year", "area", "eval_date", "status"])


def test_late_missing_due_on_dated_scenarios():
    ev = date(2020, 4, 15)
    rounds = _rounds(*[(f"2020-3707{i:02d}", 2020, f"3707{i:02d}", ev, "completed") for i in range(1, 7)],
                     ("2020-city", 2020, "city", ev, "completed"))
    seal_rows = [("2020-370701", date(2020, 5, 20)), ("2020-370702", date(2020, 5, 20)),
                 ("2020-370703", date(2020, 5, 20)), ("2020-370704", date(2020, 6, 1)),
                 ("2020-370706", date(2020, 5, 20))]
    sealed = pd.DataFrame(seal_rows, columns=["round_id", "feedback_issued_on"])
    f = pd.DataFrame([
        (1, "2020-370701", date(2020, 6, 5), date(2020, 6, 19), "received", ""),  # received on the deadline day
        (2, "2020-370702", date(2020, 6, 20), date(2020, 6, 20), "flagged", "x"),  # one day late
        (3, "2020-370706", date(2020, 6, 1), date(2020, 6, 2), "rejected", "y"),   # sent back
    ], columns=["filing_id", "round_id", "filed_on", "received_on", "status", "problems"])
    f = f.assign(year=2020, area=f["round_id"].str[5:], eval_date=ev, feedback_on=date(2020, 5, 20))
    out = judge_filings(rounds, sealed, f, as_of=date(2020, 6, 25), receipt_gap_days=10).set_index("round_id")
    assert "2020-city" not in out.index
    assert out["status"].to_dict() == {"2020-370701": "on_time", "2020-370702": "late", "2020-370703": "missing",
                                       "2020-370704": "due", "2020-370705": "in_progress",
                                       "2020-370706": "rejected"}
    assert out.at["2020-370702", "days_late"] == 1 and out.at["2020-370701", "days_late"] == 0
    assert out.at["2020-370701", "deadline"] == date(2020, 6, 19)
    # the letter is dated 14 days before the city received it: kept, and flagged (limit 10 days)
    assert out.at["2020-370701", "receipt_gap_days"] == 14 and "晚 14 天" in out.at["2020-370701", "problems"]
    assert out.at["2020-370702", "problems"] == "x"
    # the letter's date never decides timeliness: a letter dated on time but received late is late
    backdated = f.assign(filed_on=date(2020, 5, 21), received_on=date(2020, 6, 24))
    assert judge_filings(rounds, sealed, backdated, date(2020, 6, 25)).set_index("round_id").at[
        "2020-370701", "status"] == "late"
    # Counted from the evaluation date instead: every round has a deadline, 15 May.
    by_eval = judge_filings(rounds, sealed, f, date(2020, 6, 25), 30, "eval_date").set_index("round_id")
    assert by_eval.at["2020-370701", "status"] == "late" and by_eval.at["2020-370705", "status"] == "missing"


def _facts(area, rounds=1, on_time=0, late=0, missing=0, matters=10, completion_pct=80.0, items=0,
           items_passed=0, decisions=0, decisions_signed=0):
    return dict(area=area, rounds=rounds, on_time=on_time, late=late, missing=missing, matters=matters,
                completion_pct=completion_pct, items=items, items_passed=items_passed, decisions=decisions,
                decisions_signed=decisions_signed)


def test_performance_points_hand_computed():
    rule = load_rule()
    facts = pd.DataFrame([
        _facts("370781", late=1, matters=8, completion_pct=80.0, items=4, items_passed=3, decisions=2,
               decisions_signed=1),
        # on time, no decision due: decisions are left out, not given full marks
        _facts("370782", on_time=1, matters=10, completion_pct=50.0, items=2, items_passed=1),
        # never filed, excellent otherwise
        _facts("370783", missing=1, matters=10, completion_pct=100.0, decisions=1, decisions_signed=1),
        _facts("370784", rounds=0, matters=0, completion_pct=None),
    ])
    out = performance_points(facts, rule).set_index("area")
    pts = ["pts_matters", "pts_filing", "pts_rectification", "pts_decisions", "pts_completion"]
    # late: 8/10 × 20 = 16; late × 0.5 × 25 = 12.5; 3/4 × 25 = 18.75; 1/2 × 10 = 5; 80% × 20 = 16
    # → work 68.25 of 100; band late [40, 69]: 40 + 29 × 0.6825 = 59.79
    assert out.loc["370781", pts].tolist() == [16, 12.5, 18.75, 5, 16]
    assert out.at["370781", "work"] == 68.25 and out.at["370781", "points"] == 59.79
    # on time: 20 + 25 + 12.5 + — + 10 = 67.5 of 90 → work 75; band [70, 100]: 70 + 30 × 0.75 = 92.5
    assert pd.isna(out.at["370782", "pts_decisions"]) and out.at["370782", "work"] == 75
    assert out.at["370782", "points"] == 92.5
    # missing: 20 + 0 + — + 10 + 20 = 50 of 75 → work 66.67; band [0, 39]: 39 × 2/3 = 26
    assert pd.isna(out.at["370783", "pts_rectification"]) and out.at["370783", "work"] == 66.67
    assert out.at["370783", "points"] == 26.0
    assert out.at["370784", "points"] == 0 and out.at["370784", "filing_class"] == "none"
    assert out["rank"].to_dict() == {"370782": 1, "370781": 2, "370783": 3, "370784": 4}
    assert out["filing_class"].to_dict() == {"370782": "on_time", "370781": "late", "370783": "missing",
                                             "370784": "none"}


counts = st.integers(min_value=0, max_value=30)


@st.composite
def county_facts_st(draw, area, filing):
    rounds = draw(st.integers(min_value=1, max_value=4))
    on_time = rounds if filing == "on_time" else draw(st.integers(0, rounds - 1))
    if filing == "missing":
        late = draw(st.integers(0, rounds - 1 - on_time))
    else:
        late = rounds - on_time
    missing = rounds - on_time - late
    items, decisions, matters = draw(counts), draw(st.integers(0, 5)), draw(counts)
    return _facts(area, rounds=rounds, on_time=on_time, late=late, missing=missing, matters=matters,
                  completion_pct=draw(st.floats(0, 100)) if matters else None, items=items,
                  items_passed=draw(st.integers(0, items)), decisions=decisions,
                  decisions_signed=draw(st.integers(0, decisions)))


@settings(max_examples=300, deadline=None)
@given(county_facts_st("370781", "missing"), county_facts_st("370782", "late"), county_facts_st("370783", "on_time"))
def test_missing_below_late_below_on_time_whatever_else(missing, late, on_time):
    out = performance_points(pd.DataFrame([missing, late, on_time]), load_rule()).set_index("area")
    assert out.at["370781", "filing_class"] == "missing" and out.at["370782", "filing_class"] == "late"
    assert out.at["370783", "filing_class"] == "on_time"
    assert out.at["370781", "points"] < out.at["370782", "points"] < out.at["370783", "points"]
    assert out.at["370781", "rank"] > out.at["370782", "rank"] > out.at["370783", "rank"]


def test_a_year_without_rounds_has_no_ranking(demo_archive, capsys, monkeypatch):
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_LANG", "zh")  # main() sets it from --lang; restored afterwards
    assert county_performance(demo_archive, 2015).empty
    assert main(["--lang", "en", "filings", "--year", "2015", "--db", demo_archive.url]) == 0
    out = capsys.readouterr().out
    assert "2015: no county round completed, no ranking." in out and "Rank" not in out
    perf = county_performance(demo_archive, 2020).set_index("area")
    # 临朐县 never filed 2020, 潍城区 filed 17 days late: the late county ranks above
    assert perf.at["370724", "rank"] > perf.at["370702", "rank"]
    assert perf.at["370724", "points"] < perf.at["370702", "points"]


def test_a_bad_rule_file_names_its_keys(tmp_path):
    bad = tmp_path / "rule.yaml"
    bad.write_text("criteria:\n  matters: {points: 50, target: 10}\n  speed: {points: 1}\n", encoding="utf-8")
    with pytest.raises(Exception, match="criteria.filing") as err:
        load_rule(bad)
    assert "criteria.speed" in str(err.value)
    overlap = tmp_path / "overlap.yaml"
    overlap.write_text(parameter_file("county_performance.yaml").read_text(encoding="utf-8").replace(
        "late: [40, 69]", "late: [30, 75]"), encoding="utf-8")
    with pytest.raises(Exception, match="bands: must not overlap"):
        load_rule(overlap)


def test_demo_filing_status_mostly_on_time(demo_archive):
    status = filing_status(demo_archive, as_of=date(2021, 1, 1))
    counts = status["status"].value_counts().to_dict()
    assert counts == {"on_time": 30, "late": len(DEMO_LATE), "missing": len(DEMO_MISSING)}
    s = status.set_index("round_id")
    assert set(s.index[s["status"] == "late"]) == set(DEMO_LATE)
    assert (s.loc[list(DEMO_LATE), "days_late"] > 0).all()
    assert (status["problems"] == "").all()  # the demo's packages match the archive they came from
    perf = county_performance(demo_archive, 2020)
    assert len(perf) == 12 and perf["matters"].sum() == demo_archive.all_latest_results().query(
        "year == 2020 and area != 'city'").shape[0]
    assert perf.set_index("area").at["370724", "pts_filing"] == 0  # 临朐县 never filed 2020


def test_cli_file_receive_filings(demo_archive, tmp_path, key):
    db = demo_archive.url
    env = {**os.environ, "PYTHONPATH": ROOT, "WORKBENCH_LANG": "en"}
    cli = [sys.executable, "-m", "workbench.cli"]
    pkg = tmp_path / "p.zip"
    run = lambda *a: subprocess.run(cli + list(a), capture_output=True, text=True, env=env, cwd=ROOT)  # noqa: E731
    r = run("file", "--round", UNFILED, "--out", str(pkg), "--by", "李晓梅", "--on", "2019-07-01", "--db", db,
            "--key", str(key))
    assert r.returncode == 0, r.stderr
    r = run("receive", str(pkg), "--by", "孙丽华", "--on", "2019-07-02", "--db", db)
    assert r.returncode == 0 and "filing recorded" in r.stdout, r.stderr
    r = run("filings", "--year", "2019", "--as-of", "2019-12-31", "--out", str(tmp_path / "f.csv"), "--db", db)
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(tmp_path / "f.csv", encoding="utf-8-sig").set_index("Round")
    assert table.at[UNFILED, "Filing status"] == "late" and int(table.at[UNFILED, "Days late"]) == 13
    assert (tmp_path / "f-performance.csv").exists()


def test_filings_table_is_created_on_every_archive(archive):
    assert "filings" in sa.inspect(archive.engine).get_table_names()


def test_notebook_files_receives_and_shows_status(demo_db, tmp_path, key):
    import nbformat
    import papermill

    from workbench.batch.run import ensure_kernelspec

    src = ROOT + "/notebooks/07_county_filing.ipynb"
    first = nbformat.read(src, as_version=4).cells[0]
    assert "parameters" in first.metadata["tags"] and "\nround_id = " in "\n" + first.source
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    shutil.copytree(key.parent, tmp_path / "keys")  # the notebook signs with keys/AREA.key beside the archive
    out = tmp_path / "07.ipynb"
    papermill.execute_notebook(
        src, str(out), parameters={"round_id": UNFILED, "db": str(db), "lang": "en", "officer": "孙丽华",
                                   "filed_on": "2019-06-30", "received_on": "2019-07-01", "as_of": "2019-12-31",
                                   "out_dir": str(tmp_path / "pkg")},
        kernel_name=ensure_kernelspec(), cwd=str(tmp_path), progress_bar=False, execution_timeout=300)
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([o for c in nb.cells for o in c.get("outputs", [])], ensure_ascii=False)
    assert "error" not in {o["output_type"] for c in nb.cells for o in c.get("outputs", [])}
    assert "filing recorded" in text and "Filing status" in text and "Performance points" in text
    assert (tmp_path / "pkg" / f"{UNFILED}_报备.zip").exists()

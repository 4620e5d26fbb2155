"""Seals: a sealed round changes only by amendment, and the seal check shows any tampering."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from followup_support import build_round

from workbench.archive.schema import entries, results
from workbench.errors import StateError, WorkbenchError
from workbench.followup import sealing as S
from workbench.rounds.lifecycle import score_archived_round

ISSUED = date(2018, 5, 20)


@pytest.fixture
def sealed(archive, catalogue):
    rid = build_round(archive, catalogue)
    S.seal_round(archive, rid, "王建华", ISSUED)
    return archive, rid


def test_fresh_seal_checks_clean_and_cannot_be_sealed_twice(sealed):
    archive, rid = sealed
    report = S.check_seal(archive, rid)
    assert report.ok and report.versions == [archive.latest_run(rid)["run_id"]]
    assert "封存校验通过" in report.message("zh")
    with pytest.raises(StateError, match="已于"):
        S.seal_round(archive, rid, "王建华", ISSUED)


def test_result_edited_in_place_is_detected(sealed):
    archive, rid = sealed
    run = int(archive.latest_run(rid)["run_id"])
    with archive.engine.begin() as conn:
        conn.execute(results.update().where(results.c.matter_id == "M2").values(completion_pct=99.0))
    report = S.check_seal(archive, rid)
    assert not report.ok
    assert report.problems == [f"第 {archive.run_version(run)} 版结果与封存时不一致(结果被改动)"]


def test_entry_changed_before_the_seal_is_detected(sealed):
    archive, rid = sealed
    with archive.engine.begin() as conn:
        first = conn.execute(sa.select(sa.func.min(entries.c.entry_id))).scalar()
        conn.execute(entries.update().where(entries.c.entry_id == first).values(result="未落实"))
    assert S.check_seal(archive, rid, "en").problems == [
        "entries recorded before sealing were changed or deleted"]


def test_rescore_without_amendment_is_detected_and_amendment_makes_it_good(sealed, catalogue):
    archive, rid = sealed
    archive.add_entries(pd.DataFrame([{"round_id": rid, "matter_id": "M2", "indicator_id": "EST-01",
                                       "source": "verified", "result": "基本落实"}]), entered_by="某人")
    score_archived_round(archive, rid, catalogue, computed_by="某人")
    run = int(archive.latest_run(rid)["run_id"])
    problems = S.check_seal(archive, rid).problems
    assert f"第 {archive.run_version(run)} 版结果未经修正登记" in problems
    assert "封存后新增 1 条核查录入,未经修正登记" in problems
    with pytest.raises(WorkbenchError, match="原因"):
        S.amend(archive, rid, run, "王建华", " ")
    S.amend(archive, rid, run, "王建华", "补录现场核查遗漏的挂牌材料")
    assert S.check_seal(archive, rid).ok
    amend = S.amendments_of(archive, rid).iloc[0]
    assert amend["by"] == "王建华" and amend["why"].startswith("补录") and amend["at"] is not None


def test_rescore_helper_amends_a_sealed_round(sealed, catalogue):
    archive, rid = sealed
    with pytest.raises(WorkbenchError):
        S.rescore(archive, rid, catalogue, "王建华", "")
    before = len(archive.scoring_runs(rid))
    S.rescore(archive, rid, catalogue, "王建华", "权重勘误")
    assert len(archive.scoring_runs(rid)) == before + 1 and S.check_seal(archive, rid).ok


def test_seal_needs_results_and_amend_needs_a_seal(archive, catalogue):
    from workbench.rounds.lifecycle import create_round

    create_round(archive, 2019, "city")
    with pytest.raises(WorkbenchError, match="尚无核查评分结果"):
        S.seal_round(archive, "2019-city", "王建华", ISSUED)
    with pytest.raises(StateError, match="尚未封存"):
        S.amend(archive, "2019-city", 1, "王建华", "x")
    assert not S.check_seal(archive, "2019-city").sealed


def test_seal_check_cli_exit_codes(tmp_path, catalogue, capsys, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "zh")  # main() sets it from --lang; restored afterwards
    from workbench.archive.store import Archive
    from workbench.cli import main

    db = tmp_path / "a.db"
    archive = Archive(str(db))
    rid = build_round(archive, catalogue)
    assert main(["--lang", "en", "seal", "--round", rid, "--issued-on", "2018-05-20", "--by", "王建华",
                 "--db", str(db)]) == 0
    assert "sealed version 1 " in capsys.readouterr().out  # the round's first version
    assert main(["--lang", "en", "seal-check", "--round", rid, "--db", str(db)]) == 0
    assert "seal intact" in capsys.readouterr().out
    with archive.engine.begin() as conn:
        conn.execute(results.update().values(band="优"))
    assert main(["--lang", "en", "seal-check", "--round", rid, "--db", str(db)]) == 1
    assert "tampered" in capsys.readouterr().out
    assert main(["--lang", "en", "seal", "--round", rid, "--by", "x", "--db", str(db)]) == 2
    assert "was sealed on" in capsys.readouterr().err

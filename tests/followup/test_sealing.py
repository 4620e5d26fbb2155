"""Seals: a sealed round changes only by amendment, and the seal check shows any tampering."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from followup_support import build_round, snapshot

from workbench.archive.schema import entries, metadata, results
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


def _drop_guards(archive) -> None:
    """An archive written by a version before the database refused un-amended changes."""
    with archive.engine.begin() as conn:
        for trigger, table in (("wb_sealed_entries", "entries"), ("wb_sealed_runs", "scoring_runs")):
            on = f" ON {table}" if archive.engine.dialect.name == "postgresql" else ""
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}{on}")


def test_rescore_without_amendment_is_detected_and_amendment_makes_it_good(sealed, catalogue):
    archive, rid = sealed
    _drop_guards(archive)  # what an older version could write, the check still finds
    with archive.amending([rid]):  # marked as amending, but no amendment recorded
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


def test_a_sealed_round_takes_no_new_run_or_entry_without_an_amendment(sealed, catalogue):
    archive, rid = sealed
    before = snapshot(archive)
    with pytest.raises(StateError, match=r"已封存\(封存于 .*--amend --reason"):
        score_archived_round(archive, rid, catalogue, computed_by="某人")
    entry = pd.DataFrame([{"round_id": rid, "matter_id": "M2", "indicator_id": "EST-01",
                           "source": "verified", "result": "基本落实"}])
    with pytest.raises(StateError, match=r"已封存\(封存于 .*import entries"):
        archive.add_entries(entry, entered_by="某人")
    assert snapshot(archive) == before and S.check_seal(archive, rid).ok
    # the self-assessment is not sealed: its runs may be re-made
    score_archived_round(archive, rid, catalogue, source="self", computed_by="某人")


@pytest.mark.parametrize("table", ["entries", "scoring_runs"])
def test_the_database_itself_refuses_an_unamended_row_of_a_sealed_round(sealed, table):
    archive, rid = sealed
    row = ({"round_id": rid, "matter_id": "M2", "indicator_id": "EST-01", "source": "verified",
            "result": "基本落实", "note": "", "supersedes": 999} if table == "entries" else
           {"round_id": rid, "source": "verified", "catalogue_hash": "x", "weights_hash": "x", "weights": "{}",
            "software_version": "x", "computed_at": datetime(2018, 6, 1)})
    with pytest.raises(sa.exc.DBAPIError, match="sealed"), archive.engine.begin() as conn:
        conn.execute(metadata.tables[table].insert().values(**row))


def test_a_killed_rescore_leaves_neither_run_nor_amendment(sealed, catalogue, monkeypatch):
    archive, rid = sealed
    before = snapshot(archive)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies between the run and its amendment

    monkeypatch.setattr(S, "amend", killed)
    with pytest.raises(KeyboardInterrupt):
        S.rescore(archive, rid, catalogue, "王建华", "权重勘误")
    assert snapshot(archive) == before and S.check_seal(archive, rid).ok


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


@pytest.mark.parametrize("lang, words", [("zh", ["已封存(封存于 2018-05-20", "--amend --reason", "--dry-run"]),
                                         ("en", ["was sealed on 2018-05-20", "--amend --reason", "--dry-run"])])
def test_score_cli_on_a_sealed_round_refuses_shows_or_amends(tmp_path, catalogue, capsys, lang, words):
    from workbench.archive.store import Archive
    from workbench.cli import main

    db = str(tmp_path / "a.db")
    archive = Archive(db)
    rid = build_round(archive, catalogue)
    S.seal_round(archive, rid, "王建华", ISSUED, at=datetime(2018, 5, 20, 9))
    runs = len(archive.scoring_runs(rid))
    out = ["--out", str(tmp_path / "s.csv"), "--db", db]
    assert main(["--lang", lang, "score", "--round", rid, *out]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert main(["--lang", lang, "score", "--round", rid, "--dry-run", *out]) == 0
    assert "M2" in capsys.readouterr().out and len(archive.scoring_runs(rid)) == runs
    assert main(["--lang", lang, "score", "--round", rid, "--amend", "--by", "王建华", *out]) == 2
    assert "--reason" in capsys.readouterr().err
    assert main(["--lang", lang, "score", "--round", rid, "--amend", "--reason", "权重勘误", "--by", "王建华",
                 *out]) == 0
    assert len(archive.scoring_runs(rid)) == runs + 1 and S.check_seal(archive, rid).ok
    assert S.amendments_of(archive, rid)[["by", "why"]].values.tolist() == [["王建华", "权重勘误"]]

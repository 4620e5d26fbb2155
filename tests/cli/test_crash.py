"""SIGKILL ``import``, ``score``, ``feedback`` and ``batch`` at random moments (issue 11), at least
20 times each (``WORKBENCH_CRASH_KILLS`` for more; ``benchmarks/crash.py`` runs more and prints
figures). After every kill the archive is consistent, an import added all of its rows or none, a
feedback archived every letter or none, and no process of the killed command still runs; after the
next run nothing is left over (see tests/crash_support.py)."""

from __future__ import annotations

import os
import sqlite3

from crash_support import (
    archive_problems,
    cli,
    count,
    leftovers,
    moments,
    reset,
    run_and_kill,
)

KILLS = int(os.environ.get("WORKBENCH_CRASH_KILLS", "20"))
N_UNITS = 3000


def _killed_cleanly(kill, db) -> None:
    assert not kill.problems, kill
    assert not kill.orphans, f"still running {kill.delay}s after the kill: {kill.orphans}"
    assert archive_problems(db) == [], (kill.delay, archive_problems(db))


def test_killed_import_adds_all_or_nothing(demo_db, tmp_path):
    db = reset(demo_db, tmp_path / "a.db")
    base = count(db, "SELECT count(*) FROM units")
    units = tmp_path / "units.csv"
    units.write_text("unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,"
                     "approved_sections\n" + "".join(f"K{i:05d},青州市测试单位{i},county,370781,事业单位,10,9,2,3\n"
                                                     for i in range(N_UNITS)), encoding="utf-8")
    cmd = cli("import", "units", str(units), "--db", str(db), "--by", "测试")
    for delay in moments(KILLS, 0.2, 2.5, seed=1):
        kill = run_and_kill(cmd, delay, tmp_path)
        _killed_cleanly(kill, db)
        assert count(db, "SELECT count(*) FROM units") in (base, base + N_UNITS), delay
    assert run_and_kill(cmd, 600, tmp_path).returncode == 0
    assert count(db, "SELECT count(*) FROM units") == base + N_UNITS


def test_killed_score_leaves_whole_runs_and_no_temporaries(demo_db, tmp_path):
    db = reset(demo_db, tmp_path / "s.db")
    out = tmp_path / "out"
    # the demo's 2018 round is sealed: a new version is an amendment, archived with its run or not at all
    cmd = cli("score", "--round", "2018-city", "--db", str(db), "--out", str(out / "r.xlsx"),
              "--out", str(out / "r.csv"), "--amend", "--reason", "复核", "--by", "测试")
    runs = count(db, "SELECT count(*) FROM scoring_runs")
    for delay in moments(KILLS, 0.2, 3.0, seed=2):
        _killed_cleanly(run_and_kill(cmd, delay, tmp_path), db)
    assert run_and_kill(cmd, 600, tmp_path).returncode == 0
    assert count(db, "SELECT count(*) FROM scoring_runs") > runs and archive_problems(db) == []
    assert leftovers(out) == []


def test_killed_feedback_archives_every_letter_or_none(demo_db, tmp_path):
    base = reset(demo_db, tmp_path / "base.db")
    with sqlite3.connect(base) as con:  # a round on its feedback day: scored, not yet sealed
        con.execute("DELETE FROM seals WHERE round_id = '2020-370781'")
        con.execute("DELETE FROM letters WHERE round_id = '2020-370781'")
    db, out = tmp_path / "f.db", tmp_path / "out"
    cmd = cli("feedback", "--round", "2020-370781", "--out", str(out), "--by", "测试", "--db", str(db))
    units = None
    for delay in moments(KILLS, 0.2, 3.5, seed=3):
        reset(base, db)
        kill = run_and_kill(cmd, delay, tmp_path)
        _killed_cleanly(kill, db)
        letters = count(db, "SELECT count(*) FROM letters WHERE round_id = '2020-370781'")
        if not kill.killed:
            units = letters
        assert letters == 0 or letters == units or units is None, (delay, letters)
    assert run_and_kill(cmd, 600, tmp_path).returncode == 0
    assert count(db, "SELECT count(*) FROM seals WHERE round_id = '2020-370781'") == 1
    assert leftovers(out) == [] and archive_problems(db) == []


def test_killed_batch_leaves_no_worker_and_resume_cleans_up(demo_db, tmp_path):
    db = reset(demo_db, tmp_path / "b.db")
    project = tmp_path / "project"
    assert run_and_kill(cli("new", str(project)), 600, tmp_path).returncode == 0
    # one round, one worker: each kill costs a batch start-up; the benchmark kills two workers at once
    cmd = cli("--project", str(project), "batch", "--year", "2018", "--areas", "370781", "--jobs", "1",
              "--db", str(db))
    before = db.read_bytes()
    for delay in moments(KILLS, 0.0, 3.0, seed=4):  # from the moment its workers exist
        kill = run_and_kill(cmd, delay, tmp_path, after_children=True)
        assert not kill.orphans, f"batch killed at {kill.delay}s left {kill.orphans} running"
        assert not kill.problems
    assert db.read_bytes() == before  # the batch only reads the archive
    resumed = run_and_kill(cmd[:-2] + ["--resume", "--db", str(db)], 900, tmp_path)
    assert resumed.returncode == 0 and not resumed.orphans
    assert leftovers(project / "reports") == []
    assert sorted(p.name for p in (project / "reports" / "2018").iterdir() if p.is_dir()) == ["370781"]

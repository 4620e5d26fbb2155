"""Benchmark: SIGKILL ``import``, ``score``, ``feedback`` and ``batch`` many times at random moments.

    .venv/bin/python benchmarks/crash.py                 # 60 kills per command
    .venv/bin/python benchmarks/crash.py --kills 200 --only score

Each command is first run once to measure its length; the kills then fall uniformly within it. After
each kill it checks what tests/crash_support.py checks (archive integrity and invariants, all or
nothing, no orphan process) and prints per command: kills, how many landed before the command
finished, problems, orphans, leftovers after the next run, and the seconds it took. Not a test: it
prints (the test, tests/cli/test_crash.py, does 20 per command).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from crash_support import archive_problems, cli, count, leftovers, moments, reset, run_and_kill  # noqa: E402

from workbench.archive import Archive  # noqa: E402
from workbench.demo.build import build_demo  # noqa: E402


def scenarios(work: Path, demo: Path) -> dict:
    units = work / "units.csv"
    units.write_text("unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,"
                     "approved_sections\n" + "".join(f"K{i:05d},测试单位{i},county,370781,事业单位,10,9,2,3\n"
                                                     for i in range(3000)), encoding="utf-8")
    fb_base = reset(demo, work / "fb-base.db")
    with sqlite3.connect(fb_base) as con:
        con.execute("DELETE FROM seals WHERE round_id = '2020-370781'")
        con.execute("DELETE FROM letters WHERE round_id = '2020-370781'")
    project = work / "project"
    run_and_kill(cli("new", str(project)), 600, work)
    return {
        "import": (demo, cli("import", "units", str(units), "--db", str(work / "import.db"), "--by", "x"),
                   work / "import.db", False, [work]),
        "score": (demo, cli("score", "--round", "2018-city", "--db", str(work / "score.db"), "--out",
                            str(work / "score" / "r.xlsx"), "--amend", "--reason", "复核", "--by", "测试"),
                  work / "score.db", False, [work / "score"]),
        "feedback": (fb_base, cli("feedback", "--round", "2020-370781", "--out", str(work / "fb"), "--by", "x",
                                  "--db", str(work / "fb.db")), work / "fb.db", True, [work / "fb"]),
        "batch": (demo, cli("--project", str(project), "batch", "--year", "2018", "--areas", "370781,370702",
                            "--jobs", "2", "--db", str(work / "batch.db")), work / "batch.db", False,
                  [project / "reports"]),
    }


def measure(name: str, base: Path, cmd: list[str], db: Path, fresh: bool, outs: list[Path], kills: int,
            work: Path) -> dict:
    reset(base, db)
    t0 = time.perf_counter()
    run_and_kill(cmd, 900, work)
    length = time.perf_counter() - t0
    reset(base, db)
    started, landed, problems, orphans = time.perf_counter(), 0, [], 0
    for delay in moments(kills, 0.1, length, seed=len(name)):
        if fresh:
            reset(base, db)
        kill = run_and_kill(cmd, delay, work, after_children=name == "batch")
        landed += kill.killed
        orphans += len(kill.orphans)
        problems += [f"{delay}s: {p}" for p in archive_problems(db) + kill.problems]
    final = run_and_kill(cmd + (["--resume"] if name == "batch" else []), 900, work)
    return {"command": name, "run_s": round(length, 1), "kills": kills, "landed": landed,
            "problems": len(problems), "orphans": orphans, "leftovers": len(leftovers(*outs)),
            "next_run_ok": final.returncode == 0, "seconds": round(time.perf_counter() - started, 1),
            "units": count(db, "SELECT count(*) FROM units"), "examples": problems[:3]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=60)
    ap.add_argument("--only", action="append", choices=["import", "score", "feedback", "batch"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = work / "demo.db"
        build_demo(Archive(str(demo)))
        for name, spec in scenarios(work, demo).items():
            if args.only and name not in args.only:
                continue
            print(measure(name, *spec, args.kills, work), flush=True)


if __name__ == "__main__":
    main()

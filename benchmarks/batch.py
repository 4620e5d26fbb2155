"""Benchmark: the yearly batch on a full demo year, ``--jobs 1`` against ``--jobs 2``.

    .venv/bin/python benchmarks/batch.py            # one year (13 rounds), jobs 1 and 2
    .venv/bin/python benchmarks/batch.py --all      # also the whole demo: 3 years, 39 rounds

Prints the wall time of each run, the ratio, and where the time of a round goes: kernel start
(papermill wall time minus the cells), execution of the cells (the first of which imports the
workbench) and the HTML conversion. Goals (issue 5): the whole demo in under 3 minutes on a
2-core machine, and ``--jobs 2`` at least 1.6× faster than ``--jobs 1``. Not a test: it prints.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from workbench.archive.store import Archive
from workbench.batch.run import run_batch
from workbench.demo.build import build_demo
from workbench.paths import PROJECT_ROOT

GOAL_RATIO = 1.6
GOAL_ALL_SECONDS = 180


def project(base: Path, name: str, years: list[int]) -> Path:
    """A throw-away project folder with the demo years' parameters; reports land inside it."""
    params = base / name / "parameters"
    params.mkdir(parents=True)
    for year in years:
        shutil.copy(PROJECT_ROOT / "parameters" / f"{year}.yaml", params)
    return params


def cpu_seconds() -> float:
    """CPU time of this process and every finished descendant (workers and their kernels)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(db: Path, params: Path, years: list[int], jobs: int) -> dict:
    cpu, load = cpu_seconds(), os.getloadavg()[0]
    result = run_batch(years, db=str(db), params_dir=params, jobs=jobs, stream=sys.stderr)
    cpu = cpu_seconds() - cpu
    entries = [e for m in result.manifests.values() for e in m.rounds.values()]
    split = {k: sum(e.get("timings", {}).get(k, 0) for e in entries)
             for k in ("kernel", "execute", "convert", "letters")}
    return {"wall": result.seconds, "cpu": cpu, "load": load, "rounds": len(entries),
            "failed": len(result.failed),
            "round_sum": sum(e["seconds"] for e in entries), **split}


def report(label: str, r: dict) -> None:
    n = r["rounds"]
    print(f"{label:<22} wall {r['wall']:6.1f} s  CPU {r['cpu']:6.1f} s  "
          f"(load before {r['load']:.1f})  {n} rounds ({r['failed']} failed)")
    print(f"{'':<22} per round: kernel start {r['kernel'] / n:4.2f} s · execution "
          f"{r['execute'] / n:4.2f} s · conversion {r['convert'] / n:4.2f} s · letters "
          f"{r['letters'] / n:4.2f} s · round total {r['round_sum'] / n:4.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2018)
    parser.add_argument("--all", action="store_true", help="also run the whole demo (2018–2020)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        base = Path(tmp)
        db = base / "demo.db"
        build_demo(Archive(str(db)))
        one = run(db, project(base, "jobs1", [args.year]), [args.year], jobs=1)
        two = run(db, project(base, "jobs2", [args.year]), [args.year], jobs=2)
        report(f"{args.year}, --jobs 1", one)
        report(f"{args.year}, --jobs 2", two)
        print(f"machine: {os.cpu_count()} cores; other processes' load shows in 'load before'. "
              f"CPU time does not depend on it: on idle cores --jobs 2 needs about "
              f"{two['cpu'] / 2:.0f} s for this year.")
        ratio = one["wall"] / two["wall"]
        print(f"speed-up --jobs 2 vs --jobs 1: {ratio:.2f}× (goal ≥ {GOAL_RATIO}×: "
              f"{'met' if ratio >= GOAL_RATIO else 'NOT met'})")
        if args.all:
            years = [2018, 2019, 2020]
            full = run(db, project(base, "all", years), years, jobs=2)
            report("2018–2020, --jobs 2", full)
            print(f"whole demo: {full['wall']:.1f} s (goal < {GOAL_ALL_SECONDS} s: "
                  f"{'met' if full['wall'] < GOAL_ALL_SECONDS else 'NOT met'}); "
                  f"CPU {full['cpu']:.0f} s, i.e. about {full['cpu'] / 2:.0f} s on 2 idle cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())

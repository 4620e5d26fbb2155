"""SIGKILL a workbench command at a random moment, then check what it left (issue 11).

Used by ``tests/cli/test_crash.py`` (20 kills per command) and ``benchmarks/crash.py`` (more, with
figures). Checks, after each kill: the SQLite archive passes ``PRAGMA integrity_check`` and
``foreign_key_check``; every scoring run is whole (one result per matter in its round's scope) or
absent; a round is sealed only on a run with its results, and a sealed round's later runs
are amendments; an import added all its rows or none; no process the command started is still running a few seconds later. After the
next, unkilled run: no ``*.tmp`` or ``.staging`` leftovers.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "workbench.cli", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "WORKBENCH_LANG": "en"}


def _ppids() -> dict[int, int]:
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                if fields[0] != "Z":  # a zombie has finished: it runs nothing
                    out[int(d.name)] = int(fields[1])
            except (OSError, ValueError):
                continue
    return out


def descendants(pid: int) -> set[int]:
    ppids, found, todo = _ppids(), set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in ppids.items() if pp == p}
        todo += list(kids - found)
        found |= kids
    return found


def still_running(pids: set[int], wait: float) -> set[int]:
    """Of ``pids``, those still running after up to ``wait`` seconds."""
    deadline = time.time() + wait
    while True:
        alive = pids & set(_ppids())
        if not alive or time.time() > deadline:
            return alive
        time.sleep(0.2)


@dataclass
class Kill:
    delay: float
    killed: bool  # False: it finished before the moment came
    returncode: int
    orphans: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def run_and_kill(cmd: list[str], delay: float, cwd: Path, orphan_wait: float = 8.0,
                 after_children: bool = False) -> Kill:
    """Start ``cmd``, SIGKILL it (the one process, as a crash would) after ``delay`` seconds —
    counted from its first child process with ``after_children`` (a batch's workers at work)."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + delay
    kids: set[int] = set()
    while (time.time() < deadline or (after_children and not kids)) and proc.poll() is None:
        if after_children and not kids:
            deadline = time.time() + delay
        kids |= descendants(proc.pid)
        time.sleep(0.05)
    if proc.poll() is not None:
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        return Kill(delay, False, proc.returncode, problems=["Traceback"] if "Traceback" in err else [])
    kids |= descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    orphans = still_running(kids, orphan_wait) if kids else set()
    for pid in orphans:  # do not leave them to spoil the next case
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return Kill(delay, True, proc.returncode, orphans)


def _open(db: Path) -> sqlite3.Connection:
    """The archive as the next user opens it: read-write, because a process killed in a write
    leaves a hot journal that only a writer may roll back (a read-only connection is refused with
    "attempt to write a readonly database" until then)."""
    return sqlite3.connect(db)


def archive_problems(db: Path) -> list[str]:
    """What is inconsistent in the SQLite archive ``db`` (empty: nothing)."""
    con = _open(db)
    try:
        problems = []
        ok = con.execute("PRAGMA integrity_check").fetchall()
        if ok != [("ok",)]:
            problems.append(f"integrity_check: {ok[:3]}")
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:3]}")
        partial = con.execute("""
            SELECT s.run_id, s.round_id, (SELECT count(*) FROM results r WHERE r.run_id = s.run_id) AS n,
                   (SELECT count(*) FROM round_matters m WHERE m.round_id = s.round_id AND m.included) AS want
            FROM scoring_runs s WHERE s.source = 'verified' AND n != want""").fetchall()
        problems += [f"scoring run {r[0]} of {r[1]} holds {r[2]} of {r[3]} results" for r in partial]
        unsealed = con.execute("""
            SELECT se.round_id FROM seals se
            WHERE (SELECT count(*) FROM results r WHERE r.run_id = se.run_id) = 0""").fetchall()
        problems += [f"{r[0]} sealed on a run without results" for r in unsealed]
        unamended = con.execute("""
            SELECT s.run_id, s.round_id FROM scoring_runs s JOIN seals se ON se.round_id = s.round_id
            WHERE s.source = 'verified' AND s.run_id > se.run_id
              AND s.run_id NOT IN (SELECT new_run_id FROM amendments)""").fetchall()
        problems += [f"scoring run {r[0]} of sealed {r[1]} has no amendment" for r in unamended]
        return problems
    finally:
        con.close()


def count(db: Path, sql: str) -> int:
    con = _open(db)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def leftovers(*folders: Path) -> list[Path]:
    found = []
    for folder in folders:
        if folder.exists():
            found += [p for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.endswith(".staging")]
    return found


def moments(n: int, low: float, high: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [round(rng.uniform(low, high), 2) for _ in range(n)]


def reset(src: Path, dst: Path) -> Path:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copy(src, dst)
    return dst

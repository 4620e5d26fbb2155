"""Batch workers die with the batch, and a killed run's leftovers are swept (issue 11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from workbench.batch.workers import sweep_leftovers

ROOT = Path(__file__).resolve().parents[2]
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", '''
import os, sys, time
from workbench.batch.workers import init_worker
init_worker(os.getppid())
print(os.getpid(), flush=True)
time.sleep(120)
'''], stdout=sys.stdout)
time.sleep(120)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_worker_dies_when_its_batch_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    worker = int(parent.stdout.readline())
    assert _running(worker)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.time() + 5
    while _running(worker) and time.time() < deadline:
        time.sleep(0.1)
    alive = _running(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, "the worker outlived its killed batch"


def test_leftovers_of_a_killed_run_are_swept(tmp_path):
    year = tmp_path / "2018"
    (year / ".370781.staging" / "letters").mkdir(parents=True)
    (year / "370702").mkdir()
    (year / "370702" / "report.html").write_text("kept")
    (year / ".manifest.json.123-abc.tmp").write_text("half")
    gone = sweep_leftovers(year)
    assert sorted(p.name for p in gone) == [".370781.staging", ".manifest.json.123-abc.tmp"]
    assert sorted(p.name for p in year.iterdir()) == ["370702"] and (year / "370702" / "report.html").exists()
    assert sweep_leftovers(tmp_path / "nothing") == []

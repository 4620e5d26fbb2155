"""Worker processes that die with the batch, and the leftovers of a batch that was killed.

A ``workbench batch`` killed with SIGKILL cannot clean up after itself, so:

- each worker asks Linux to kill it when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``
  through ctypes), and checks once that its parent is still the batch (the batch may have died
  before the request took effect); elsewhere it polls its parent pid. Each round's kernel watches
  its worker in turn (ipykernel's parent poller), so no process of a killed batch keeps running
  and publishing rounds the manifest does not list;
- the next run (or ``--resume``), holding the output folder's lock, sweeps what a killed run left:
  ``.AREA.staging`` folders and ``*.tmp`` files of unfinished atomic writes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except OSError:
            pass  # no libc to ask: the poller below still watches
    if os.getppid() != parent:  # the batch died before the request above took effect
        os._exit(1)


def _watch(parent: int, every: float = 1.0) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def init_worker(parent: int) -> None:
    """``ProcessPoolExecutor`` initializer: this worker dies when the batch process ``parent`` dies."""
    _die_with(parent)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="workbench-parent-watch").start()


def sweep_leftovers(folder: Path) -> list[Path]:
    """Remove what a killed run left in its output folder (call it holding the folder's lock)."""
    if not folder.is_dir():
        return []
    gone = []
    for p in sorted(folder.rglob(".*.staging")):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
            gone.append(p)
    for p in sorted(folder.rglob(".*.tmp")):
        if p.is_file() or p.is_symlink():
            p.unlink(missing_ok=True)
            gone.append(p)
    return gone

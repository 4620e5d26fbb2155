"""Yearly batch: papermill runs every round of a year and produces its reports.

``workbench batch --year 2018`` reads ``parameters/2018.yaml`` (checked before anything runs,
see ``batch_params``), then for every round, in worker processes (``--jobs``, default = cores):

    parameterise → execute the report notebook in its own kernel (papermill, explicit kernel name,
    execution timeout, retried on the kernel-port race) → convert to HTML without code (charts are
    inline SVG) → publish ``reports/<year>/<area>/`` by renaming a finished staging folder.

A failing round does not stop the others. ``reports/<year>/manifest.json`` records every round:
status, seconds, the hashes of its inputs and outputs, and for a failure the failing cell and
error; it is rewritten after each round, so ``--resume`` can skip rounds whose inputs have not
changed since their successful run. ``reports/<year>/index.html`` links every round with the
year's overview. The exit code says whether any round failed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from workbench import __version__
from workbench.archive import Archive
from workbench.errors import WorkbenchError
from workbench.followup import issued_letters, seal_of
from workbench.labels import register, t
from workbench.organisation import default_organisation
from workbench.paths import TEMPLATES, atomic_write

from .index import write_index
from .params import RoundTask, YearPlan, file_hash, plan_year, round_title
from .report import normalise_office_file
from .workers import init_worker, sweep_leftovers

KERNEL_NAME = "workbench"
PORT_RACE = "Address already in use"
KERNEL_ATTEMPTS = 4
START_TIMEOUT = 120

register({
    "batch_running": {"zh": "运行中", "en": "running"},
    "batch_ok": {"zh": "完成", "en": "ok"},
    "batch_failed": {"zh": "失败", "en": "FAILED"},
    "batch_skipped": {"zh": "未变化,跳过", "en": "unchanged, skipped"},
    "batch_summary": {
        "zh": "{year} 年:{ok} 轮完成,{failed} 轮失败,{skipped} 轮未变化 → {index}",
        "en": "{year}: {ok} rounds ok, {failed} failed, {skipped} unchanged → {index}",
    },
    "batch_round_failed": {
        "zh": "{round_id} 失败(单元格/步骤 {cell}){ename}: {evalue}(笔记本:{notebook})",
        "en": "{round_id} failed at cell/step {cell}: {ename}: {evalue} (notebook: {notebook})",
    },
    "batch_locked": {
        "zh": "另一个批处理(进程 {pid})正在写入 {folder},请等待其结束",
        "en": "another batch (process {pid}) is writing {folder}; wait for it to finish",
    },
    "batch_kernelspec": {
        "zh": "无法安装 Jupyter 内核 {name}:{reason}",
        "en": "cannot install the Jupyter kernel {name}: {reason}",
    },
})


# ------------------------------------------------------------------ kernel
def ensure_kernelspec(name: str = KERNEL_NAME) -> str:
    """A kernelspec ``workbench`` in this environment that starts *this* interpreter, so papermill
    never picks up some other Python's ``python3`` kernel. Idempotent; written atomically."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    # Quiet and without IPython's history database, which kernels running side by side would
    # otherwise all write to. CRITICAL, not ERROR: jupyter_client interrupts a kernel before
    # shutting it down, and the kernel logs that as "KeyboardInterrupt caught" — noise on the
    # operator's terminal. Errors in cells still land in the notebook and the manifest.
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]
    try:
        if KernelSpecManager().get_kernel_spec(name).argv == argv:
            return name
    except NoSuchKernel:
        pass
    spec = {"argv": argv, "display_name": "Python (workbench)", "language": "python",
            "metadata": {"debugger": False}}
    folder = Path(sys.prefix) / "share" / "jupyter" / "kernels" / name
    try:
        atomic_write(folder / "kernel.json", json.dumps(spec, indent=1))
    except OSError as exc:
        raise WorkbenchError(t("batch_kernelspec", "zh", name=name, reason=exc) + "\n"
                             + t("batch_kernelspec", "en", name=name, reason=exc)) from exc
    if KernelSpecManager().get_kernel_spec(name).argv != argv:
        raise WorkbenchError(t("batch_kernelspec", "en", name=name,
                               reason="another kernelspec of that name shadows it"))
    return name


def _is_port_race(exc: BaseException) -> bool:
    while exc is not None:
        if PORT_RACE in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


# ------------------------------------------------------------------ one round (worker side)
def run_round(task: RoundTask) -> dict:
    """Produce one round's reports; never raises: a failure is returned as the manifest entry."""
    started = time.perf_counter()
    staging = task.out_dir.with_name(f".{task.area}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    notebook = staging / f"{task.round_id}.ipynb"
    entry = {"area": task.area, "inputs": task.inputs, "timings": {}}
    step = "notebook"
    try:
        nb, seconds = _execute(task, notebook, staging)
        executed = sum(c.metadata.get("papermill", {}).get("duration") or 0 for c in nb.cells)
        entry["timings"] = {"kernel": round(seconds - executed, 3), "execute": round(executed, 3)}
        step, t0 = "html", time.perf_counter()
        lang = task.parameters.get("lang", "zh")
        html = _to_html(nb, round_title(task.org or default_organisation(), task.year, task.area, lang), lang)
        (staging / f"{task.round_id}.html").write_text(html, encoding="utf-8")
        entry["timings"]["convert"] = round(time.perf_counter() - t0, 3)
        step = "letters"
        if task.letters:
            entry["timings"]["letters"] = _write_letters(task, staging / "letters")
        outputs = {p.relative_to(staging).as_posix(): file_hash(p)
                   for p in sorted(staging.rglob("*")) if p.is_file()}
        _publish(staging, task.out_dir)
        (task.out_dir.parent / "_failed" / notebook.name).unlink(missing_ok=True)  # now fixed
        entry.update(status="ok", outputs=outputs, result_hash=outputs.get(f"{task.round_id}.csv"))
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the batch
        entry.update(status="failed", outputs={}, error={"step": step, **_describe(exc)})
        if notebook.exists():
            failed = task.out_dir.parent / "_failed" / notebook.name
            failed.parent.mkdir(exist_ok=True)
            os.replace(notebook, failed)
            entry["error"]["notebook"] = str(failed.relative_to(task.out_dir.parent))
        shutil.rmtree(staging, ignore_errors=True)
    entry["seconds"] = round(time.perf_counter() - started, 3)
    return entry


def _execute(task: RoundTask, notebook: Path, staging: Path):
    import papermill

    params = {**task.parameters, "output_dir": str(staging)}
    os.environ["WORKBENCH_DB"] = task.db_url  # the kernel inherits it (see RoundTask.db_url)
    for attempt in range(1, KERNEL_ATTEMPTS + 1):
        t0 = time.perf_counter()
        try:
            nb = papermill.execute_notebook(
                str(task.notebook), str(notebook), parameters=params, kernel_name=task.kernel_name,
                execution_timeout=task.timeout, start_timeout=START_TIMEOUT, progress_bar=False,
                log_output=False, cwd=str(task.cwd),
            )
            return nb, time.perf_counter() - t0
        except Exception as exc:
            # Two kernels starting at once can pick the same free port (jupyter_client picks
            # ports, then the kernel binds them): start again with fresh ports.
            if attempt == KERNEL_ATTEMPTS or not _is_port_race(exc):
                raise
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def _write_letters(task: RoundTask, folder: Path) -> float:
    """The feedback letters of a sealed round, dated as issued, from the sealed results (what the
    units were told); none before feedback has gone out. Returns the seconds spent."""


    t0 = time.perf_counter()
    archive = Archive(task.db_url, read_only=True)
    try:
        seal = seal_of(archive, task.round_id)
        if seal is not None:
            folder.mkdir()
            for letter in issued_letters(archive, task.round_id):  # as issued: same number, same date
                path = folder / letter["file_name"]
                path.write_bytes(letter["content"])
                normalise_office_file(path)
    finally:
        archive.dispose()
    return round(time.perf_counter() - t0, 3)


def _describe(exc: Exception) -> dict:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return {"cell": exc.exec_count, "cell_index": exc.cell_index,
                "source": exc.source.strip().splitlines()[0] if exc.source.strip() else "",
                "ename": exc.ename, "evalue": exc.evalue}
    return {"cell": None, "ename": type(exc).__name__, "evalue": str(exc).strip()[:2000]}


@lru_cache(maxsize=2)
def _exporter(lang: str):
    from nbconvert import HTMLExporter

    return HTMLExporter(template_file=str(TEMPLATES / "batch_round.html.j2"), exclude_input=True,
                        exclude_markdown=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        embed_images=True, language_code="en" if lang == "en" else "zh-CN")


def _to_html(nb, title: str, lang: str = "zh") -> str:
    body, _ = _exporter(lang).from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _publish(staging: Path, out_dir: Path) -> None:
    """Swap the finished staging folder in: readers see the old reports or the new, never half."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------ manifest
@dataclass
class Manifest:
    plan: YearPlan
    rounds: dict[str, dict] = field(default_factory=dict)
    previous: dict[str, dict] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.plan.output / "manifest.json"

    @classmethod
    def open(cls, plan: YearPlan) -> Manifest:
        m = cls(plan)
        try:
            m.previous = json.loads(m.path.read_text(encoding="utf-8")).get("rounds", {})
        except (OSError, ValueError):
            m.previous = {}
        # Rounds outside this run (e.g. --areas) keep their entries.
        m.rounds = dict(m.previous)
        return m

    def unchanged(self, task: RoundTask) -> bool:
        """The round ran successfully on exactly these inputs and its outputs are untouched."""
        prev = self.previous.get(task.round_id)
        if not prev or prev.get("status") != "ok" or prev.get("inputs") != task.inputs:
            return False
        return all((task.out_dir / name).is_file() and file_hash(task.out_dir / name) == digest
                   for name, digest in prev.get("outputs", {}).items())

    def record(self, round_id: str, entry: dict) -> None:
        self.rounds[round_id] = entry
        self.write()

    def write(self) -> None:
        doc = {
            "year": self.plan.year,
            "parameters_file": str(self.plan.params_file),
            "catalogue_hash": self.plan.catalogue_hash,
            "software_version": __version__,
            "rounds": {k: self.rounds[k] for k in sorted(self.rounds)},
        }
        atomic_write(self.path, json.dumps(doc, ensure_ascii=False, indent=1, default=str))


# ------------------------------------------------------------------ progress
class Progress:
    """``[12/39] 00:42 running 2019-370781, 2019-370782`` — one rewritten line on a terminal,
    one line per finished round otherwise (logs, CI)."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()

    def _clock(self) -> str:
        s = int(time.perf_counter() - self.start)
        return f"{s // 60:02d}:{s % 60:02d}"

    def tick(self, running: list[str]) -> None:
        if self.tty:
            line = f"[{self.done}/{self.total}] {self._clock()} {t('batch_running')} {', '.join(running)}"
            self.stream.write("\r\033[K" + line[:160])
            self.stream.flush()

    def finished(self, round_id: str, entry: dict) -> None:
        self.done += 1
        status = t("batch_" + ("skipped" if entry.get("resumed") else entry["status"]))
        line = f"[{self.done}/{self.total}] {self._clock()} {round_id} {status} ({entry.get('seconds', 0):.1f} s)"
        self.stream.write(("\r\033[K" if self.tty else "") + line + "\n")
        if entry["status"] == "failed":
            e = entry["error"]
            where = e.get("cell") if e.get("cell") is not None else e.get("step", "—")
            self.stream.write("  " + t("batch_round_failed", round_id=round_id, cell=where,
                                       ename=e.get("ename"), evalue=e.get("evalue"),
                                       notebook=e.get("notebook", "—")) + "\n")
        self.stream.flush()


# ------------------------------------------------------------------ the batch
@dataclass
class BatchResult:
    manifests: dict[int, Manifest]
    ran: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_batch(years: list[int], db: str | None = None, params_dir: Path | None = None,
              areas: list[str] | None = None, jobs: int | None = None, resume: bool = False,
              stream=None) -> BatchResult:
    """Plan every year (all checks first), run the rounds in parallel, write manifests and
    indexes. Returns what happened; the caller turns it into an exit code."""

    started = time.perf_counter()
    archive = Archive(db, read_only=True)
    try:
        kernel = ensure_kernelspec()
        plans = [plan_year(y, archive, params_dir, areas, kernel) for y in dict.fromkeys(years)]
    finally:
        archive.dispose()
    locks: list[Path] = []
    try:
        locks += [_lock(p.output) for p in plans]
        for plan in plans:  # what a killed run left (we hold the lock: no other batch is writing)
            sweep_leftovers(plan.output)
        return _run_plans(plans, jobs, resume, stream, started)
    finally:
        for lock in locks:
            lock.unlink(missing_ok=True)


def _lock(folder: Path) -> Path:
    """One batch at a time per output folder; a lock left by a dead process is taken over."""
    lock = folder / ".batch.lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                pid = int(lock.read_text() or 0)
                os.kill(pid, 0)
            except (ValueError, ProcessLookupError, FileNotFoundError):
                lock.unlink(missing_ok=True)  # stale
                continue
            except PermissionError:
                pass  # alive, someone else's
            raise WorkbenchError(t("batch_locked", "zh", folder=folder, pid=pid) + "\n"
                                 + t("batch_locked", "en", folder=folder, pid=pid)) from None
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return lock
    raise WorkbenchError(t("batch_locked", "en", folder=folder, pid="?"))


def _run_plans(plans: list[YearPlan], jobs: int | None, resume: bool, stream,
               started: float) -> BatchResult:

    manifests = {p.year: Manifest.open(p) for p in plans}
    result = BatchResult(manifests)
    todo: list[RoundTask] = []
    for plan in plans:
        for task in plan.tasks:
            if resume and manifests[plan.year].unchanged(task):
                manifests[plan.year].rounds[task.round_id]["resumed"] = True
                result.skipped += 1
            else:
                todo.append(task)
    progress = Progress(len(todo) + result.skipped, stream)
    for plan in plans:
        for task in plan.tasks:
            entry = manifests[plan.year].rounds.get(task.round_id)
            if entry and entry.get("resumed"):
                progress.finished(task.round_id, entry)
    for task, entry in _run_all(todo, jobs or default_jobs(), progress):
        entry["resumed"] = False
        manifests[task.year].record(task.round_id, entry)
        result.ran += 1
        if entry["status"] != "ok":
            result.failed.append(task.round_id)
    for plan in plans:
        manifests[plan.year].write()
        write_index(plan, manifests[plan.year].rounds)
    result.seconds = time.perf_counter() - started
    return result


def _mp_context():
    """Fork where that is safe: forked workers inherit papermill and nbconvert already imported,
    which saves each worker seconds. A parent with threads is not safe to fork: spawn then."""
    import multiprocessing
    import threading

    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        import nbconvert.exporters.html  # noqa: F401 - imported once, before the fork
        import papermill  # noqa: F401

        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _run_all(tasks: list[RoundTask], jobs: int, progress: Progress):
    """Yield ``(task, manifest entry)`` as rounds finish, ``jobs`` worker processes at a time.
    Workers are reused: each runs several rounds in turn, every round in a fresh kernel."""
    if not tasks:
        return
    jobs = max(1, min(jobs, len(tasks)))
    with ProcessPoolExecutor(jobs, mp_context=_mp_context(), initializer=init_worker,
                             initargs=(os.getpid(),)) as pool:
        pending = {pool.submit(run_round, task): task for task in tasks}
        while pending:
            done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                try:
                    entry = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker process died
                    entry = {"area": task.area, "inputs": task.inputs, "status": "failed",
                             "outputs": {}, "seconds": 0.0,
                             "error": {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)}}
                progress.finished(task.round_id, entry)
                yield task, entry
            progress.tick([pending[f].round_id for f in pending if f.running()])





"""The hostile-input corpus (``corpus/cases.yaml``) on SQLite and on PostgreSQL: every case is
refused with its reason in Chinese — file, row, column — exit code 2, no traceback, and the
archive left exactly as it was (SQLite: the file's bytes; PostgreSQL: a dump of every table)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from hostile_support import build_archive, snapshot

from workbench.archive import Archive
from workbench.cli import main
from workbench.cli.robustness import check_memory
from workbench.errors import ValidationError, WorkbenchError
from workbench.rounds.survey import import_survey

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- inputs too big to commit
def big_csv(path: Path) -> Path:
    path = path.with_suffix(".csv")
    with open(path, "wb") as f:
        f.write(b"unit_id,name\n")
        f.truncate(21 * 2**20)  # sparse: nothing is written to disk
    return path


def zip_bomb_xlsx(path: Path) -> Path:
    """A 0.2 MB .xlsx whose one sheet unpacks to 210 MB."""
    path = path.with_suffix(".xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, \
            z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        chunk = b"\0" * 2**20
        for _ in range(210):
            f.write(chunk)
    return path


def many_entries_xlsx(path: Path) -> Path:
    path = path.with_suffix(".xlsx")
    with zipfile.ZipFile(path, "w") as z:
        for i in range(2_001):
            z.writestr(f"xl/part{i}.xml", b"")
    return path


def folder_csv(path: Path) -> Path:
    (path.parent / "folder.csv").mkdir()
    return path


MAKERS = {f.__name__: f for f in (big_csv, zip_bomb_xlsx, many_entries_xlsx, folder_csv)}


def run_case(case: dict, db: str, tmp: Path) -> tuple[int, str]:
    work = tmp / case["id"]
    work.mkdir()
    file = CORPUS / "files" / case["file"] if "file" in case else work / "input"
    if "make" in case:
        file = MAKERS[case["make"]](work / "input")
    args = [a.format(db=db, file=file, tmp=work) for a in case["args"]]
    if not case.get("own_db"):
        args += ["--db", db]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(args)
        except SystemExit as exc:  # argparse refuses an option
            code = exc.code
    return code, err.getvalue()


def problems_of(case: dict, code: int, err: str) -> list[str]:
    found = []
    if code != 2:
        found.append(f"exit {code}")
    if "Traceback" in err:
        found.append("traceback")
    expected = list(case.get("says", []))
    if "file" in case and case["args"][:1] == ["import"]:
        expected.append(case["file"])
    if "row" in case:
        expected.append(f"第{case['row']}行")
    if "column" in case:
        expected.append(f"[{case['column']}]")
    found += [f"missing «{s}»" for s in expected if s not in err]
    return found


def run_corpus(url: str, tmp: Path, catalogue) -> None:
    build_archive(url, tmp, catalogue)
    failed = {}
    for case in CASES:
        before = snapshot(url)
        code, err = run_case(case, url, tmp)
        problems = problems_of(case, code, err)
        if snapshot(url) != before:
            problems.append("archive changed")
        if problems:
            failed[case["id"]] = (problems, err[-400:])
    assert not failed, "\n".join(f"{k}: {p} ← {e!r}" for k, (p, e) in failed.items())


def test_corpus_is_large_enough():
    assert len(CASES) >= 40 and len({c["id"] for c in CASES}) == len(CASES)


def test_corpus_on_sqlite(tmp_path, catalogue):
    run_corpus(f"sqlite:///{tmp_path / 'a.db'}", tmp_path, catalogue)


def test_corpus_on_postgresql(pg_url, tmp_path, catalogue):
    run_corpus(pg_url, tmp_path, catalogue)


@pytest.mark.parametrize("case_id", ["nul_byte", "extra_fields", "draws_zero", "db_is_a_directory"])
def test_as_a_person_runs_it(tmp_path, catalogue, case_id):
    """A few cases through a real process: the exit code and the absence of a traceback are
    what the shell sees, not what main() returns."""
    db = tmp_path / "a.db"
    build_archive(str(db), tmp_path, catalogue)
    case = next(c for c in CASES if c["id"] == case_id)
    work = tmp_path / "w"
    work.mkdir()
    args = [a.format(db=db, file=CORPUS / "files" / case.get("file", ""), tmp=work) for a in case["args"]]
    args += [] if case.get("own_db") else ["--db", str(db)]
    before = snapshot(f"sqlite:///{db}")
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**_env(), "WORKBENCH_LANG": "zh"}, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert all(s in proc.stderr for s in case["says"]), proc.stderr
    assert snapshot(f"sqlite:///{db}") == before


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_corpus_files_are_what_the_builder_writes(tmp_path, monkeypatch):
    """The committed inputs are reproducible from build_corpus.py."""
    sys.path.insert(0, str(CORPUS))
    try:
        import build_corpus
    finally:
        sys.path.remove(str(CORPUS))
    monkeypatch.setattr(build_corpus, "HERE", tmp_path)
    build_corpus.main()
    for made in tmp_path.iterdir():
        if made.suffix != ".xlsx" or made.name != "formula_no_value.xlsx":  # openpyxl stamps a time
            assert made.read_bytes() == (CORPUS / "files" / made.name).read_bytes(), made.name
    shutil.rmtree(tmp_path)


def test_draws_times_matters_bounded_by_memory():
    """Within the --draws range, a big round can still need too much memory: refused before any
    matrix is allocated, with the most draws that fit."""
    check_memory(10_000, 600)
    with pytest.raises(WorkbenchError, match="内存.*--draws") as info:
        check_memory(1_000_000, 600)
    most = int(re.search(r"减到 (\d+)", str(info.value)).group(1))
    check_memory(most, 600)
    with pytest.raises(WorkbenchError):
        check_memory(most + 1_000, 600)


@pytest.mark.parametrize("maker", [zip_bomb_xlsx, many_entries_xlsx])
def test_survey_workbook_bounded_before_opening(tmp_path, catalogue, maker):
    """The survey form's upload goes through the same bounds as the imports."""
    db = f"sqlite:///{tmp_path / 'a.db'}"
    build_archive(db, tmp_path, catalogue, seal=False)
    before = snapshot(db)
    with pytest.raises(ValidationError, match="解压后过大或条目过多"):
        import_survey(Archive(db), maker(tmp_path / "survey"), "2018-city", "C900", catalogue)
    assert snapshot(db) == before

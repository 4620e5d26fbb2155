"""The one atomic writer (workbench.paths) and the one Excel writer (workbench.files.excel)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from workbench.files import write_tables, write_workbook
from workbench.paths import atomic_path, atomic_write


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_atomic_write_replaces_the_file_and_makes_its_folder(tmp_path):
    path = tmp_path / "a" / "b" / "out.txt"
    assert atomic_write(path, "一\n二\n") == path
    assert path.read_text(encoding="utf-8") == "一\n二\n"
    atomic_write(path, b"\x00bytes")
    assert path.read_bytes() == b"\x00bytes"
    atomic_write(path, "bom", encoding="utf-8-sig")
    assert path.read_bytes() == b"\xef\xbb\xbfbom"
    assert leftovers(path.parent) == []


def test_atomic_path_replaces_only_on_success(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        assert tmp.parent == path.parent and tmp.exists() and tmp != path
        tmp.write_text("half of the new", encoding="utf-8")
        raise RuntimeError("the writer failed")
    assert path.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []  # no temporary file left behind
    with atomic_path(path) as tmp:
        tmp.write_text("new", encoding="utf-8")
        assert path.read_text(encoding="utf-8") == "old"  # not yet
    assert path.read_text(encoding="utf-8") == "new"
    assert leftovers(tmp_path) == []


def test_a_failed_write_leaves_no_file_where_there_was_none(tmp_path):
    path = tmp_path / "new.txt"
    with pytest.raises(KeyboardInterrupt), atomic_path(path):
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_planted_at_the_old_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    path = tmp_path / "out.csv"
    planted = tmp_path / f".{path.name}.tmp"  # the name the writers used to use
    planted.symlink_to(victim)
    atomic_write(path, "data")
    with atomic_path(path) as tmp:
        tmp.write_text("more data", encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert planted.is_symlink() and path.read_text(encoding="utf-8") == "more data"
    assert leftovers(tmp_path) == [planted.name]


def test_the_file_gets_the_mode_of_any_new_file(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "shared.txt", "x")
    finally:
        os.umask(old)
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o644


def test_write_workbook_reads_back_with_pandas(tmp_path):
    units = pd.DataFrame({"unit_id": ["u1", "u2"], "单位名称": ["甲局", "乙局"], "pct": [91.5, None]})
    matters = pd.DataFrame({"matter_id": ["m1"], "late": [True]})
    path = write_workbook(tmp_path / "x" / "summary.xlsx", {"单位": units, "matters": matters})
    back = pd.read_excel(path, sheet_name=None, dtype={"unit_id": str})
    assert list(back) == ["单位", "matters"]
    pd.testing.assert_frame_equal(back["单位"], units)
    pd.testing.assert_frame_equal(back["matters"], matters)
    assert leftovers(path.parent) == []


def test_write_workbook_keeps_the_old_file_when_a_sheet_fails(tmp_path):
    path = tmp_path / "summary.xlsx"
    write_workbook(path, {"a": pd.DataFrame({"x": [1]})})
    before = path.read_bytes()
    with pytest.raises(ValueError):
        write_workbook(path, {"a": pd.DataFrame({"x": [2]}), "bad[name]": pd.DataFrame({"y": [1]})})
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_write_tables_csv_and_xlsx(tmp_path):
    tables = {"matters": pd.DataFrame({"a": [1, 2]}), "units": pd.DataFrame({"名称": ["甲"]})}
    written = write_tables(tmp_path / "r.csv", tables)
    assert [p.name for p in written] == ["r.csv", "r-units.csv"]
    assert written[0].read_bytes() == b"\xef\xbb\xbfa\n1\n2\n"
    assert written[1].read_bytes() == "\ufeff名称\n甲\n".encode()
    (xlsx,) = write_tables(tmp_path / "r.xlsx", tables)
    assert list(pd.read_excel(xlsx, sheet_name=None)) == ["matters", "units"]


def test_temporary_files_of_a_killed_writer_are_swept_by_the_next_write(tmp_path):
    """A writer killed mid-write leaves ``.out.csv.PID-xxxx.tmp``; the next write to the same file
    removes it once that pid is gone, and leaves a live writer's file alone."""
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    path = tmp_path / "out.csv"
    killed = tmp_path / f".out.csv.{dead}-abcdef012345.tmp"
    killed.write_text("half")
    live = tmp_path / f".out.csv.{os.getpid()}-abcdef012345.tmp"
    live.write_text("being written")
    other = tmp_path / ".other.csv.1-abcdef012345.tmp"
    other.write_text("another file's")
    atomic_write(path, "new")
    assert path.read_text() == "new" and not killed.exists() and live.exists() and other.exists()

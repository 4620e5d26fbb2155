"""Property-based fuzzing of the CSV and .xlsx readers through the imports: whatever the bytes or
cells, an import either succeeds or raises the workbench's own ValidationError (which the CLI
prints as file/row/column/reason) — never another exception — and a refused import leaves the
archive byte-for-byte as it was."""

from __future__ import annotations

import csv
import io
import math

import openpyxl
import pytest
from hostile_support import UNITS, build_archive, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from workbench.archive import Archive
from workbench.errors import ValidationError
from workbench.files import import_entries, import_matters, import_units

COLUMNS = UNITS.splitlines()[0].split(",") + ["matter_id", "category", "approved_on", "indicator_id", "source",
                                             "result", "note", "备注"]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

cell_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "inf", "-inf", "nan", "1e309", "9223372036854775808", "-3", "0.5", "9/30",
                     "2017-05-10", "9999-12-31", "完全落实", "不适用", "是", "city", "县级", "370781",
                     "事业单位", "C900", "X-1", "EST-04", "verified", "=1+1", '"', "\x00", "\r\n"]),
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
table = st.tuples(
    st.lists(st.sampled_from(COLUMNS), min_size=0, max_size=10),
    st.lists(st.lists(cell_text, max_size=12), max_size=8),
)


@pytest.fixture
def archive(tmp_path, catalogue):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    build_archive(url, tmp_path, catalogue)
    return Archive(url)


def attempt(archive: Archive, path, catalogue) -> None:
    """Every import of ``path``: refused whole or done whole."""
    for run in (lambda: import_units(archive, path), lambda: import_matters(archive, path),
                lambda: import_entries(archive, path, catalogue)):
        before = snapshot(archive.url)
        try:
            run()
        except ValidationError as exc:
            assert str(exc) and not exc.failures.empty
            assert snapshot(archive.url) == before


@FUZZ
@given(data=st.binary(max_size=3000))
def test_any_bytes_as_csv(archive, tmp_path, catalogue, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    attempt(archive, path, catalogue)


@FUZZ
@given(spec=table, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]))
def test_tables_as_csv(archive, tmp_path, catalogue, spec, encoding):
    header, rows = spec
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "fuzz.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    attempt(archive, path, catalogue)


xlsx_cell = st.one_of(
    cell_text.filter(lambda s: not ILLEGAL_CHARACTERS_RE.search(s)),
    st.integers(min_value=-2**62, max_value=2**62),
    st.floats(allow_nan=False, allow_infinity=False).filter(math.isfinite),
    st.sampled_from(["=1/0", "=SUM(A1:A3)", "=A2", None]),
)


@FUZZ
@given(header=st.lists(st.sampled_from(COLUMNS), max_size=10),
       rows=st.lists(st.lists(xlsx_cell, max_size=12), max_size=8))
def test_tables_as_xlsx(archive, tmp_path, catalogue, header, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    path = tmp_path / "fuzz.xlsx"
    wb.save(path)
    attempt(archive, path, catalogue)

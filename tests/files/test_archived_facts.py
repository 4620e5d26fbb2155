"""What an import may and may not change, on SQLite and PostgreSQL: units update in place (a unit
that matters refer to too), the same file twice adds nothing, an archived matter changes only by
an amendment that records who, when and why, a sealed round's results only by a recorded
re-score; and every encoding an office's Excel writes is read, with or without a BOM."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hostile_support import UNITS, build_archive

from workbench.archive import Archive, amendments, matter_amendments
from workbench.cli import main
from workbench.errors import ValidationError
from workbench.files import import_entries, import_units
from workbench.files.importing import read_table
from workbench.followup import check_seal


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'a.db'}"
    return request.getfixturevalue("pg_url")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "gb18030"])
def test_every_encoding_read_with_or_without_bom(tmp_path, encoding):
    """utf-16 writes a BOM; utf-16-le/-be write none and are told apart by their NUL bytes."""
    p = tmp_path / "u.csv"
    p.write_bytes(UNITS.encode(encoding))
    df = read_table(p)
    assert list(df["name"]) == ["市数据资源管理中心", "市大数据中心", "青州市古城保护中心"]
    assert list(df.columns)[:2] == ["unit_id", "name"]


def test_units_update_in_place_and_same_file_adds_nothing(url, tmp_path, catalogue):
    build_archive(url, tmp_path, catalogue)
    a = Archive(url)
    (tmp_path / "u2.csv").write_text(UNITS.replace(",20,18,3,4", ",25,19,3,4"), encoding="utf-8")
    # C900 has matters, results and a seal referring to it; the count is of rows new or changed
    # (it said "3 written" for a file read twice, which the README calls adding nothing)
    assert import_units(a, tmp_path / "u2.csv").written == 1
    assert a.units().set_index("unit_id").loc["C900", "approved_quota"] == 25
    assert import_units(a, tmp_path / "u2.csv").written == 0
    before = len(a.entry_history())
    assert import_entries(a, tmp_path / "entries.csv", catalogue).written == 0
    assert len(a.entry_history()) == before


def test_matter_amendment_records_who_and_why(url, tmp_path, catalogue):
    build_archive(url, tmp_path, catalogue)
    a = Archive(url)
    moved = tmp_path / "moved.csv"
    moved.write_text("matter_id,unit_id,category,approved_on,doc_no,summary\n"
                     "X-1,C901,设立,2017-05-10,潍编〔2017〕9号,设立市数据资源管理中心\n", encoding="utf-8")
    assert main(["import", "matters", str(moved), "--db", url]) == 2
    assert a.matters().set_index("matter_id").loc["X-1", "unit_id"] == "C900"
    assert main(["import", "matters", str(moved), "--amend", "--reason", "文号录错单位", "--by", "王科长",
                 "--db", url]) == 0
    assert a.matters().set_index("matter_id").loc["X-1", "unit_id"] == "C901"
    log = a.read(matter_amendments)
    assert log[["matter_id", "column", "old", "new", "by", "why"]].values.tolist() == [
        ["X-1", "unit_id", "C900", "C901", "王科长", "文号录错单位"]]


def test_sealed_round_changes_only_by_a_recorded_rescore(url, tmp_path, catalogue):
    build_archive(url, tmp_path, catalogue)
    a = Archive(url)
    changed = tmp_path / "changed.csv"
    changed.write_text("matter_id,indicator_id,source,result,note\nX-1,EST-01,verified,基本落实,复核\n",
                       encoding="utf-8")
    with pytest.raises(ValidationError, match="已封存"):
        import_entries(a, changed, catalogue)
    assert main(["import", "entries", str(changed), "--amend", "--reason", "复核更正", "--by", "李四",
                 "--db", url]) == 0
    rows = a.read(amendments)
    assert rows[["by", "why"]].values.tolist() == [["李四", "复核更正"]]
    assert check_seal(a, "2018-city").ok
    latest = a.latest_results("2018-city").set_index("matter_id")
    assert latest.loc["X-1", "completion_pct"] < 100


def test_dates_as_offices_write_them(tmp_path):
    from workbench.files.limits import parse_dates

    parsed, not_full, outside = parse_dates(pd.Series(["2017-05-10", "2017/5/9", "2017年5月8日",
                                                       "2017-05-07 00:00:00", "9/30", "0001-01-01"]))
    assert list(parsed[:4]) == [date(2017, 5, 10), date(2017, 5, 9), date(2017, 5, 8), date(2017, 5, 7)]
    assert list(not_full) == [False] * 4 + [True, False] and list(outside) == [False] * 5 + [True]

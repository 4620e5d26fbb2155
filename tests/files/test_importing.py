"""Imports: every encoding Chinese offices produce, every bad input reported at once, and a
bad file leaves the archive byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from workbench.archive.store import Archive
from workbench.errors import ValidationError
from workbench.files.exports import export_table
from workbench.files.importing import import_entries, import_matters, import_units, read_table
from workbench.rounds.lifecycle import create_round, score_archived_round, select_round

UNITS_CSV = """unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,approved_sections
C900,市数据资源管理中心,city,,事业单位,20,18,3,4
Q900,青州市古城保护中心,县级,370781,事业单位,12,12,2,3
"""
MATTERS_CSV = """matter_id,unit_id,category,approved_on,doc_no,summary
X-1,C900,设立,2017-05-10,潍编〔2017〕9号,设立市数据资源管理中心
X-2,C900,change,2017-06-01,潍编〔2017〕12号,更名
Q-1,Q900,撤销,2017-04-20,青编〔2017〕3号,撤销所属站所
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.fixture
def filled(tmp_path):
    """A fresh SQLite archive with two units, three matters and a 2018 city round in scope."""
    a = Archive(str(tmp_path / "a.db"))
    import_units(a, write(tmp_path, "units.csv", UNITS_CSV))
    import_matters(a, write(tmp_path, "matters.csv", MATTERS_CSV))
    create_round(a, 2018, "city")
    select_round(a, "2018-city")
    return a


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    df = read_table(write(tmp_path, "u.csv", UNITS_CSV, encoding))
    assert list(df["name"]) == ["市数据资源管理中心", "青州市古城保护中心"]


def test_undecodable_file(tmp_path):
    p = tmp_path / "junk.csv"
    p.write_bytes(b"unit_id,name\n\x81\x30\xff\xfe\xc3\x28,x\n")
    with pytest.raises(ValidationError, match="无法识别文件编码") as info:
        read_table(p)
    assert info.value.failures.iloc[0]["file"] == "junk.csv"


def test_xlsx_import(tmp_path):
    a = Archive(str(tmp_path / "a.db"))
    p = tmp_path / "units.xlsx"
    pd.read_csv(write(tmp_path, "u.csv", UNITS_CSV), dtype=str, keep_default_na=False).to_excel(p, index=False)
    assert import_units(a, p).written == 2
    u = a.units().set_index("unit_id")
    assert u.loc["Q900", "county"] == "370781" and u.loc["Q900", "level"] == "county"
    assert u.loc["C900", "approved_quota"] == 20 and pd.isna(u.loc["C900", "county"])


def test_unknown_extra_column_is_a_warning(tmp_path):
    a = Archive(str(tmp_path / "a.db"))
    text = UNITS_CSV.replace("approved_sections\n", "approved_sections,remark\n", 1)
    text = text.replace(",4\n", ",4,备注\n").replace(",3\n", ",3,\n")
    report = import_units(a, write(tmp_path, "u.csv", text))
    assert report.written == 2 and any("remark" in w for w in report.warnings)


def test_all_unit_errors_reported_at_once_and_nothing_written(tmp_path):
    a = Archive(str(tmp_path / "a.db"))
    before = digest(tmp_path / "a.db")
    bad = UNITS_CSV + "C900,重复单位,city,,事业单位,1,1,1,1\nQ901,无代码单位,county,,事业单位,-3,x,1,1\nZ1,,province,,公司,1,1,1,1\n"
    with pytest.raises(ValidationError) as info:
        import_units(a, write(tmp_path, "units.csv", bad))
    f = info.value.failures
    got = set(zip(f["row"], f["column"]))
    assert {(4, "unit_id"), (5, "county"), (5, "approved_quota"), (5, "staff_in_post"),
            (6, "name"), (6, "level"), (6, "kind")} <= got
    assert (f["file"] == "units.csv").all()
    assert "第4行" in str(info.value)
    assert digest(tmp_path / "a.db") == before


def test_missing_required_column(tmp_path):
    a = Archive(str(tmp_path / "a.db"))
    text = "\n".join(",".join(line.split(",")[:2] + line.split(",")[3:]) for line in UNITS_CSV.splitlines())
    with pytest.raises(ValidationError, match="1 处错误") as info:
        import_units(a, write(tmp_path, "u.csv", text))
    assert info.value.failures.iloc[0]["column"] == "level"
    assert "缺少必填列" in info.value.failures.iloc[0]["reason"]


def test_matter_errors(tmp_path, filled):
    before = digest(tmp_path / "a.db")
    bad = ("matter_id,unit_id,category,approved_on,doc_no,summary\n"
           "X-9,NOPE,设立,2017-05-10,,\n"
           "X-10,C900,重组,2017-13-45,,\n"
           "X-10,C900,设立,2017-05-10,,\n")
    with pytest.raises(ValidationError) as info:
        import_matters(filled, write(tmp_path, "m.csv", bad))
    got = set(zip(info.value.failures["row"], info.value.failures["column"]))
    assert got == {(2, "unit_id"), (3, "category"), (3, "approved_on"), (4, "matter_id")}
    assert "设立" in info.value.failures.set_index("column").loc["category", "reason"]
    assert digest(tmp_path / "a.db") == before


ENTRIES_HEAD = "matter_id,indicator_id,source,result,note\n"


def test_entry_errors_name_row_column_and_reason(tmp_path, filled):
    before = digest(tmp_path / "a.db")
    bad = ENTRIES_HEAD + (
        "X-1,EST-01,verified,差不多,\n"      # 2 unknown grade word
        "X-1,EST-05,verified,-0.2,\n"       # 3 negative ratio
        "X-1,EST-04,verified,八成,\n"        # 4 text where a number is expected
        "X-1,CHG-01,verified,完全落实,\n"     # 5 indicator of another category
        "X-1,EST-99,verified,是,\n"          # 6 unknown indicator
        "NOPE,EST-01,verified,完全落实,\n"    # 7 unknown matter
        "X-1,EST-02,verified,也许,\n"         # 8 not yes/no
        "X-1,EST-03,checked,完全落实,\n"      # 9 unknown source
        "X-1,EST-06,verified,是,\n"
        "X-1,EST-06,verified,否,\n"          # 11 duplicate
    )
    with pytest.raises(ValidationError) as info:
        import_entries(filled, write(tmp_path, "e.csv", bad), filled_catalogue())
    f = info.value.failures.set_index("row")
    assert f.loc[2, "column"] == "result" and "完全落实" in f.loc[2, "reason"]
    assert "负数" in f.loc[3, "reason"]
    assert "数字" in f.loc[4, "reason"]
    assert "不属于该事项的类别" in f.loc[5, "reason"]
    assert f.loc[6, "column"] == "indicator_id" and f.loc[7, "column"] == "matter_id"
    assert "是/否" in f.loc[8, "reason"] and f.loc[9, "column"] == "source"
    assert "重复" in f.loc[11, "reason"]
    assert digest(tmp_path / "a.db") == before


def filled_catalogue():
    from workbench.files.parameters import load_catalogue

    return load_catalogue()


def test_entries_import_then_score_end_to_end(tmp_path, filled, catalogue):
    rows = ["X-1,EST-01,verified,完全落实,挂牌已完成", "X-1,EST-02,verified,是,", "X-1,EST-03,verified,基本落实,",
            "X-1,EST-04,verified,0.75,", "X-1,EST-05,verified,0.9,", "X-1,EST-06,verified,是,",
            "X-1,EST-07,verified,不适用,", "X-1,EST-08,verified,yes,"]
    p = write(tmp_path, "e.csv", ENTRIES_HEAD + "\n".join(rows) + "\n", "gb18030")
    assert import_entries(filled, p, catalogue, entered_by="王建华").written == 8
    # the same file again adds nothing
    assert import_entries(filled, p, catalogue, entered_by="王建华").written == 0
    assert len(filled.entry_history("2018-city")) == 8
    table = score_archived_round(filled, "2018-city", catalogue).set_index("matter_id")
    # 15 + 10 + 16 + 7.5 + 13.5 + 10 + 10 = 82 of 90
    assert table.loc["X-1", "completion_pct"] == pytest.approx(91.11)
    assert table.loc["X-2", "status"] == "incomplete"
    assert "Q-1" not in table.index  # county matter, not in the city round
    # a corrected value is a new entry; history is kept
    fixed = write(tmp_path, "e2.csv", ENTRIES_HEAD + "X-1,EST-03,verified,完全落实,复核\n")
    assert import_entries(filled, fixed, catalogue).written == 1
    cur = filled.current_entries("2018-city", "verified").set_index("indicator_id")
    assert cur.loc["EST-03", "result"] == "完全落实" and len(filled.entry_history("2018-city")) == 9


def test_export_table_csv_and_xlsx(tmp_path):
    df = pd.DataFrame({"unit": ["市财政局"], "pct": [91.5], "day": [date(2018, 4, 15)]})
    csv = export_table(df, tmp_path / "out" / "r.csv")
    assert csv.read_bytes().startswith("\ufeff".encode()) and "市财政局" in csv.read_text("utf-8-sig")
    xlsx = export_table(df, tmp_path / "out" / "r.xlsx")
    assert pd.read_excel(xlsx).iloc[0]["unit"] == "市财政局"
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_matter_for_a_unit_that_did_not_exist_then_is_refused(tmp_path):
    """A body formed in the 2019 reform has no matter approved in 2017; one dissolved has none after."""
    archive = Archive(str(tmp_path / "a.db"))
    import_units(archive, write(tmp_path, "u.csv", (
        "unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,approved_sections,"
        "formed_on,dissolved_on\n"
        "C901,市退役军人事务局,city,,行政机关,30,28,4,6,2019-01-25,\n"
        "C902,市粮食局,city,,行政机关,20,18,3,4,,2019-01-25\n")))
    assert archive.units().set_index("unit_id").at["C901", "formed_on"] == date(2019, 1, 25)
    path = write(tmp_path, "m.csv", (
        "matter_id,unit_id,category,approved_on,doc_no\n"
        "V-1,C901,设立,2017-05-10,潍编〔2017〕9号\n"
        "V-2,C901,变更,2019-03-01,潍编〔2019〕4号\n"
        "V-3,C902,撤销,2019-02-01,潍编〔2019〕5号\n"))
    before = digest(tmp_path / "a.db")
    with pytest.raises(ValidationError) as err:
        import_matters(archive, path)
    rows = err.value.failures[["file", "row", "column", "reason"]].values.tolist()
    assert rows == [["m.csv", 2, "approved_on", "批复日期早于单位 C901 的设立日期 2019-01-25(当时该单位尚不存在)"],
                    ["m.csv", 4, "approved_on", "批复日期不早于单位 C902 的撤销日期 2019-01-25(当时该单位已不存在)"]]
    assert digest(tmp_path / "a.db") == before

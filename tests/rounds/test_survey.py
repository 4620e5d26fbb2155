"""Survey / self-assessment workbooks: drop-downs out, what the unit typed back unchanged, and
every kind of bad file refused with nothing written."""

from __future__ import annotations

import os

import openpyxl
import pytest

from workbench.errors import ValidationError
from workbench.rounds import survey as sv

RID = "2021-city"


def change_unit(archive) -> tuple[str, str]:
    """A unit of the round with exactly one matter, a change (rows 2–9: CHG-01 … CHG-08)."""
    m = archive.round_matters(RID)
    single = m.groupby("unit_id")["matter_id"].transform("size") == 1
    row = m[single & (m["category"] == "change")].iloc[0]
    return row["unit_id"], row["matter_id"]


@pytest.fixture
def unit(demo_db):
    from workbench.archive.store import Archive

    return change_unit(Archive(str(demo_db), read_only=True))


@pytest.fixture
def exported(demo_archive, catalogue, tmp_path, unit):
    path = sv.export_survey(demo_archive, RID, unit[0], tmp_path / f"{unit[0]}.xlsx", catalogue, "zh")
    return demo_archive, path


def snapshot(archive):
    return (len(archive.entry_history()), len(archive.read(sv.survey_facts)))


def fill(path, out, results=None, facts=None, header=None, drop_column=None):
    """Type into the workbook as a unit would: ``results`` row → value, ``facts`` fact → value."""
    wb = openpyxl.load_workbook(path)
    facts_ws, self_ws = wb.worksheets[0], wb.worksheets[1]
    for row, (value, note) in (results or {}).items():
        self_ws.cell(row, sv.SELF_COLUMNS.index("result") + 1).value = value
        self_ws.cell(row, sv.SELF_COLUMNS.index("note") + 1).value = note
    for fact, value in (facts or {}).items():
        facts_ws.cell(2 + sv.FACTS.index(fact), sv.FACT_COLUMNS.index("reported") + 1).value = value
    if header:
        self_ws.cell(1, header[0]).value = header[1]
    if drop_column:
        self_ws.delete_cols(drop_column)
    wb.save(out)
    return out


def test_workbook_has_facts_self_rows_and_drop_downs(exported, catalogue):
    _, path = exported
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["调查摸底情况统计表", "自评自查", "_meta"]
    assert wb["_meta"].sheet_state == "hidden"
    facts = list(wb["调查摸底情况统计表"].iter_rows(values_only=True))
    assert [r[0] for r in facts[1:]] == list(sv.FACTS)
    self_rows = list(wb["自评自查"].iter_rows(values_only=True))
    # C003 has one change matter: one row per change indicator
    assert [r[2] for r in self_rows[1:]] == list(catalogue.indicators_of("change").index)
    lists = {dv.formula1 for dv in wb["自评自查"].data_validations.dataValidation}
    assert '"完全落实,基本落实,部分落实,未落实,不适用"' in lists and '"是,否,不适用"' in lists
    graded_cells = [dv for dv in wb["自评自查"].data_validations.dataValidation if "完全落实" in dv.formula1][0]
    assert "G2" in str(graded_cells.sqref)
    reg = [dv for dv in wb["调查摸底情况统计表"].data_validations.dataValidation if dv.type == "list"][0]
    assert reg.formula1 == '"已登记,未登记,不适用"'


def test_round_trip_arrives_unchanged_and_twice_adds_nothing(exported, tmp_path, unit):
    archive, path = exported
    UNIT, matter = unit
    typed = {2: ("部分落实", "挂牌已完成,印章未启用"), 3: ("否", ""), 5: ("0.75", "编制台账"),
             6: ("不适用", "无领导职数调整")}
    filled = fill(path, tmp_path / "filled.xlsx", typed,
                  {"staff": 21, "leader_posts": 4, "sections": 5, "registration": "已登记"})
    report = sv.import_survey(archive, filled, RID, UNIT, entered_by="市财政局 办公室")
    assert report["facts"] == 4 + 1  # quota stays blank but is recorded as a row
    cur = archive.current_entries(RID, "self").set_index("indicator_id")
    cur = cur[cur["matter_id"] == matter]
    assert cur.at["CHG-01", "result"] == "部分落实" and cur.at["CHG-01", "note"] == "挂牌已完成,印章未启用"
    assert cur.at["CHG-02", "result"] == "否"
    assert cur.at["CHG-04", "result"] == "0.75" and cur.at["CHG-04", "note"] == "编制台账"
    assert cur.at["CHG-05", "result"] == "不适用"
    assert cur.at["CHG-01", "entered_by"] == "市财政局 办公室"
    facts = archive.read(sv.survey_facts).set_index("fact")
    assert facts.at["staff", "reported"] == "21" and facts.at["registration", "reported"] == "已登记"
    before = snapshot(archive)
    again = sv.import_survey(archive, filled, RID, UNIT)
    assert again["entries"] == 0 and again["facts"] == 0 and snapshot(archive) == before
    stats = sv.survey_statistics(archive, RID).set_index("unit_id")
    assert stats.at[UNIT, "reported_registration"] == "已登记"
    assert stats.at[UNIT, "self_done"] == stats.at[UNIT, "self_needed"] == 8


def test_english_workbook_round_trip(demo_archive, catalogue, tmp_path, unit):
    UNIT, matter = unit
    path = sv.export_survey(demo_archive, RID, UNIT, tmp_path / "en.xlsx", catalogue, "en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["Survey statistics", "Self-assessment"]
    assert wb.worksheets[1].cell(1, 7).value == "Self-assessment (filled in by the unit)"
    filled = fill(path, tmp_path / "en-filled.xlsx", {4: ("基本落实", "handed over")})
    sv.import_survey(demo_archive, filled, RID, UNIT, lang="en")
    cur = demo_archive.current_entries(RID, "self")
    assert cur.set_index(["matter_id", "indicator_id"]).at[(matter, "CHG-03"), "result"] == "基本落实"


@pytest.mark.parametrize("case, kwargs, message", [
    ("grade as a number", {"results": {2: ("85", "")}}, "等级词无效"),
    ("word for a ratio", {"results": {5: ("大部分", "")}}, "应为数字"),
    ("negative ratio", {"results": {5: ("-0.5", "")}}, "比例不能为负数"),
    ("bad yes/no", {"results": {3: ("也许", "")}}, "是/否"),
    ("count not a number", {"facts": {"staff": "二十"}}, "非负整数"),
    ("registration word", {"facts": {"registration": "办理中"}}, "已登记"),
    ("renamed column", {"header": (7, "结果")}, "表头被改动"),
    ("removed column", {"drop_column": 8}, "表头被改动"),
])
def test_bad_workbooks_write_nothing(exported, tmp_path, unit, case, kwargs, message):
    archive, path = exported
    bad = fill(path, tmp_path / "bad.xlsx", **kwargs)
    before = snapshot(archive)
    with pytest.raises(ValidationError) as err:
        sv.import_survey(archive, bad, RID, unit[0], lang="zh")
    assert message in str(err.value)
    assert "未导入任何数据" in str(err.value)
    assert snapshot(archive) == before


def test_the_failing_row_is_the_sheet_row(exported, tmp_path, unit):
    archive, path = exported
    bad = fill(path, tmp_path / "bad.xlsx", {2: ("完全落实", ""), 7: ("99分", "")})
    with pytest.raises(ValidationError) as err:
        sv.import_survey(archive, bad, RID, unit[0])
    assert list(err.value.failures["row"]) == [7]


def test_file_for_another_round_or_unit(exported, unit):
    archive, path = exported
    with pytest.raises(ValidationError, match="文件属于问效轮次 2021-city,不是 2020-city"):
        sv.import_survey(archive, path, "2020-city")
    other = next(u for u in sv.round_units(archive, RID)["unit_id"] if u != unit[0])
    with pytest.raises(ValidationError, match=f"文件属于单位 {unit[0]},不是 {other}"):
        sv.import_survey(archive, path, RID, other)


def test_a_file_that_is_not_a_survey_workbook(demo_archive, tmp_path):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(ValidationError, match="not a survey workbook"):
        sv.import_survey(demo_archive, plain, RID, lang="en")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ValidationError, match="not a valid .xlsx workbook"):
        sv.import_survey(demo_archive, junk, RID, lang="en")


def test_unit_without_matters_in_the_round(demo_archive, catalogue, tmp_path):
    inside = set(sv.round_units(demo_archive, RID)["unit_id"])
    outside = next(u for u in demo_archive.units()["unit_id"] if u not in inside)
    with pytest.raises(Exception, match="no matter in this round"):
        sv.export_survey(demo_archive, RID, outside, tmp_path / "x.xlsx", catalogue, "en")


def test_messages_follow_the_language_of_the_form(exported, tmp_path, unit, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    archive, path = exported
    bad = fill(path, tmp_path / "bad.xlsx", {2: ("85", "")})
    with pytest.raises(ValidationError) as err:
        sv.import_survey(archive, bad, RID, unit[0], lang="en")
    assert "not a valid grade" in str(err.value) and "nothing was imported" in str(err.value)
    assert os.environ["WORKBENCH_LANG"] == "zh"

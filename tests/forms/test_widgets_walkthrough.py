"""A whole round driven through the forms, as an officer clicks it, on a scratch archive.

The 2018 city round from nothing: create it and name the team, select the matters (the source's
"10 units, 14 matters"), send the units their workbooks and import them filled in, verify every
matter in the form, close the steps and assess. Then the archive must hold exactly what was
entered — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workbench.archive import evidence
from workbench.archive.schema import matters, units
from workbench.archive.store import Archive
from workbench.forms.assessment import AssessmentView
from workbench.forms.round_setup import RoundSetupForm
from workbench.forms.scope import SelectionForm, SurveyForm
from workbench.forms.verify import VerificationForm
from workbench.rounds import steps
from workbench.rounds import survey as sv
from workbench.scoring import score_round

RID = "2018-city"
SELF_BY_KIND = {"graded": "完全落实", "yes_no": "是", "ratio": "1"}


def upload(name: str, content: bytes) -> dict:
    return {"name": name, "type": "", "size": len(content), "content": memoryview(content),
            "last_modified": datetime(2018, 4, 20, tzinfo=UTC)}


@pytest.fixture
def scratch(archive, demo_db):
    """Units and matters of the demo, no rounds: where an office starts a year."""
    demo = Archive(str(demo_db), read_only=True)
    archive.write_many([(units, demo.units()), (matters, demo.matters())])
    return archive


def close(form: RoundSetupForm, step: str) -> None:
    form.step.value = step
    form.close_button.click()
    assert form.last_error is None, form.last_error


def test_a_whole_round_through_the_forms(scratch, catalogue, tmp_path):
    a = scratch
    # 1 部署安排 --------------------------------------------------------------------------
    setup = RoundSetupForm(a, RID, lang="zh", officer="王建华", catalogue=catalogue)
    assert setup.create_box in setup.children
    setup.team_names.value = "王建华、李晓梅"
    setup.create_button.click()
    assert "已创建轮次 2018-city" in setup.message.value
    assert setup.tracker_box in setup.children
    close(setup, "deploy")

    # 2 问效范围 --------------------------------------------------------------------------
    sel = SelectionForm(a, RID, lang="zh", officer="王建华", catalogue=catalogue)
    assert "10 个被问效对象、14 个问效事项" in sel.summary.value
    first = sel.rows[0]
    dropped = first.matter_id
    first.include.value = False
    sel.save_button.click()
    assert "没有填写原因" in sel.message.value and dropped in sel.message.value
    assert a.selection(RID).empty  # nothing saved
    first.reason.value = "已纳入专项督查,不重复问效"
    sel.save_button.click()
    assert "问效范围已保存:13 个事项" in sel.message.value
    close(setup, "survey")

    # the member borrowed from the audit office belongs to a unit under evaluation
    scope = a.round_matters(RID)
    audited_unit = scope["unit_id"].iloc[0]
    setup.member.value, setup.member_unit.value, setup.role.value = "赵审计", audited_unit, "审计"
    setup.add_member_button.click()
    assert "4 人" not in setup.message.value and "3 人" in setup.message.value

    # 3 调查摸底 / 自评自查 ------------------------------------------------------------------
    form = SurveyForm(a, RID, lang="zh", officer="王建华", catalogue=catalogue, out_dir=tmp_path / "out")
    form.export_all_button.click()
    assert len(form.exported) == scope["unit_id"].nunique() == 9
    typed_self: dict[tuple[str, str], str] = {}
    for i, path in enumerate(form.exported):
        wb = openpyxl.load_workbook(path)
        ws = wb.worksheets[1]
        for r in range(2, ws.max_row + 1):
            mid, iid = ws.cell(r, 1).value, ws.cell(r, 3).value
            value = SELF_BY_KIND[catalogue.indicators.at[iid, "kind"]]
            ws.cell(r, 7).value = value
            typed_self[(mid, iid)] = value
        wb.worksheets[0].cell(6, 4).value = "已登记"
        filled = tmp_path / f"filled-{Path(path).name}"
        wb.save(filled)
        form.unit.value = Path(path).stem
        if i % 2:
            form.upload.value = (upload(filled.name, filled.read_bytes()),)
        else:
            form.path.value = str(filled)
        form.import_button.click()
        assert form.last_error is None, form.last_error
        form.path.value = ""
    assert "已登记" in form.stats.value
    close(setup, "self")

    # 4 现场核查 --------------------------------------------------------------------------
    ver = VerificationForm(a, RID, lang="zh", officer="李晓梅", catalogue=catalogue)
    typed: dict[tuple[str, str], str | None] = {}
    for mid in scope["matter_id"]:
        ver.search.value = mid
        assert ver.matter.value == mid
        rows = [r for r in ver.rows if r.indicator_id]
        for j, row in enumerate(rows):
            assert row.self_value.value.endswith(SELF_BY_KIND[row.kind])
            if j == len(rows) - 1:
                row.na.value = True
                typed[(mid, row.indicator_id)] = "不适用"
                continue
            value = {"graded": "基本落实" if j == 0 else "完全落实", "yes_no": "是", "ratio": "0.8"}[row.kind]
            row.control.value = value
            row.note.value = f"核查 {row.indicator_id}"
            typed[(mid, row.indicator_id)] = value
        assert "当前完成百分比" in ver.live.value
        ver.save_button.click()
        assert ver.last_error is None, ver.last_error

    # recusal: the auditor may not verify his own unit's matter; nothing of it is saved
    own = scope.loc[scope["unit_id"] == audited_unit, "matter_id"].iloc[0]
    ver.search.value = own
    before = len(a.entry_history())
    ver.officer_pick.options = steps.team(a, RID)["officer"].tolist()
    ver.officer_pick.value = "赵审计"
    graded = next(r for r in ver.rows if r.kind == "graded")
    graded.graded.value = "未落实"
    ver.save_button.click()
    assert "须回避" in ver.message.value and len(a.entry_history()) == before
    graded.graded.value = typed[(own, graded.indicator_id)]
    ver.officer_pick.value = "李晓梅"

    # evidence: the same scan attached twice is stored and listed once
    ver.ev_indicator.value = graded.indicator_id
    for _ in range(2):
        ver.ev_upload.value = (upload("挂牌照片.jpg", b"\xff\xd8 scan of the sign"),)
        ver.ev_button.click()
    files = evidence.list_evidence(a, RID, own)
    assert list(files["filename"]) == ["挂牌照片.jpg"] and files["added_by"].iloc[0] == "李晓梅"
    assert evidence.read_evidence(a, files["sha256"].iloc[0]) == b"\xff\xd8 scan of the sign"
    assert "挂牌照片.jpg" in ver.ev_list.value

    for key, value in {"documents": 31, "questions": 17, "items_verified": 9, "suggestions": 4}.items():
        ver.work_log[key].value = value
    ver.work_log_button.click()
    close(setup, "verify")

    # 5 综合评定 --------------------------------------------------------------------------
    setup.step.value = "assess"
    setup.close_button.click()
    assert "尚未评分存档" in setup.message.value
    view = AssessmentView(a, RID, lang="zh", officer="王建华", catalogue=catalogue)
    view.score_button.click()
    assert "已评分并存档" in view.message.value
    close(setup, "assess")
    assert "<svg" in view.panes["charts"].value

    # ---------------------------------------------------------------- the archive holds it all
    cur_v = a.current_entries(RID, "verified")
    assert dict(zip(zip(cur_v["matter_id"], cur_v["indicator_id"], strict=True), cur_v["result"],
                    strict=True)) == typed
    assert set(cur_v["entered_by"]) == {"李晓梅"}
    notes = cur_v.set_index(["matter_id", "indicator_id"])["note"]
    assert notes[(own, graded.indicator_id)] == f"核查 {graded.indicator_id}"
    cur_s = a.current_entries(RID, "self")
    assert dict(zip(zip(cur_s["matter_id"], cur_s["indicator_id"], strict=True), cur_s["result"],
                    strict=True)) == typed_self
    assert set(cur_s["entered_by"]) == {"王建华"}
    saved = a.selection(RID).set_index("matter_id")
    assert saved["included"].sum() == 13 and saved.at[dropped, "reason"] == "已纳入专项督查,不重复问效"
    assert a.work_log(RID) == {"documents": 31, "questions": 17, "items_verified": 9, "suggestions": 4}
    track = steps.tracker(a, RID)
    assert list(track["status"]) == ["closed"] * 5 + ["current", "pending"]
    results = a.latest_results(RID)
    assert len(results) == 13 and (results["status"] == "complete").all()
    expected = score_round(a.round_matters(RID), pd.DataFrame(
        [{"matter_id": m, "indicator_id": i, "result": v} for (m, i), v in typed.items()]), catalogue)
    assert results.set_index("matter_id")["completion_pct"].round(2).to_dict() == \
        expected.set_index("matter_id")["completion_pct"].round(2).to_dict()
    facts = a.read(sv.survey_facts)
    assert (facts.loc[facts["fact"] == "registration", "reported"] == "已登记").all()

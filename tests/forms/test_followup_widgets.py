"""The follow-through form driven from Python, as an officer clicks it."""

from __future__ import annotations

import zipfile
from datetime import date

from followup_support import build_round, snapshot

from workbench.archive.store import Archive
from workbench.followup import rectification as R
from workbench.followup import result_use as U
from workbench.followup.sealing import seal_of
from workbench.forms.followup import FollowupForm


def test_officer_walks_feedback_rectification_and_decisions(tmp_path, catalogue):
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    form = FollowupForm(archive, rid, lang="zh", officer="王建华", out_dir=str(tmp_path / "out"),
                        today=date(2018, 5, 20), catalogue=catalogue)
    form.propose_button.click()
    assert "共 6 项未得满分的指标" in form.message.value
    # a deadline before the evaluation date: refused, nothing saved
    form.proposal_pick.value = tuple(range(len(form.proposals)))
    form.deadline.value = date(2018, 4, 1)
    before = snapshot(archive)
    form.confirm_button.click()
    assert form.last_error and "早于本轮问效评定日期" in form.last_error and snapshot(archive) == before
    form.deadline.value = date(2018, 8, 31)
    form.confirm_button.click()
    assert "已确认 6 项整改事项" in form.message.value
    assert len(form.item_pick.options) == 6

    form.issue_button.click()
    assert "已生成 3 份反馈函" in form.message.value and seal_of(archive, rid) is not None
    assert len(list((tmp_path / "out" / "letters").glob("*.docx"))) == 3

    first = form.item_pick.options[0][1]
    form.item_pick.value = first
    form.pass_button.click()  # not done yet
    assert "尚未报整改完成" in form.last_error
    form.on.value = date(2018, 8, 30)
    form.done_button.click()
    assert "报整改完成" in form.history_table.value and "2018-08-30" in form.history_table.value
    form.on.value = date(2018, 9, 5)
    form.pass_button.click()
    assert "已复查" in form.message.value and R.get_item(archive, first)["status"] == "passed"
    form.seal_button.click()
    assert "封存校验通过(2 个结果版本)" in form.message.value

    form.as_of.value = date(2018, 9, 10)
    assert "已逾期" in form.items_table.value
    form.rules_as_of.value = date(2018, 9, 10)
    form.dry_button.click()
    assert "暂停受理机构编制事项申请" in form.decisions_table.value
    assert U.read_decisions(archive).empty
    form.record_button.click()
    assert "新增 2 项决定草案" in form.message.value  # C2: proposal and suspension (C1 passed)
    form.draft_pick.value = form.draft_pick.options[0][1]
    form.reject_button.click()
    assert "驳回须写明理由" in form.last_error
    form.sign_button.click()
    assert "已签发" in form.message.value
    assert len(U.read_log(archive)) == 3

    form.unit_pick.value = "C2"
    form.export_button.click()
    with zipfile.ZipFile(tmp_path / "out" / "C2-电子档案.zip") as z:
        assert "decisions.csv" in z.namelist()


def test_extension_request_and_approval_through_the_form(tmp_path, catalogue, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "en")  # what widgets.setup("en") does in the notebook
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    props = R.propose_items(archive, rid, catalogue)
    R.confirm_items(archive, rid, props.head(1), by="王建华", on=date(2018, 5, 20), deadline=date(2018, 8, 31))
    form = FollowupForm(archive, rid, lang="en", officer="王建华", today=date(2018, 8, 10), catalogue=catalogue)
    form.item_pick.value = form.item_pick.options[0][1]
    form.new_deadline.value = date(2018, 9, 30)
    form.request_button.click()
    assert "an extension request needs a reason" in form.last_error
    form.reason.value = "人员招聘未完成"
    form.request_button.click()
    assert form.last_error is None and len(form.pending_pick.options) == 1
    form.pending_pick.value = form.pending_pick.options[0][1]
    form.approve_button.click()
    assert form.pending_pick.options == ()
    assert R.get_item(archive, form.item_pick.value)["deadline"] == date(2018, 9, 30)


def test_every_action_names_its_item_and_the_pick_never_moves(tmp_path, catalogue):
    """Issue 12, defect 3: after 登记整改完成 on one item the picker stayed on it, and a second click
    did not record another item; each confirmation names unit, matter, indicator and problem."""
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    props = R.propose_items(archive, rid, catalogue)
    R.confirm_items(archive, rid, props, by="王建华", on=date(2018, 5, 20), deadline=date(2018, 8, 31))
    form = FollowupForm(archive, rid, lang="zh", officer="王建华", today=date(2018, 8, 10), catalogue=catalogue)
    ids = [v for _, v in form.item_pick.options]
    assert len(ids) == 6 and form.item_pick.value is None  # nothing is picked for the officer

    def named(item_id):
        it = R.get_item(archive, item_id)
        name = catalogue.indicators.at[it["indicator_id"], "name_zh"]
        doc_no = archive.matters().set_index("matter_id").at[it["matter_id"], "doc_no"]
        # issue 13: names, not codes — the unit by name, the matter by its 文号
        return [archive.unit_names()[it["unit_id"]], doc_no, it["indicator_id"], name, it["problem"]]

    def status(i):
        return R.get_item(archive, i)["status"]

    form.on.value = date(2018, 8, 20)
    third, fifth = ids[2], ids[4]
    form.item_pick.value = third
    form.done_button.click()
    assert form.last_error is None and "已登记整改完成" in form.message.value
    assert all(w in form.message.value for w in named(third))
    assert form.item_pick.value == third  # the pick did not jump back to the first item
    assert status(third) == "done" and [status(i) for i in ids].count("done") == 1
    form.done_button.click()  # a second click acts on the same item again, never on another one
    assert form.item_pick.value == third and [status(i) for i in ids].count("done") == 1

    form.item_pick.value = fifth
    form.done_button.click()
    assert all(w in form.message.value for w in named(fifth)) and form.item_pick.value == fifth
    assert {i for i in ids if status(i) == "done"} == {third, fifth}

    form.on.value = date(2018, 9, 1)
    form.item_pick.value = third
    form.pass_button.click()
    assert form.last_error is None and "复查通过" in form.message.value
    assert all(w in form.message.value for w in named(third)) and "本轮第 2 版" in form.message.value
    assert status(third) == "passed" and status(fifth) == "done" and form.item_pick.value == third

    form.item_pick.value = fifth
    kind = catalogue.indicators.at[R.get_item(archive, fifth)["indicator_id"], "kind"]
    form.result.value = {"graded": catalogue.vocab.grade_words[-1], "yes_no": "否", "ratio": "0.5"}[kind]
    form.fail_button.click()
    assert "复查未通过" in form.message.value and all(w in form.message.value for w in named(fifth))
    assert "本轮第 3 版" in form.message.value and status(fifth) == "failed"

    second = ids[1]
    form.item_pick.value = second
    form.new_deadline.value = date(2018, 9, 30)
    form.reason.value = "人员招聘未完成"
    form.request_button.click()
    assert "已登记延期申请" in form.message.value and all(w in form.message.value for w in named(second))
    assert form.item_pick.value == second and form.pending_pick.value is None
    form.pending_pick.value = form.pending_pick.options[0][1]
    form.approve_button.click()
    assert "已批准延期" in form.message.value and all(w in form.message.value for w in named(second))
    assert R.get_item(archive, second)["deadline"] == date(2018, 9, 30)
    assert {i for i, d in ((i, R.get_item(archive, i)["deadline"]) for i in ids) if d == date(2018, 9, 30)} == {second}


def test_feedback_tab_lists_what_is_missing_and_waits_then_corrects_a_letter(tmp_path, catalogue):
    import pandas as pd
    from docx import Document

    from workbench.followup.letters import read_corrections
    from workbench.rounds.lifecycle import score_archived_round

    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    archive.add_entries(pd.DataFrame([{"round_id": rid, "matter_id": "M3", "indicator_id": "ABL-01",
                                       "source": "verified", "result": None, "note": ""}]), entered_by="王建华")
    score_archived_round(archive, rid, catalogue, computed_by="王建华")
    form = FollowupForm(archive, rid, lang="zh", officer="王建华", out_dir=str(tmp_path / "out"),
                        today=date(2018, 5, 20), catalogue=catalogue)
    assert form.issue_button.disabled and "尚缺" in form.missing_info.value
    assert "事项 M3(市档案馆):1 项指标尚未核查(ABL-01)" in form.missing_info.value
    assert form.correct_button.disabled  # nothing issued, nothing to correct
    # verification finished and re-scored: the list empties and the button is enabled
    archive.add_entries(pd.DataFrame([{"round_id": rid, "matter_id": "M3", "indicator_id": "ABL-01",
                                       "source": "verified", "result": "完全落实", "note": ""}]), entered_by="王建华")
    score_archived_round(archive, rid, catalogue, computed_by="王建华")
    form._refresh()
    assert not form.issue_button.disabled and form.missing_info.value == ""
    form.issue_button.click()
    assert "已生成 3 份反馈函" in form.message.value and "重印" in form.missing_info.value
    form.correct_pick.value = "C2"
    form.correct_button.click()  # no reason: refused
    assert "更正原因" in form.last_error and read_corrections(archive, rid).empty
    form.correct_reason.value = "完成度计算有误"
    form.issued_on.value = date(2018, 6, 1)
    form.correct_button.click()
    assert "已生成更正函 潍编办函〔2018〕4号" in form.message.value
    (path,) = (tmp_path / "out").glob("*更正函*.docx")
    assert "潍编办函〔2018〕2号" in "\n".join(p.text for p in Document(str(path)).paragraphs)

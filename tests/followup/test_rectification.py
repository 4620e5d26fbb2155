"""Rectification items on both backends: confirm, done, extension, re-check (new result version)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from followup_support import build_round, snapshot

from workbench.errors import StateError, ValidationError, WorkbenchError
from workbench.followup import rectification as R
from workbench.followup import result_use as U
from workbench.followup import sealing as S

DEADLINE = date(2018, 8, 31)


@pytest.fixture
def scored(archive, catalogue):
    return archive, build_round(archive, catalogue)


def confirm(archive, rid, catalogue, **kw):
    props = R.propose_items(archive, rid, catalogue)
    return props, R.confirm_items(archive, rid, props, by="王建华", on=date(2018, 5, 20), deadline=DEADLINE,
                                  catalogue=catalogue, **kw)


def test_proposals_are_every_indicator_under_full_marks(scored, catalogue):
    archive, rid = scored
    props = R.propose_items(archive, rid, catalogue)
    assert set(zip(props["matter_id"], props["indicator_id"], strict=True)) == {
        ("M1", "CHG-03"), ("M2", "EST-01"), ("M2", "EST-03"), ("M2", "EST-05"), ("M2", "EST-06"), ("M2", "EST-08")}
    row = props[props["indicator_id"] == "CHG-03"].iloc[0]
    assert "职责划转移交到位" in row["problem"] and "部分落实" in row["problem"]
    assert "职责移交清单" in row["requirement"]
    assert snapshot(archive)["rectification_items"] == 0  # proposing saves nothing


def test_confirm_then_overdue_by_date(scored, catalogue):
    archive, rid = scored
    _, ids = confirm(archive, rid, catalogue)
    assert len(ids) == 6
    assert set(R.items_as_of(archive, DEADLINE)["state"]) == {"open"}
    assert set(R.items_as_of(archive, date(2018, 9, 1))["state"]) == {"overdue"}
    assert R.history(archive, ids[0])["action"].tolist() == ["created"]


def test_deadline_before_evaluation_date_is_refused_and_nothing_written(scored, catalogue):
    archive, rid = scored
    before = snapshot(archive)
    props = R.propose_items(archive, rid, catalogue)
    with pytest.raises(ValidationError) as err:
        R.confirm_items(archive, rid, props, by="王建华", deadline=date(2018, 4, 1), catalogue=catalogue)
    assert "早于本轮问效评定日期 2018-04-15" in str(err.value)
    assert len(err.value.failures) == len(props)
    assert snapshot(archive) == before


def test_unknown_matter_and_wrong_indicator_are_all_reported(scored, catalogue):
    archive, rid = scored
    before = snapshot(archive)
    bad = pd.DataFrame([
        {"matter_id": "NOPE", "indicator_id": "EST-01", "problem": "x", "requirement": "y", "deadline": DEADLINE},
        {"matter_id": "M1", "indicator_id": "EST-01", "problem": "x", "requirement": "y", "deadline": DEADLINE},
        {"matter_id": "M2", "indicator_id": "EST-01", "problem": "", "requirement": "y", "deadline": DEADLINE},
    ])
    with pytest.raises(ValidationError) as err:
        R.confirm_items(archive, rid, bad, by="王建华", catalogue=catalogue)
    assert err.value.failures["column"].tolist() == ["matter_id", "indicator_id", "problem"]
    assert snapshot(archive) == before


def test_recheck_of_an_item_not_done_is_refused_and_nothing_written(scored, catalogue):
    archive, rid = scored
    _, ids = confirm(archive, rid, catalogue)
    before = snapshot(archive)
    with pytest.raises(StateError, match="尚未报整改完成"):
        R.recheck(archive, ids[0], True, date(2018, 9, 1), "王建华", catalogue=catalogue)
    assert snapshot(archive) == before


def test_extension_takes_effect_only_when_approved(scored, catalogue):
    archive, rid = scored
    _, ids = confirm(archive, rid, catalogue)
    with pytest.raises(WorkbenchError):
        R.request_extension(archive, ids[0], date(2018, 8, 1), "需要时间", "C1", date(2018, 8, 10))
    req = R.request_extension(archive, ids[0], date(2018, 9, 30), "人员招聘未完成", "C1", date(2018, 8, 10))
    state = R.items_as_of(archive, date(2018, 9, 5)).set_index("item_id")
    assert state.at[ids[0], "state"] == "overdue"  # still pending
    R.decide_extension(archive, req, True, "王建华", date(2018, 8, 15))
    state = R.items_as_of(archive, date(2018, 9, 5)).set_index("item_id")
    assert state.at[ids[0], "state"] == "open" and state.at[ids[0], "deadline"] == date(2018, 9, 30)
    with pytest.raises(StateError):
        R.decide_extension(archive, req, False, "王建华", date(2018, 8, 16))
    assert R.history(archive, ids[0])["action"].tolist() == ["created", "extension_requested", "extension_approved"]


def test_recheck_records_a_verified_entry_and_a_new_result_version(scored, catalogue):
    archive, rid = scored
    _, ids = confirm(archive, rid, catalogue)
    item = R.get_item(archive, ids[0])
    S.seal_round(archive, rid, "王建华", date(2018, 5, 20))
    old_run = archive.latest_run(rid)["run_id"]
    old = archive.latest_results(rid).set_index("matter_id")
    R.mark_done(archive, ids[0], DEADLINE, "C1", "已完成职责移交")
    run = R.recheck(archive, ids[0], True, date(2018, 9, 10), "王建华", catalogue=catalogue)
    assert run != old_run
    new = archive.latest_results(rid).set_index("matter_id")
    assert new.at[item["matter_id"], "completion_pct"] > old.at[item["matter_id"], "completion_pct"]
    assert len(archive.results(old_run)) == 3  # the old version is kept
    ent = archive.current_entries(rid, "verified").set_index(["matter_id", "indicator_id"])
    assert ent.at[(item["matter_id"], item["indicator_id"]), "result"] == "完全落实"
    assert "整改复查" in ent.at[(item["matter_id"], item["indicator_id"]), "note"]
    assert R.get_item(archive, ids[0])["status"] == "passed"
    hist = R.history(archive, ids[0])
    assert hist["action"].tolist() == ["created", "done", "recheck_passed"]
    assert int(hist["run_id"].iloc[-1]) == run
    # the sealed round changed only through an amendment naming who and why
    amend = S.amendments_of(archive, rid)
    assert amend["new_run_id"].tolist() == [run] and amend["by"].tolist() == ["王建华"]
    assert "整改复查" in amend["why"].iloc[0]
    assert S.check_seal(archive, rid).ok
    with pytest.raises(StateError):
        R.mark_done(archive, ids[0], date(2018, 9, 11), "C1")


def test_failed_recheck_then_pass_lifts_the_suspension(scored, catalogue):
    archive, rid = scored
    _, ids = confirm(archive, rid, catalogue)
    m2 = [i for i in ids if R.get_item(archive, i)["matter_id"] == "M2"]
    for i in m2:
        R.mark_done(archive, i, date(2018, 8, 20), "C2")
        R.recheck(archive, i, True, date(2018, 8, 25), "王建华", catalogue=catalogue)
    first = [i for i in ids if i not in m2][0]
    R.mark_done(archive, first, date(2018, 8, 20), "C1")
    with pytest.raises(WorkbenchError):  # a failed re-check must say what was found
        R.recheck(archive, first, False, date(2018, 8, 25), "王建华", catalogue=catalogue)
    R.recheck(archive, first, False, date(2018, 8, 25), "王建华", result="部分落实", catalogue=catalogue)
    d = U.dry_run(archive, date(2018, 8, 26))
    assert d[["rule", "unit_id"]].values.tolist() == [["suspension", "C1"]]
    assert "复查仍不符合要求" in d["reason_text"].iloc[0]
    R.mark_done(archive, first, date(2018, 9, 5), "C1")
    R.recheck(archive, first, True, date(2018, 9, 10), "王建华", catalogue=catalogue)
    d = U.dry_run(archive, date(2018, 9, 11))
    assert d[["rule", "unit_id"]].values.tolist() == [["lift", "C1"]]


def test_decisions_are_drafts_until_signed_and_every_step_is_logged(scored, catalogue):
    archive, rid = scored
    confirm(archive, rid, catalogue)
    assert U.dry_run(archive, date(2018, 9, 1))["rule"].tolist() == ["proposal", "suspension", "suspension"]
    assert snapshot(archive)["decisions"] == 0  # a dry run records nothing
    drafted = U.record_decisions(archive, date(2018, 9, 1), "系统")
    assert len(drafted) == 3 and set(U.read_decisions(archive)["status"]) == {"draft"}
    assert U.record_decisions(archive, date(2018, 9, 2), "系统").empty  # not repeated
    ids = drafted["decision_id"].tolist()
    U.sign_off(archive, ids[0], "赵明远")
    with pytest.raises(WorkbenchError, match="理由"):
        U.reject(archive, ids[1], "赵明远", "")
    U.reject(archive, ids[1], "赵明远", "该单位已提交整改材料,待复查")
    with pytest.raises(StateError) as refused:
        U.sign_off(archive, ids[1], "赵明远")
    assert str(refused.value) == f"决定 #{ids[1]} 已驳回,不能再处理"  # the state's word once, not "已已驳回"
    d = U.read_decisions(archive).set_index("decision_id")
    assert d.at[ids[0], "status"] == "signed" and d.at[ids[1], "status"] == "rejected"
    assert d.at[ids[1], "reject_reason"].startswith("该单位")
    log = U.read_log(archive)
    assert log["action"].tolist() == ["drafted"] * 3 + ["signed", "rejected"]
    # a rejected decision may be proposed again on a later run of the rules
    assert U.record_decisions(archive, date(2018, 9, 3), "系统")["rule"].tolist() == ["suspension"]
    assert U.decisions_table(U.read_decisions(archive), "en")["rule"].iloc[0].startswith("proposal")


def test_cli_rules_dry_run_record_and_decide(tmp_path, catalogue, capsys, monkeypatch):
    from workbench.archive.store import Archive
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    confirm(archive, rid, catalogue)
    db = archive.url
    assert main(["rules", "--as-of", "2018-08-31", "--dry-run", "--db", db]) == 0
    assert "未产生新的决定" in capsys.readouterr().out
    assert main(["rules", "--as-of", "2018-09-01", "--dry-run", "--db", db]) == 0
    assert "提出机构撤并或核减编制的处理意见" in capsys.readouterr().out
    assert U.read_decisions(archive).empty
    assert main(["rules", "--as-of", "2018-09-01", "--by", "系统", "--db", db]) == 0
    ids = U.read_decisions(archive)["decision_id"].tolist()
    assert len(ids) == 3
    assert main(["decide", str(ids[0]), "--sign", "--by", "赵明远", "--db", db]) == 0
    assert main(["decide", str(ids[1]), "--reject", "已整改", "--by", "赵明远", "--db", db]) == 0
    assert main(["decide", str(ids[1]), "--sign", "--by", "赵明远", "--db", db]) == 2
    assert U.read_decisions(archive)["status"].tolist() == ["signed", "rejected", "draft"]

"""The 7-step tracker: closing rules (pure, table-driven), order, team and 回避, history."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.errors import StateError
from workbench.rounds import steps

READY = {"team_size": 3, "included": 14, "closed": set(), "self_incomplete": [],
         "verified_incomplete": [], "verified_scored": True}


def facts(closed=(), **changes):
    return {**READY, "closed": set(closed), **changes}


BEFORE = {s: steps.STEPS[:i] for i, s in enumerate(steps.STEPS)}


@pytest.mark.parametrize("step, changes, expect", [
    ("deploy", {}, []),
    ("deploy", {"team_size": 0}, ["工作组"]),
    ("survey", {"included": 0}, ["问效事项"]),
    ("self", {"self_incomplete": ["M1", "M2", "M3", "M4"]}, ["4 个事项的自评尚未填报完整(如 M1、M2、M3…)"]),
    ("verify", {"verified_incomplete": ["M9"]}, ["1 个事项的现场核查结果尚不完整(如 M9)"]),
    ("assess", {"verified_incomplete": ["M9"]}, ["现场核查结果尚不完整"]),
    ("assess", {"verified_scored": False}, ["尚未评分存档"]),
    ("assess", {}, []),
    ("feedback", {"verified_incomplete": ["M9"]}, []),  # feedback's own checks come from issue 4
])
def test_blockers_say_why(step, changes, expect):
    why = steps.blockers(step, facts(BEFORE[step], **changes), "zh")
    assert len(why) == len(expect)
    for text, fragment in zip(why, expect, strict=True):
        assert fragment in text


def test_steps_close_in_order_and_name_the_first_open_one():
    why = steps.blockers("verify", facts(["deploy"]), "en")
    assert why == ["close “Survey” first"]


def test_blockers_in_english():
    why = steps.blockers("assess", facts(BEFORE["assess"], verified_incomplete=["M1"]), "en")
    assert why == ["1 matter(s) are not completely verified (e.g. M1)"]


def test_unknown_step_is_refused():
    with pytest.raises(Exception, match="valid: deploy"):
        steps.blockers("celebrate", facts())


def test_round_in_progress_cannot_close_assessment_while_verification_is_incomplete(demo_archive):
    rid = "2021-city"
    for s in ("deploy", "survey", "self"):
        steps.close_step(demo_archive, rid, s, by="王建华")
    with pytest.raises(StateError, match="现场核查结果尚不完整") as err:
        steps.close_step(demo_archive, rid, "verify", by="王建华", lang="zh")
    assert "不能完成“现场核查”" in str(err.value)
    track = steps.tracker(demo_archive, rid, "en")
    assert list(track["status"]) == ["closed"] * 3 + ["current"] + ["pending"] * 3
    assert list(track["by"][:3]) == ["王建华"] * 3
    assert track.loc[3, "status_label"] == "in progress"
    with pytest.raises(StateError, match="already closed"):
        steps.close_step(demo_archive, rid, "self", lang="en")


def test_completed_round_shows_every_step_closed_and_can_be_reopened(demo_archive):
    track = steps.tracker(demo_archive, "2019-370781", "zh")
    assert (track["status"] == "closed").all()
    assert track["note"].iloc[0] == "本轮已办结"
    with pytest.raises(StateError, match="督促整改"):
        steps.reopen_step(demo_archive, "2019-370781", "verify")
    steps.reopen_step(demo_archive, "2019-370781", "rectify", by="李晓梅", note="补充整改材料")
    track = steps.tracker(demo_archive, "2019-370781", "zh")
    assert list(track["status"]) == ["closed"] * 6 + ["current"]
    assert demo_archive.get_round("2019-370781")["status"] == "open"
    steps.close_step(demo_archive, "2019-370781", "rectify", by="李晓梅")
    assert demo_archive.get_round("2019-370781")["status"] == "completed"


def test_extra_close_checks_from_other_features(demo_archive, monkeypatch):
    rid = "2019-370781"
    steps.reopen_step(demo_archive, rid, "rectify")
    monkeypatch.setitem(steps.FOLLOW_THROUGH_CHECKS, "rectify", lambda a, r, lang: ["2 项整改未完成"])
    with pytest.raises(StateError, match="2 项整改未完成"):
        steps.close_step(demo_archive, rid, "rectify")


def test_team_with_a_member_from_another_unit_and_the_recusal_check(demo_archive):
    rid = "2021-city"
    listed = steps.team(demo_archive, rid)
    assert list(listed["officer"]) == ["王建华", "李晓梅", "张国栋"]  # from the round's team line
    members = pd.concat([listed, pd.DataFrame([{"officer": "赵审计", "unit_id": "C002", "role": "审计"}])])
    steps.set_team(demo_archive, rid, members)
    assert demo_archive.get_round(rid)["team"] == "王建华、李晓梅、张国栋、赵审计"
    steps.check_officer(demo_archive, rid, "赵审计", "C003")  # another unit: fine
    with pytest.raises(StateError, match="市工业和信息化局"):
        steps.check_officer(demo_archive, rid, "赵审计", "C002", "zh")
    with pytest.raises(StateError, match="not on this round's team"):
        steps.check_officer(demo_archive, rid, "路人甲", "C002", "en")
    with pytest.raises(StateError, match="enter the verifying officer"):
        steps.check_officer(demo_archive, rid, " ", "C002", "en")


def test_round_facts_from_the_demo(demo_archive):
    f = steps.round_facts(demo_archive, "2021-city")
    assert f["included"] == 16 and f["team_size"] == 3
    assert f["self_incomplete"] == []
    assert 0 < len(f["verified_incomplete"]) < 16

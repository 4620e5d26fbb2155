"""Which page of the officers' app is open, done or blocked, and the reason it gives."""

from __future__ import annotations

import pytest

from workbench.app import PAGES, page_status


def facts(closed=(), included=3, team=2, self_open=(), verified_open=(), scored=False) -> dict:
    return {"closed": set(closed), "included": included, "team_size": team, "self_incomplete": list(self_open),
            "verified_incomplete": list(verified_open), "verified_scored": scored}


@pytest.mark.parametrize("page, given, county, filed, completed, status, words", [
    ("deploy", None, False, False, False, "open", "在此创建本轮"),
    ("verify", None, False, False, False, "blocked", "轮次尚未创建"),
    ("deploy", facts(team=0), False, False, False, "open", "尚未确定问效工作组成员"),
    ("deploy", facts(), False, False, False, "open", "可以完成本步骤"),
    ("scope", facts(included=0), False, False, False, "open", "尚未保存问效范围"),
    ("scope", facts(included=14), False, False, False, "done", "已纳入 14 个问效事项"),
    ("survey", facts(), False, False, False, "blocked", "须先完成“部署安排”"),
    ("survey", facts(["deploy", "survey"], self_open=["M1"]), False, False, False, "open", "M1"),
    ("verify", facts(["deploy", "survey", "self"], verified_open=["M2", "M3"]), False, False, False, "open", "M2"),
    ("assess", facts(["deploy", "survey", "self", "verify"]), False, False, False, "open", "评分"),
    ("followup", facts(["deploy", "survey", "self", "verify", "assess", "feedback"]), False, False, False,
     "open", "可以完成本步骤"),
    ("followup", facts(["deploy", "survey", "self", "verify", "assess", "feedback", "rectify"]), False, False, True,
     "done", "情况反馈、督促整改已完成"),
    ("filing", facts(), True, False, False, "blocked", "办结"),
    ("filing", facts(), True, False, True, "open", ""),
    ("filing", facts(), True, True, True, "done", "已报市编办备案"),
    ("filing", facts(), False, False, False, "open", "接收各县报备包"),
])
def test_page_status(page, given, county, filed, completed, status, words):
    got, why = page_status(page, given, county, filed, completed, "zh")
    assert (got, words in why) == (status, True), why


def test_every_step_of_a_round_is_on_exactly_one_page():
    from workbench.rounds.steps import STEPS

    covered = [s for steps in PAGES.values() for s in steps]
    assert sorted(covered) == sorted(STEPS)

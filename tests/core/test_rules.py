"""Result-use rules on dated scenarios: every branch, with the reasons a leader would read."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from workbench.core.rules import evaluate, item_states, reasons_in, summarise
from workbench.errors import WorkbenchError

DEADLINE = date(2018, 8, 31)
ISSUED = date(2018, 5, 20)


def results(pct: float = 52.0, category: str = "establish") -> pd.DataFrame:
    return pd.DataFrame([
        {"matter_id": "M1", "unit_id": "U1", "round_id": "2018-city", "category": category,
         "completion_pct": pct, "run_id": 1},
        {"matter_id": "M2", "unit_id": "U2", "round_id": "2018-city", "category": "change",
         "completion_pct": 95.0, "run_id": 1},
    ])


def items(n: int = 1) -> pd.DataFrame:
    return pd.DataFrame([{"item_id": i, "round_id": "2018-city", "matter_id": "M1", "unit_id": "U1",
                          "indicator_id": f"EST-0{i}", "original_deadline": DEADLINE, "created_on": ISSUED}
                         for i in range(1, n + 1)])


def events(*steps: tuple) -> pd.DataFrame:
    """steps: (item_id, action, on_date[, new_deadline])"""
    rows = [{"event_id": 0, "item_id": 1, "action": "created", "on_date": ISSUED, "new_deadline": DEADLINE}]
    for k, s in enumerate(steps, 1):
        rows.append({"event_id": k, "item_id": s[0], "action": s[1], "on_date": s[2],
                     "new_deadline": s[3] if len(s) > 3 else None})
    return pd.DataFrame(rows)


def decide(as_of: date, ev: pd.DataFrame, res: pd.DataFrame | None = None, its=None) -> pd.DataFrame:
    return evaluate(results() if res is None else res, items() if its is None else its, ev, as_of)


def rules_of(d: pd.DataFrame) -> list[str]:
    return sorted(d["rule"])


def text(d: pd.DataFrame, rule: str) -> str:
    return d.loc[d["rule"] == rule, "reason_text"].iloc[0]


# ------------------------------------------------------------------ deadline passes, nothing done
def test_open_item_on_the_deadline_day_is_not_yet_late():
    d = decide(DEADLINE, events())
    assert d.empty
    assert item_states(items(), events(), DEADLINE)["state"].tolist() == ["open"]


def test_day_after_deadline_not_rectified_gives_proposal_and_suspension():
    as_of = date(2018, 9, 1)
    d = decide(as_of, events())
    assert rules_of(d) == ["proposal", "suspension"]
    assert item_states(items(), events(), as_of)["state"].tolist() == ["overdue"]
    p = text(d, "proposal")
    assert "M1" in p and "52.0%" in p and "低于60%" in p
    assert "期限 2018-08-31" in p and "截至 2018-09-01 未完成整改" in p
    facts = json.loads(d.loc[d["rule"] == "proposal", "reasons"].iloc[0])
    assert facts["completion_pct"] == 52.0 and facts["items"][0]["deadline"] == "2018-08-31"
    s = d[d["rule"] == "suspension"].iloc[0]
    assert s["unit_id"] == "U1" and "未完成整改" in s["reason_text"]


def test_establishment_at_60_or_more_is_suspended_but_not_proposed():
    d = decide(date(2018, 9, 1), events(), res=results(60.0))
    assert rules_of(d) == ["suspension"]


def test_other_category_under_60_is_suspended_but_not_proposed():
    d = decide(date(2018, 9, 1), events(), res=results(40.0, "change"))
    assert rules_of(d) == ["suspension"]


# ------------------------------------------------------------------ rectified on the deadline day
def test_rectified_on_the_deadline_day_then_passed_is_clean():
    ev = events((1, "done", DEADLINE), (1, "recheck_passed", date(2018, 9, 10)))
    # between the deadline and the re-check: reported on time, awaiting re-check → no decision yet
    pending = item_states(items(), ev, date(2018, 9, 5)).iloc[0]
    assert pending["state"] == "done" and bool(pending["pending"]) and not pending["missed"]
    assert decide(date(2018, 9, 5), ev).empty
    assert decide(date(2018, 9, 11), ev).empty
    assert item_states(items(), ev, date(2018, 9, 11))["completed_on_time"].tolist() == [True]


def test_done_the_day_after_the_deadline_is_late():
    ev = events((1, "done", date(2018, 9, 1)))
    d = decide(date(2018, 9, 2), ev)
    assert rules_of(d) == ["proposal", "suspension"]
    assert "2018-09-01 才报整改完成" in text(d, "proposal")


# ------------------------------------------------------------------ failed re-check
def test_failed_recheck_before_deadline_suspends_at_once_proposal_waits_for_deadline():
    ev = events((1, "done", date(2018, 8, 20)), (1, "recheck_failed", date(2018, 8, 25)))
    before = decide(date(2018, 8, 26), ev)
    assert rules_of(before) == ["suspension"]
    assert "于 2018-08-25 复查仍不符合要求" in text(before, "suspension")
    after = decide(date(2018, 9, 1), ev)
    assert rules_of(after) == ["proposal", "suspension"]
    assert "复查仍不符合要求" in text(after, "proposal")


def test_failed_then_done_again_is_still_failing_until_a_recheck_passes():
    ev = events((1, "done", date(2018, 8, 20)), (1, "recheck_failed", date(2018, 8, 25)),
                (1, "done", date(2018, 8, 30)))
    d = decide(date(2018, 8, 31), ev)
    assert rules_of(d) == ["suspension"]


# ------------------------------------------------------------------ suspension lifted
def test_suspension_lifted_when_a_later_recheck_passes():
    ev = events((1, "done", date(2018, 8, 20)), (1, "recheck_failed", date(2018, 8, 25)),
                (1, "done", date(2018, 9, 10)), (1, "recheck_passed", date(2018, 9, 20)))
    assert "suspension" in rules_of(decide(date(2018, 9, 19), ev))
    d = decide(date(2018, 9, 20), ev)
    # the establishment proposal stands (rectified only after the deadline); the unit is lifted
    assert rules_of(d) == ["lift", "proposal"]
    assert "于 2018-09-20 复查通过" in text(d, "lift")
    assert json.loads(d.loc[d["rule"] == "lift", "reasons"].iloc[0])["lifted_on"] == "2018-09-20"


def test_failed_then_passed_before_deadline_is_lifted_and_not_proposed():
    ev = events((1, "done", date(2018, 8, 1)), (1, "recheck_failed", date(2018, 8, 5)),
                (1, "done", date(2018, 8, 20)), (1, "recheck_passed", date(2018, 8, 25)))
    assert rules_of(decide(date(2018, 9, 1), ev)) == ["lift"]


def test_unit_stays_suspended_while_another_item_is_overdue():
    ev = events((1, "done", date(2018, 9, 5)), (1, "recheck_passed", date(2018, 9, 10)))
    its = items(2)
    d = decide(date(2018, 9, 15), ev, its=its)
    assert rules_of(d) == ["proposal", "suspension"]
    assert "#2(EST-02)" in text(d, "suspension") and "#1" not in text(d, "suspension")


# ------------------------------------------------------------------ extensions
@pytest.mark.parametrize("approved_on, as_of, expected", [
    (date(2018, 8, 15), date(2018, 9, 1), []),  # approved before the deadline: not late
    (date(2018, 8, 15), date(2018, 10, 1), ["proposal", "suspension"]),  # past the new deadline
    (date(2018, 9, 5), date(2018, 9, 2), ["proposal", "suspension"]),  # not yet approved that day
    (date(2018, 9, 5), date(2018, 9, 6), []),  # approved late: the new deadline applies from then
])
def test_extension_counts_only_once_approved(approved_on, as_of, expected):
    ev = events((1, "extension_requested", date(2018, 8, 10), date(2018, 9, 30)),
                (1, "extension_approved", approved_on, date(2018, 9, 30)))
    assert rules_of(decide(as_of, ev)) == expected


def test_requested_but_unapproved_extension_changes_nothing():
    ev = events((1, "extension_requested", date(2018, 8, 10), date(2018, 9, 30)))
    assert item_states(items(), ev, date(2018, 9, 1))["deadline"].tolist() == [DEADLINE]
    assert rules_of(decide(date(2018, 9, 1), ev)) == ["proposal", "suspension"]


# ------------------------------------------------------------------ dating and provenance
def test_events_after_as_of_are_ignored_and_items_not_yet_created_are_left_out():
    ev = events((1, "done", date(2018, 9, 5)))
    assert item_states(items(), ev, date(2018, 9, 1))["state"].tolist() == ["overdue"]
    assert item_states(items(), ev, date(2018, 5, 1)).empty


def test_rule_a_flags_a_result_without_provenance():
    runs = pd.DataFrame([{"run_id": 1, "catalogue_hash": "abc", "weights_hash": "def", "weights": "{}",
                          "software_version": None, "computed_at": pd.Timestamp("2018-05-05")}])
    d = evaluate(results(), items(), events(), date(2018, 6, 1), runs=runs)
    assert rules_of(d) == ["provenance"]
    assert "software_version" in text(d, "provenance")
    runs["software_version"] = "0.1.0"
    assert evaluate(results(), items(), events(), date(2018, 6, 1), runs=runs).empty


def test_reasons_in_english_and_summary():
    d = decide(date(2018, 9, 1), events())
    en = reasons_in(d, "en")
    assert "scored 52.0%, under 60%" in en.iloc[0] and "not rectified as of 2018-09-01" in en.iloc[0]
    units = pd.DataFrame({"unit_id": ["U1", "U2", "U3"]})
    assert summarise(d, units) == {"proposal": 1, "suspension": 1, "lift": 0, "provenance": 0,
                                   "units": 3, "clean_units": 2}


def test_evaluate_is_pure_and_repeatable():
    ev = events((1, "done", date(2018, 9, 5)))
    its, res = items(), results()
    before = (its.copy(), ev.copy(), res.copy())
    a, b = evaluate(res, its, ev, date(2018, 9, 6)), evaluate(res, its, ev, date(2018, 9, 6))
    pd.testing.assert_frame_equal(a, b)
    for x, y in zip((its, ev, res), before, strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_missing_columns_are_named_all_at_once():
    with pytest.raises(WorkbenchError, match="results.completion_pct, items.original_deadline"):
        evaluate(results().drop(columns=["completion_pct"]), items().drop(columns=["original_deadline"]),
                 events(), date(2018, 9, 1))

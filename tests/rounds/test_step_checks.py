"""The feedback and rectification steps close only when the follow-through allows it."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.followup.rectification import mark_done, read_items
from workbench.rounds import steps


def test_feedback_step_needs_the_results_sealed(demo_archive):
    assert steps._feedback_issued(demo_archive, "2019-city", "zh") == []  # sealed in the demo
    why = steps._feedback_issued(demo_archive, "2021-city", "en")
    assert why and "workbench feedback" in why[0]


def test_rectification_step_waits_for_items_within_their_deadline(demo_archive):
    items = read_items(demo_archive)
    item = items[items["status"] == "open"].iloc[0]
    rid, deadline = item["round_id"], item["deadline"]
    # before the deadline an open item keeps the step open; after it, the rules take over
    before = steps._rectification_settled(demo_archive, rid, "zh", today=deadline)
    assert before and f"#{int(item['item_id'])}" in before[0]
    assert steps._rectification_settled(demo_archive, rid, "zh", today=date(2030, 1, 1)) == []
    # done but not re-checked blocks whatever the date
    mark_done(demo_archive, int(item["item_id"]), on=deadline, by="unit")
    assert steps._rectification_settled(demo_archive, rid, "en", today=date(2030, 1, 1))


@pytest.mark.parametrize("step", ["feedback", "rectify"])
def test_checks_are_registered(step):
    assert step in steps.FOLLOW_THROUGH_CHECKS

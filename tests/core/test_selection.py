"""Selection: the publication window, the 6-month minimum age and the 12-month late flag."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from workbench.core.selection import (
    default_window,
    make_round,
    parse_round_id,
    select_matters,
    summarise_selection,
)
from workbench.errors import WorkbenchError
from workbench.organisation import default_organisation

UNITS = pd.DataFrame({
    "unit_id": ["C1", "Q1", "Z1"], "level": ["city", "county", "county"],
    "county": [None, "370781", "370782"],
})


def judge(approved_on: str, unit="C1", **round_kw):
    spec = make_round(round_kw.pop("year", 2018), round_kw.pop("area", "city"), **round_kw)
    matters = pd.DataFrame({"matter_id": ["M"], "unit_id": [unit], "category": ["establish"],
                            "approved_on": [date.fromisoformat(approved_on)]})
    return select_matters(matters, UNITS, spec).iloc[0]


def test_default_window_is_october_to_september():
    assert default_window(2018) == (date(2016, 10, 1), date(2017, 9, 30))


@pytest.mark.parametrize(
    "approved, eligible, reason",
    [
        ("2016-09-30", False, "before_window"),
        ("2016-10-01", True, ""),
        ("2017-09-30", True, ""),
        ("2017-10-01", False, "after_window"),
    ],
)
def test_window_edges(approved, eligible, reason):
    row = judge(approved)
    assert bool(row["eligible"]) is eligible and row["reason"] == reason


@pytest.mark.parametrize(
    "approved, eval_date, eligible, late",
    [
        ("2017-03-01", "2017-09-01", True, False),   # exactly six months: in
        ("2017-03-02", "2017-09-01", False, False),  # one day short: too recent
        ("2016-10-01", "2017-10-01", True, False),   # exactly twelve months: not yet late
        ("2016-10-01", "2017-10-02", True, True),    # a day past twelve months: late, still evaluated
    ],
)
def test_age_rules(approved, eval_date, eligible, late):
    row = judge(approved, eval_date=date.fromisoformat(eval_date))
    assert bool(row["eligible"]) is eligible and bool(row["late"]) is late
    if not eligible:
        assert row["reason"] == "too_recent"


def test_month_end_six_months_counts_calendar_months():
    # 31 March + 6 months = 30 September
    assert bool(judge("2017-03-31", eval_date=date(2017, 9, 30))["eligible"])
    assert not bool(judge("2017-03-31", eval_date=date(2017, 9, 29))["eligible"])


def test_area_filter():
    assert judge("2017-05-01", unit="Q1", area="370781")["eligible"]
    assert judge("2017-05-01", unit="Z1", area="370781")["reason"] == "other_area"
    assert judge("2017-05-01", unit="Q1", area="city")["reason"] == "other_area"


def test_round_ids():
    areas = default_organisation().areas  # the pure functions check against the areas passed in
    assert make_round(2018, "370781", areas=areas).round_id == "2018-370781"
    assert parse_round_id("2019-city", areas) == (2019, "city")
    with pytest.raises(WorkbenchError):
        parse_round_id("2019-999999", areas)
    with pytest.raises(WorkbenchError):
        parse_round_id("2019-shanghai")
    with pytest.raises(WorkbenchError, match="370781"):
        make_round(2018, "shanghai", areas=areas)
    with pytest.raises(WorkbenchError):
        make_round(2018, "city", window_start=date(2018, 1, 1), window_end=date(2017, 1, 1))


def test_summary_counts_units_and_matters():
    sel = pd.DataFrame({"unit_id": ["a", "a", "b"], "eligible": [True, True, True], "late": [True, False, False]})
    assert summarise_selection(sel) == {"units": 2, "matters": 3, "late": 1}

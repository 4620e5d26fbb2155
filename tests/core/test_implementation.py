"""Months from approval to each implementation date, their mean per group, and the change."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from workbench.core import cycle_change, cycle_trend, implementation_cycles

MATTERS = pd.DataFrame({
    "matter_id": ["M1", "M2", "M3", "M4"], "approved_on": [date(2018, 1, 1)] * 2 + [date(2020, 1, 1)] * 2,
    "year": [2018, 2018, 2020, 2020], "level": ["city"] * 4,
})
DATES = pd.DataFrame({
    "matter_id": ["M1", "M2", "M3"],  # M4 has no dates recorded: left out
    "staffed_on": [date(2018, 4, 2), date(2018, 5, 2), None],
    "sections_on": [date(2018, 6, 2), date(2018, 5, 2), date(2020, 4, 1)],
    "registered_on": [None, date(2018, 7, 2), date(2020, 3, 1)],
})


def test_months_from_approval():
    c = implementation_cycles(MATTERS, DATES).set_index("matter_id")
    assert list(c.index) == ["M1", "M2", "M3"]
    # 152 days / 30.44 = 4.99 months; a date not recorded has no cycle
    assert c.at["M1", "sections_months"] == pytest.approx(152 / (365.25 / 12), abs=0.01)
    assert c.at["M2", "staffed_months"] == pytest.approx(121 / (365.25 / 12), abs=0.01)
    assert pd.isna(c.at["M3", "staffed_months"]) and pd.isna(c.at["M1", "registered_months"])


def test_trend_and_change():
    trend = cycle_trend(implementation_cycles(MATTERS, DATES), ["year"])
    assert trend["year"].tolist() == [2018, 2020]
    assert trend["matters"].tolist() == [2, 1] and trend["registrations"].tolist() == [1, 1]
    assert trend["sections_months"].tolist() == [4.5, 3.0]  # (4.99 + 3.98) / 2 and 91 days, to one decimal
    assert cycle_change(trend) == pytest.approx(1 - 3.0 / 4.5, abs=1e-3)
    assert cycle_change(trend.head(1)) is None  # one year: nothing to compare

"""Which matters a round evaluates (问效范围).

A round covers matters of its area published inside its publication window (default 1 Oct of
year−2 to 30 Sep of year−1). A matter must be at least 6 months old at the evaluation date to be
eligible; one older than 12 months is still evaluated but flagged ``late``. Every matter left out
carries the reason, so the officer can check the scope rather than trust it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.labels import t
from workbench.organisation import is_subordinate

MIN_AGE_MONTHS = 6
LATE_AFTER_MONTHS = 12


@dataclass(frozen=True)
class RoundSpec:
    year: int
    area: str
    window_start: date
    window_end: date
    eval_date: date

    @property
    def round_id(self) -> str:
        return make_round_id(self.year, self.area)


LEVEL_WORDS = ("province", "city", "county")


def make_round_id(year: int, area: str) -> str:
    return f"{int(year)}-{area}"


def parse_round_id(round_id: str, areas: tuple[str, ...] | None = None) -> tuple[int, str]:
    """``(year, area)``; the area is the office's level word or a division code (and one of
    ``areas`` when given)."""
    year, _, area = round_id.partition("-")
    known = area in areas if areas is not None else (area in LEVEL_WORDS or is_subordinate(area))
    if not year.isdigit() or not known:
        raise WorkbenchError(
            f"问效轮次编号无效 / not a round id: {round_id!r} (e.g. 2018-city, 2018-370781)"
        )
    return int(year), area


def default_window(year: int) -> tuple[date, date]:
    return date(year - 2, 10, 1), date(year - 1, 9, 30)


def default_eval_date(year: int) -> date:
    # The last matter of the default window turns 6 months old on 30 March.
    return date(year, 4, 15)


def make_round(
    year: int,
    area: str,
    window_start: date | None = None,
    window_end: date | None = None,
    eval_date: date | None = None,
    areas: tuple[str, ...] | None = None,
) -> RoundSpec:
    """A round of ``year`` for ``area`` (one of ``areas``, the organisation's, when given)."""
    if not (area in areas if areas is not None else (area in LEVEL_WORDS or is_subordinate(area))):
        raise WorkbenchError(t("err_bad_area", area=area, options=", ".join(areas or ())))
    ws, we = default_window(year)
    spec = RoundSpec(year, area, window_start or ws, window_end or we, eval_date or default_eval_date(year))
    if spec.window_start > spec.window_end:
        raise WorkbenchError(f"窗口起始晚于结束 / window starts after it ends: {spec.window_start} > {spec.window_end}")
    return spec


def select_matters(matters: pd.DataFrame, units: pd.DataFrame, spec: RoundSpec) -> pd.DataFrame:
    """Every matter with ``eligible``, ``late``, ``reason`` (a code; ``t("reason_" + code)``
    words it) and its age in months at the evaluation date."""
    m = matters.merge(units[["unit_id", "level", "county"]], on="unit_id", how="left")
    approved = pd.to_datetime(m["approved_on"])
    ev = pd.Timestamp(spec.eval_date)
    # The office's own area takes the units of its own level; a subordinate's, the units it files for.
    in_area = (m["county"] == spec.area) if is_subordinate(spec.area) else (m["level"] == spec.area)
    before = approved < pd.Timestamp(spec.window_start)
    after = approved > pd.Timestamp(spec.window_end)
    # Calendar months, as people count them: 2017-03-31 → 2017-09-30 is six months.
    six_months_on = approved + pd.DateOffset(months=MIN_AGE_MONTHS)
    twelve_months_on = approved + pd.DateOffset(months=LATE_AFTER_MONTHS)
    too_recent = six_months_on > ev
    reason = np.select(
        [~in_area, before, after, too_recent],
        ["other_area", "before_window", "after_window", "too_recent"],
        default="",
    )
    out = m.assign(
        eligible=reason == "",
        late=(reason == "") & (twelve_months_on < ev),
        reason=reason,
        age_months=((ev - approved).dt.days / 30.4375).round(1),
    )
    return out


def summarise_selection(selected: pd.DataFrame) -> dict[str, int]:
    """The source's way of stating a scope: "10 units, 14 matters"."""
    chosen = selected[selected["eligible"]] if "eligible" in selected else selected
    return {
        "units": int(chosen["unit_id"].nunique()),
        "matters": int(len(chosen)),
        "late": int(chosen["late"].sum()) if "late" in chosen else 0,
    }

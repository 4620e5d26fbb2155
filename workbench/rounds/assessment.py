"""Comprehensive assessment (综合评定): the round's results and the tables that compare them.

Rankings within each category (同类可比) and across units, the self-assessed vs verified gap
(inflated self-assessments flagged), where points were lost, and the round against the previous
year's round of the same area. Fetches from the archive, computes with the pure scoring core,
returns DataFrames; ``display`` gives them human headers in zh or en.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.archive import Archive
from workbench.core import Catalogue, make_round_id, parse_round_id
from workbench.files import load_catalogue
from workbench.labels import column_labels, register, t
from workbench.scoring import compare_indicators, compare_sources, rank_units, score_round

from .lifecycle import indicator_detail, matters_in_scope, round_weights

register({
    "wt_self_pct": {"zh": "自评完成百分比", "en": "Self-assessed %"},
    "wt_verified_pct": {"zh": "核查完成百分比", "en": "Verified %"},
    "wt_matters": {"zh": "事项数", "en": "Matters"},
    "wt_complete_matters": {"zh": "已完成事项", "en": "Complete matters"},
    "wt_lowest_pct": {"zh": "最低完成百分比", "en": "Lowest %"},
    "wt_mean_pct": {"zh": "平均完成百分比", "en": "Mean completion %"},
    "wt_poor_share": {"zh": "差等次占比", "en": "Share rated 差"},
    "wt_prev_pct": {"zh": "上年完成百分比", "en": "Previous year %"},
    "wt_change": {"zh": "变化", "en": "Change"},
    "wt_gap_points": {"zh": "自评高出分值", "en": "Self above verified (points)"},
    "wt_self_result": {"zh": "自评结果", "en": "Self-assessed"},
    "wt_verified_result": {"zh": "核查结果", "en": "Verified"},
    "wt_this_round": {"zh": "本轮", "en": "This round"},
    "wt_no_previous": {"zh": "没有上年同一地区的轮次可比较", "en": "no previous-year round of this area to compare with"},
})

DISPLAY_KEYS = {
    "self_pct": "wt_self_pct", "verified_pct": "wt_verified_pct", "matters": "wt_matters",
    "complete_matters": "wt_complete_matters", "lowest_pct": "wt_lowest_pct",
    "mean_pct": "wt_mean_pct", "poor_share": "wt_poor_share", "prev_pct": "wt_prev_pct",
    "change": "wt_change", "gap_points": "wt_gap_points", "self_result": "wt_self_result",
    "verified_result": "wt_verified_result", "round_id": "round",
}


def display(df: pd.DataFrame, lang: str = "zh", catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Human headers and words (category, band) for showing a table."""
    out = df.copy()
    if catalogue is not None and "category" in out:
        out["category"] = out["category"].map(lambda c: catalogue.category_name(c, lang) if pd.notna(c) else c)
    if catalogue is not None and "band" in out:
        out["band"] = out["band"].map(lambda b: catalogue.band_name(b, lang) if isinstance(b, str) else b)
    if "status" in out:
        out["status"] = out["status"].map(lambda s: t(s, lang) if s in ("complete", "incomplete") else s)
    names = column_labels(list(out.columns), lang)
    names.update({c: t(k, lang) for c, k in DISPLAY_KEYS.items() if c in out})
    return out.rename(columns=names)


SOURCES = ("verified", "self")


@dataclass
class RoundScores:
    """A round scored afresh from the current entries of both sources."""
    catalogue: Catalogue
    matters: pd.DataFrame  # archive.round_matters: the matters in scope with their unit's facts
    results: dict[str, pd.DataFrame]  # "verified" / "self" → score_round, one row per matter
    names: pd.Series  # unit_id → name

    def units(self, source: str = "verified") -> pd.DataFrame:
        """The units ranked on one source's results, with ``unit_name`` as the second column."""
        units = rank_units(self.results[source], self.catalogue)
        units.insert(1, "unit_name", units["unit_id"].map(self.names))
        return units

    def gap(self) -> pd.DataFrame:
        """Self-assessed vs verified per matter (``compare_sources``)."""
        return compare_sources(self.results["self"], self.results["verified"])


def score_sources(archive: Archive, round_id: str, catalogue: Catalogue, weights: pd.Series | None = None,
                  matters: pd.DataFrame | None = None, save: bool = False, by: str = "") -> RoundScores:
    """Score the round's matters (``matters``, else ``archive.round_matters``) from the current
    entries of both sources with ``weights`` (the catalogue's by default); archive both runs if
    ``save`` and the archive is writable. What the assessment and the batch report share."""
    weights = round_weights(catalogue, weights)
    matters = archive.round_matters(round_id) if matters is None else matters
    results = {s: score_round(matters, archive.current_entries(round_id, s), catalogue, weights) for s in SOURCES}
    if save and not archive.read_only:
        with archive.transaction([round_id]):  # both runs or neither (a sealed round refuses the verified one)
            for s in SOURCES:
                archive.save_results(round_id, s, results[s], catalogue, weights, computed_by=by)
    return RoundScores(catalogue, matters, results, archive.unit_names())


@dataclass
class Assessment:
    round_id: str
    results: pd.DataFrame  # one row per matter, verified, with unit_name
    units: pd.DataFrame  # ranked across units
    gap: pd.DataFrame  # self vs verified per matter
    indicator_gap: pd.DataFrame  # indicators where the self-assessment was higher
    detail: pd.DataFrame  # verified per matter × indicator (heat map)
    previous: pd.DataFrame  # per category: this round vs the previous year's
    previous_units: pd.DataFrame  # per unit in both rounds
    previous_round: str | None


def previous_round_id(archive: Archive, round_id: str) -> str | None:
    year, area = parse_round_id(round_id)
    prev = make_round_id(year - 1, area)
    return prev if prev in set(archive.rounds()["round_id"]) else None


def assess_round(archive: Archive, round_id: str, catalogue: Catalogue | None = None,
                 save: bool = False, by: str = "") -> Assessment:
    """Score the round from its current entries (archiving both runs if ``save``) and compare."""
    catalogue = catalogue or load_catalogue()
    scores = score_sources(archive, round_id, catalogue, matters=matters_in_scope(archive, round_id),
                           save=save, by=by)
    names = scores.names
    units = scores.units("verified")
    gap = scores.gap()
    verified = scores.results["verified"]
    verified.insert(2, "unit_name", verified["unit_id"].map(names))
    gap.insert(2, "unit_name", gap["unit_id"].map(names))
    gap = gap.sort_values(["inflated", "gap"], ascending=False).reset_index(drop=True)
    vdet = indicator_detail(archive, round_id, catalogue, "verified")
    sdet = indicator_detail(archive, round_id, catalogue, "self")
    ind_gap = compare_indicators(sdet, vdet)
    ind_gap = ind_gap[ind_gap["gap_points"] > 0].sort_values("gap_points", ascending=False)
    vdet = vdet.assign(unit_name=vdet["unit_id"].map(names))
    prev_id = previous_round_id(archive, round_id)
    by_cat, by_unit = compare_with_previous(verified, archive.latest_results(prev_id) if prev_id else None,
                                            catalogue)
    return Assessment(round_id, verified, units, gap, ind_gap.reset_index(drop=True), vdet,
                      by_cat, by_unit.assign(unit_name=by_unit["unit_id"].map(names)), prev_id)


def category_summary(results: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Per category: matters, complete matters, mean completion %, share rated the lowest band."""
    lowest = catalogue.band_order[-1]
    r = results.assign(done=results["status"] == "complete", poor=results["band"] == lowest)
    out = r.groupby("category").agg(matters=("matter_id", "size"), complete_matters=("done", "sum"),
                                    mean_pct=("completion_pct", "mean"), poor=("poor", "sum"))
    out["poor_share"] = (out["poor"] / out["complete_matters"].where(out["complete_matters"] > 0)).round(3)
    out["mean_pct"] = out["mean_pct"].round(2)
    order = [c for c in catalogue.categories if c in out.index]
    return out.drop(columns="poor").reindex(order).reset_index()


def compare_with_previous(current: pd.DataFrame, previous: pd.DataFrame | None,
                          catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per category, per unit) this round's mean completion % beside the previous round's."""
    cur = category_summary(current, catalogue)
    if previous is None or previous.empty:
        cur["prev_pct"], cur["change"] = float("nan"), float("nan")
        return cur, pd.DataFrame(columns=["unit_id", "completion_pct", "prev_pct", "change"])
    prev = category_summary(previous, catalogue)[["category", "mean_pct"]].rename(columns={"mean_pct": "prev_pct"})
    by_cat = cur.merge(prev, on="category", how="left")
    by_cat["change"] = (by_cat["mean_pct"] - by_cat["prev_pct"]).round(2)
    now_u = rank_units(current, catalogue)[["unit_id", "completion_pct"]]
    old_u = rank_units(previous, catalogue)[["unit_id", "completion_pct"]].rename(
        columns={"completion_pct": "prev_pct"})
    by_unit = now_u.merge(old_u, on="unit_id", how="inner")
    by_unit["change"] = (by_unit["completion_pct"] - by_unit["prev_pct"]).round(2)
    return by_cat, by_unit.sort_values("change").reset_index(drop=True)


def year_series(by_cat: pd.DataFrame, round_id: str, previous_round: str | None,
                catalogue: Catalogue, lang: str = "zh") -> pd.DataFrame:
    """Long form for a grouped bar chart: category name, which round, mean completion %."""
    rows = by_cat.assign(category_name=by_cat["category"].map(lambda c: catalogue.category_name(c, lang)))
    this = rows[["category_name", "mean_pct"]].assign(round=round_id)
    if previous_round is None:
        return this.rename(columns={"mean_pct": "completion_pct"})
    prev = rows[["category_name", "prev_pct"]].rename(columns={"prev_pct": "mean_pct"}).assign(round=previous_round)
    return pd.concat([prev, this], ignore_index=True).rename(columns={"mean_pct": "completion_pct"})



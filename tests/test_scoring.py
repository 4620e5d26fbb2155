"""Scoring rules, checked on hand-computed cases and on properties that must always hold."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.scoring import compare_sources, rank_desc, rank_units, score_indicators, score_round

EST = ["EST-01", "EST-02", "EST-03", "EST-04", "EST-05", "EST-06", "EST-07", "EST-08"]
#       graded   yes_no   graded   ratio*   ratio*   yes_no   ratio*   yes_no   (* over 1 scores 0)
W_EST = [15, 10, 20, 10, 15, 10, 10, 10]


def one_matter(results, category="establish", ids=EST, matter="M1", unit="U1"):
    matters = pd.DataFrame({"matter_id": [matter], "unit_id": [unit], "category": [category]})
    entries = pd.DataFrame({"matter_id": matter, "indicator_id": ids[: len(results)], "result": results})
    return matters, entries


@pytest.mark.parametrize(
    "results, score, applicable, pct, band",
    [
        # every kind at full marks
        (["完全落实", "是", "完全落实", "1", "1", "是", "1", "是"], 100, 100, 100.0, "优"),
        # grades 0.8 and 0.5, a "no", ratios below target: 12 + 0 + 10 + 9 + 12 + 10 + 5 + 10
        (["基本落实", "否", "部分落实", "0.9", "0.8", "是", "0.5", "是"], 68, 100, 68.0, "中"),
        # English aliases and case: full/basic/partial/none, yes/no
        (["FULL", "yes", "basic", "1", "1", "No", "1", "y"], 15 + 10 + 16 + 10 + 15 + 0 + 10 + 10, 100, 86.0, "良"),
        # over the limit where flagged scores 0 (EST-05 staff over quota)
        (["完全落实", "是", "完全落实", "1", "1.2", "是", "1", "是"], 85, 100, 85.0, "良"),
        # not applicable leaves numerator and denominator: 75 of 75
        (["完全落实", "不适用", "完全落实", "1", "1", "na", "1", "是"], 80, 80, 100.0, "优"),
        # n/a plus a partial: (15 + 10 + 10 + 15 + 10 + 5) / 90
        (["完全落实", "是", "不适用", "1", "1", "是", "0.5", "否"], 65, 80, 81.25, "良"),
        # all zero
        (["未落实", "否", "none", "0", "0", "否", "0", "否"], 0, 100, 0.0, "差"),
        # just under 60 is 差, exactly 60 is 中
        (["未落实", "否", "完全落实", "1", "1", "否", "0.5", "是"], 60, 100, 60.0, "中"),
        (["未落实", "否", "完全落实", "1", "1", "否", "0.49", "是"], 59.9, 100, 59.9, "差"),
    ],
)
def test_hand_computed(catalogue, results, score, applicable, pct, band):
    out = score_round(*one_matter(results), catalogue).iloc[0]
    assert out["status"] == "complete"
    assert out["score"] == pytest.approx(score)
    assert out["applicable_weight"] == pytest.approx(applicable)
    assert out["completion_pct"] == pytest.approx(pct)
    assert out["band"] == band


def test_ratio_over_limit_without_flag_is_capped_at_one(catalogue):
    # CHG-05 (realised quota change ÷ approved) has no over-limit flag: 1.3 counts as 1.
    ids = [f"CHG-0{i}" for i in range(1, 9)]
    res = ["完全落实", "是", "完全落实", "1", "1.3", "1", "是", "完全落实"]
    out = score_round(*one_matter(res, "change", ids), catalogue).iloc[0]
    assert out["completion_pct"] == 100.0


@pytest.mark.parametrize("missing_at", [0, 3, 7])
def test_missing_is_not_zero(catalogue, missing_at):
    res = ["完全落实", "是", "完全落实", "1", "1", "是", "1", "是"]
    res[missing_at] = ""
    out = score_round(*one_matter(res), catalogue).iloc[0]
    assert out["status"] == "incomplete"
    assert pd.isna(out["completion_pct"]) and pd.isna(out["score"]) and pd.isna(out["band"])


def test_indicator_without_any_entry_is_missing(catalogue):
    out = score_round(*one_matter(["完全落实"] * 1), catalogue).iloc[0]
    assert out["status"] == "incomplete"


def test_matter_with_no_entries_at_all_is_incomplete(catalogue):
    matters = pd.DataFrame({"matter_id": ["M9"], "unit_id": ["U1"], "category": ["abolish"]})
    entries = pd.DataFrame(columns=["matter_id", "indicator_id", "result"])
    out = score_round(matters, entries, catalogue)
    assert list(out["status"]) == ["incomplete"]


def test_everything_not_applicable_has_no_result(catalogue):
    ids = [f"ABL-0{i}" for i in range(1, 6)]
    out = score_round(*one_matter(["不适用"] * 5, "abolish", ids), catalogue).iloc[0]
    assert out["status"] == "incomplete" and pd.isna(out["completion_pct"])


def test_invalid_word_counts_as_missing_not_zero(catalogue):
    res = ["差不多", "是", "完全落实", "1", "1", "是", "1", "是"]
    assert score_round(*one_matter(res), catalogue).iloc[0]["status"] == "incomplete"


def test_ties_share_the_best_rank_within_category(catalogue):
    full = ["完全落实", "是", "完全落实", "1", "1", "是", "1", "是"]
    less = ["基本落实", "是", "完全落实", "1", "1", "是", "1", "是"]
    frames = [one_matter(r, matter=m, unit=u) for r, m, u in
              [(full, "A", "U1"), (less, "B", "U2"), (full, "C", "U3"), (less, "D", "U3")]]
    matters = pd.concat([f[0] for f in frames])
    entries = pd.concat([f[1] for f in frames])
    abl = [f"ABL-0{i}" for i in range(1, 6)]
    m2, e2 = one_matter(["未落实", "0", "0", "否", "未落实"], "abolish", abl, matter="E", unit="U2")
    out = score_round(pd.concat([matters, m2]), pd.concat([entries, e2]), catalogue).set_index("matter_id")
    assert out.loc[["A", "C", "B", "D"], "rank_in_category"].tolist() == [1, 1, 3, 3]
    assert out.loc["E", "rank_in_category"] == 1  # alone in its category
    units = rank_units(out.reset_index(), catalogue).set_index("unit_id")
    # U1 100; U3 mean(100, 97) = 98.5; U2 mean(97, 0) = 48.5
    assert units.loc["U1", "rank"] == 1 and units.loc["U3", "rank"] == 2 and units.loc["U2", "rank"] == 3
    assert units.loc["U3", "completion_pct"] == 98.5 and units.loc["U2", "band"] == "差"


def test_rank_desc_keeps_nan_unranked():
    r = rank_desc(pd.Series([80.0, None, 90.0, 80.0]))
    assert r.tolist()[0] == 2 and pd.isna(r.iloc[1]) and r.tolist()[2:] == [1, 2]


def test_unit_result_uses_only_complete_matters(catalogue):
    full = ["完全落实", "是", "完全落实", "1", "1", "是", "1", "是"]
    m1, e1 = one_matter(full, matter="A")
    m2, e2 = one_matter(full[:3], matter="B")
    res = score_round(pd.concat([m1, m2]), pd.concat([e1, e2]), catalogue)
    u = rank_units(res, catalogue).iloc[0]
    assert u["matters"] == 2 and u["complete_matters"] == 1 and u["completion_pct"] == 100.0


def test_weights_scenario_changes_the_score(catalogue):
    res = ["未落实", "是", "完全落实", "1", "1", "是", "1", "是"]
    w = catalogue.weights.copy()
    assert score_round(*one_matter(res), catalogue).iloc[0]["completion_pct"] == 85.0
    w["EST-01"], w["EST-03"] = 5, 30
    assert score_round(*one_matter(res), catalogue, w).iloc[0]["completion_pct"] == 95.0


def test_self_vs_verified_gap_flags_inflation(catalogue):
    m, verified = one_matter(["基本落实", "否", "部分落实", "0.9", "0.8", "是", "0.5", "是"])
    _, own = one_matter(["完全落实", "是", "完全落实", "1", "1", "是", "1", "是"])
    gap = compare_sources(score_round(m, own, catalogue), score_round(m, verified, catalogue)).iloc[0]
    assert gap["gap"] == 32.0 and bool(gap["inflated"])


def test_points_lost_per_indicator(catalogue):
    detail = score_indicators(*one_matter(["基本落实", "否", "不适用", "1", "", "是", "1", "是"]), catalogue)
    d = detail.set_index("indicator_id")
    assert d.loc["EST-01", "lost"] == pytest.approx(3.0)
    assert d.loc["EST-02", "lost"] == 10
    assert d.loc["EST-03", "entry_status"] == "na" and pd.isna(d.loc["EST-03", "lost"])
    assert d.loc["EST-05", "entry_status"] == "missing"


# ---------------------------------------------------------------- properties
VALUES = {
    "graded": st.sampled_from(["完全落实", "基本落实", "部分落实", "未落实"]),
    "yes_no": st.sampled_from(["是", "否"]),
    "ratio": st.floats(0, 2, allow_nan=False).map(lambda x: f"{x:.3f}"),
}
KINDS = ["graded", "yes_no", "graded", "ratio", "ratio", "yes_no", "ratio", "yes_no"]


@st.composite
def establishment_results(draw, allow_na=True):
    out = []
    for kind in KINDS:
        value = draw(VALUES[kind])
        out.append("不适用" if allow_na and draw(st.booleans()) and draw(st.booleans()) else value)
    if all(v == "不适用" for v in out):
        out[0] = "完全落实"
    return out


@settings(max_examples=150, deadline=None)
@given(establishment_results())
def test_completion_stays_between_0_and_100(catalogue, results):
    pct = score_round(*one_matter(results), catalogue).iloc[0]["completion_pct"]
    assert 0 <= pct <= 100


@settings(max_examples=150, deadline=None)
@given(establishment_results(allow_na=False), st.integers(0, 7))
def test_marking_an_indicator_not_applicable_removes_exactly_it(catalogue, results, i):
    """Adding a not-applicable indicator to a matter that didn't involve it changes nothing:
    score the matter on 7 indicators with the 8th n/a, and compare against re-weighting by hand."""
    with_na = results.copy()
    with_na[i] = "不适用"
    a = score_round(*one_matter(with_na), catalogue).iloc[0]
    detail = score_indicators(*one_matter(results), catalogue)
    keep = detail["indicator_id"] != EST[i]
    expected = 100 * detail.loc[keep, "points"].sum() / detail.loc[keep, "weight"].sum()
    assert abs(a["completion_pct"] - expected) <= 0.005 + 1e-9  # shown to 2 decimals


@settings(max_examples=100, deadline=None)
@given(establishment_results(), st.integers(2, 7))
def test_scaling_a_categorys_weights_changes_nothing(catalogue, results, k):
    w = catalogue.weights.copy()
    est = catalogue.indicators["category"] == "establish"
    w[est] = w[est] * k

    def unrounded(weights):  # the shown value is rounded to 2 decimals; compare before that
        d = score_indicators(*one_matter(results), catalogue, weights)
        applicable = d["entry_status"] != "na"
        return 100 * d["points"].sum() / d.loc[applicable, "weight"].sum()

    assert unrounded(None) == pytest.approx(unrounded(w), abs=1e-9)


def test_vectorised_over_many_matters(catalogue):
    """A thousand matters score in one call and agree with scoring them one at a time."""
    import numpy as np

    rng = np.random.default_rng(0)
    n = 1000
    grades = np.array(["完全落实", "基本落实", "部分落实", "未落实"])
    rows = []
    for m in range(n):
        for ind, kind in zip(EST, KINDS):
            v = (grades[rng.integers(4)] if kind == "graded" else
                 ("是" if rng.random() < .7 else "否") if kind == "yes_no" else f"{rng.random() * 1.1:.2f}")
            rows.append((f"M{m}", ind, v))
    entries = pd.DataFrame(rows, columns=["matter_id", "indicator_id", "result"])
    matters = pd.DataFrame({"matter_id": [f"M{m}" for m in range(n)], "unit_id": "U", "category": "establish"})
    out = score_round(matters, entries, catalogue).set_index("matter_id")
    for m in ("M0", "M517", "M999"):
        single = score_round(matters[matters.matter_id == m], entries[entries.matter_id == m], catalogue)
        assert single.iloc[0]["completion_pct"] == out.loc[m, "completion_pct"]

"""Sobol indices of the rank shift and the removal of one indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_robustness import random_case

from workbench.core import sensitivity as sv
from workbench.core.robustness import build_inputs
from workbench.scoring import score_indicators, score_round


@pytest.fixture(scope="module")
def case(catalogue):
    matters, entries = random_case(catalogue, 21, n=60, units=12, na=0.1)
    return matters, entries, score_indicators(matters, entries, catalogue)


def test_design_blocks_swap_exactly_one_group(catalogue):
    groups = sv.factor_groups(catalogue, "category")
    base = catalogue.weights.to_numpy(float)
    W = sv.saltelli_design(base, catalogue.indicators["category"].to_numpy(), groups, 16, 0.3, 1)
    assert W.shape == (16 * (len(groups) + 2), 30)
    A, B = W[:16], W[16:32]
    for g, cols in enumerate(groups.values()):
        AB = W[32 + 16 * g: 48 + 16 * g]
        np.testing.assert_allclose(AB[:, cols], B[:, cols])
        other = np.setdiff1d(np.arange(30), cols)
        np.testing.assert_allclose(AB[:, other], A[:, other])
    sums = pd.DataFrame(W.T).groupby(catalogue.indicators["category"].to_numpy()).sum()
    np.testing.assert_allclose(sums.to_numpy(), 100.0)


def test_category_factors_do_not_interact_for_matter_ranks(catalogue, case):
    _, _, detail = case
    s = sv.sobol_indices(detail, catalogue, by="category", n=4096, seed=3, bootstrap=200)
    assert list(s["sobol_factor"]) == list(catalogue.categories)
    # matter ranks are within category: Y is additive in the category factors, so S = ST
    # (within S's bootstrap interval) and the totals add up to 1
    assert ((s["first_low"] <= s["sobol_total"]) & (s["sobol_total"] <= s["first_high"])).all()
    assert s["sobol_total"].sum() == pytest.approx(1.0, abs=0.05)
    assert (s["first_low"] <= s["sobol_first"]).all() and (s["sobol_first"] <= s["first_high"]).all()
    again = sv.sobol_indices(detail, catalogue, by="category", n=4096, seed=3, bootstrap=200)
    pd.testing.assert_frame_equal(s, again)  # same seed, same answer
    # units mix categories: there the factors interact (total well above first-order)
    u = sv.sobol_indices(detail, catalogue, level="unit", n=2048, seed=3, bootstrap=50)
    assert u["sobol_total"].sum() > u["sobol_first"].sum() + 0.3


def test_a_category_with_no_matters_has_zero_index(catalogue):
    matters, entries = random_case(catalogue, 5, n=30, units=8)
    keep = matters["category"] != "merge"
    matters = matters[keep]
    entries = entries[entries["matter_id"].isin(matters["matter_id"])]
    detail = score_indicators(matters, entries, catalogue)
    for level in ("matter", "unit"):
        s = sv.sobol_indices(detail, catalogue, level=level, n=64, seed=1, bootstrap=20).set_index("sobol_factor")
        assert s.loc["merge", "sobol_first"] == 0 and s.loc["merge", "sobol_total"] == 0
    kinds = sv.sobol_indices(detail, catalogue, by="kind", n=64, seed=1, bootstrap=20)
    assert set(kinds["sobol_factor"]) == {"graded", "ratio", "yes_no"}


def test_removing_an_indicator_matches_rescoring(catalogue, case):
    matters, entries, detail = case
    table = sv.removal_impact(detail, catalogue).set_index("indicator_id")
    assert len(table) == 30
    w = catalogue.weights.astype(float).copy()
    w["EST-03"] = 0.0
    ids = catalogue.indicators_of("establish").index
    w[ids] = w[ids] * 100 / w[ids].sum()
    before = score_round(matters, entries, catalogue).dropna(subset=["completion_pct"])
    after = score_round(matters, entries, catalogue, w).set_index("matter_id").loc[before["matter_id"]]
    moved = (after["rank_in_category"].to_numpy() != before["rank_in_category"].to_numpy())
    assert table.loc["EST-03", "matters_moved"] == moved.sum()
    shift = np.abs(after["rank_in_category"].to_numpy(float) - before["rank_in_category"].to_numpy(float))
    assert table.loc["EST-03", "mean_abs_shift"] == pytest.approx(shift.mean())
    # an indicator that applies to nobody moves nobody
    inp = build_inputs(detail, catalogue)
    unused = [i for j, i in enumerate(inp.indicator_ids) if inp.A[j].sum() == 0]
    for i in unused:
        assert table.loc[i, "matters_moved"] == 0

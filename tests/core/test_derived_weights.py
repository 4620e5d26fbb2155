"""Weights from importance/difficulty/workload: largest-remainder rounding to exactly 100."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.catalogue import validate_weights
from workbench.core.derived_weights import (
    SCHEMES,
    compare_with_official,
    derive_weights,
    fit_summary,
    largest_remainder,
    rating_scores,
)
from workbench.errors import WorkbenchError


@pytest.mark.parametrize("shares,want", [
    ([1, 1, 1], [34, 33, 33]),          # one point left: the earliest of equal remainders
    ([1, 2, 3.5], [15, 31, 54]),        # quotas 15.38, 30.77, 53.85: the .77 and .85 round up
    ([0, 1, 1], [0, 50, 50]),           # exact quotas: nothing to distribute
    ([5, 5, 5, 5, 5, 5, 5], [15, 15, 14, 14, 14, 14, 14]),
])
def test_largest_remainder_table(shares, want):
    assert largest_remainder(np.array(shares)).tolist() == want


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.01, 50, allow_nan=False), min_size=1, max_size=12))
def test_largest_remainder_sums_to_100_and_stays_within_one_of_the_quota(shares):
    w = largest_remainder(np.array(shares))
    quota = 100 * np.array(shares) / sum(shares)
    assert w.sum() == 100
    assert (np.abs(w - quota) < 1 + 1e-9).all()
    assert (w >= np.floor(quota + 1e-12)).all()


def test_ties_go_to_the_larger_official_weight():
    assert largest_remainder(np.ones(3), tie=np.array([1, 5, 2])).tolist() == [33, 34, 33]


@pytest.mark.parametrize("criteria", [
    None, {"importance": 1, "difficulty": 0, "workload": 0}, {"importance": 1, "difficulty": 1, "workload": 1},
    {"workload": 3.0},
])
def test_every_scheme_is_valid_catalogue_weights(catalogue, criteria):
    for scheme in SCHEMES.values():
        w = scheme(catalogue, criteria)
        validate_weights(w, catalogue)  # integers, 100 per category
        assert w.groupby(catalogue.indicators["category"]).sum().eq(100).all()


def test_derived_weights_follow_the_ratings(catalogue):
    w = derive_weights(catalogue, {"importance": 1, "difficulty": 0, "workload": 0})
    est = catalogue.indicators_of("establish")
    # importance only: EST-01 and EST-03 (5) get the most, 3-rated ones the least
    assert w["EST-01"] == w["EST-03"] == w[est.index].max()
    assert w["EST-02"] == w[est.index].min()
    scores = rating_scores(catalogue)
    assert scores["ABL-02"] == pytest.approx(5.0)


def test_comparison_with_official(catalogue):
    w = derive_weights(catalogue)
    table = compare_with_official(catalogue, w)
    assert (table["weight_diff"] == table["derived_weight"] - table["official_weight"]).all()
    assert table.groupby("category")["weight_diff"].sum().eq(0).all()
    summary = fit_summary(catalogue, w)
    assert set(summary["category"]) == set(catalogue.categories)
    same = fit_summary(catalogue, catalogue.weights)
    assert same["points_moved"].eq(0).all()


def test_bad_criteria_are_refused(catalogue):
    with pytest.raises(WorkbenchError):
        derive_weights(catalogue, {"importance": 0, "difficulty": 0, "workload": 0})
    with pytest.raises(WorkbenchError, match="importance"):
        derive_weights(catalogue, {"beauty": 1})


def test_rebalance_keeps_100_and_respects_locks(catalogue):
    from workbench.core.derived_weights import rebalance

    w = rebalance(catalogue.weights, catalogue, "EST-03", 40)
    est = catalogue.indicators_of("establish").index
    assert w["EST-03"] == 40 and w[est].sum() == 100
    assert (w.drop(est) == catalogue.weights.drop(est)).all()
    w2 = rebalance(w, catalogue, "EST-01", 5, locked={"EST-03", "EST-02"})
    assert w2["EST-03"] == 40 and w2["EST-02"] == w["EST-02"] and w2[est].sum() == 100
    w3 = rebalance(w2, catalogue, "EST-01", 99, locked={"EST-03"})  # clipped to what is left
    assert w3["EST-01"] == 60 and w3[est].sum() == 100
    assert (w3.drop(["EST-01", "EST-03"]).loc[est.drop(["EST-01", "EST-03"])] == 0).all()
    everyone_else = set(est) - {"EST-05"}
    w4 = rebalance(w, catalogue, "EST-05", 0, locked=everyone_else)  # nothing free: stays put
    assert w4[est].sum() == 100 and w4["EST-05"] == w["EST-05"]


@functools.cache
def _catalogue():
    from workbench.files.parameters import load_catalogue

    return load_catalogue()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 29), st.integers(-5, 120), st.sets(st.integers(0, 29), max_size=6)),
                min_size=1, max_size=12))
def test_any_sequence_of_slider_moves_keeps_whole_weights_summing_to_100(moves):
    from workbench.core.derived_weights import rebalance

    catalogue = _catalogue()
    ids = list(catalogue.indicators.index)
    w = catalogue.weights.copy()
    for i, value, locked in moves:
        lock = {ids[j] for j in locked}
        before = w.copy()
        w = rebalance(w, catalogue, ids[i], value, lock)
        validate_weights(w, catalogue)  # whole numbers ≥ 0, 100 per category
        assert (w[sorted(lock - {ids[i]})] == before[sorted(lock - {ids[i]})]).all()

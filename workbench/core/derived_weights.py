"""Weights derived from the source's criteria: each indicator's importance, difficulty, workload.

The source says the weights were "set from each indicator's importance, difficulty and workload".
A researcher chooses how much each criterion counts (criterion weights); an indicator's raw
score is the weighted sum of its three 1–5 ratings, and a category's 100 points are shared in
proportion to the raw scores, rounded to whole numbers by the largest-remainder method so that
every category sums to exactly 100. Pure functions; the explorer and the tests call them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.labels import register, t

from .catalogue import TOTAL_WEIGHT, Catalogue

CRITERIA = ("importance", "difficulty", "workload")
DEFAULT_CRITERIA = {"importance": 0.5, "difficulty": 0.3, "workload": 0.2}

register({
    "importance": {"zh": "重要程度", "en": "Importance"},
    "difficulty": {"zh": "难易程度", "en": "Difficulty"},
    "workload": {"zh": "工作量", "en": "Workload"},
    "official_weight": {"zh": "现行权重", "en": "Official weight"},
    "derived_weight": {"zh": "推导权重", "en": "Derived weight"},
    "weight_diff": {"zh": "权重差(推导−现行)", "en": "Difference (derived − official)"},
    "criterion_weights": {"zh": "准则权重", "en": "Criterion weights"},
    "scheme_official": {"zh": "现行权重", "en": "official weights"},
    "scheme_equal": {"zh": "等权重", "en": "equal weights"},
    "scheme_ratings": {"zh": "按重要程度、难易程度、工作量推导", "en": "from importance, difficulty, workload"},
    "err_bad_criteria": {
        "zh": "准则权重须为非负数且不全为0(可用:{options})",
        "en": "criterion weights must be ≥ 0 and not all zero (valid names: {options})",
    },
})


def largest_remainder(shares: np.ndarray, total: int = TOTAL_WEIGHT, tie: np.ndarray | None = None) -> np.ndarray:
    """Whole numbers proportional to ``shares`` summing to exactly ``total`` (Hamilton's method).

    Each gets the floor of its exact quota; the points left go one each to the largest
    remainders, ties to the larger share (then to the larger ``tie`` value, then the earlier one).
    """
    shares = np.asarray(shares, dtype=float)
    if shares.sum() <= 0:
        raise WorkbenchError(t("err_bad_criteria", options=", ".join(CRITERIA)))
    quota = total * shares / shares.sum()
    base = np.floor(quota + 1e-12).astype(int)
    left = total - int(base.sum())
    remainder = np.where(base > quota + 1e-12, 0.0, quota - base)
    tie = np.zeros_like(quota) if tie is None else np.asarray(tie, dtype=float)
    # lexsort: last key is primary; stable, so earlier indicators win full ties
    order = np.lexsort((np.arange(len(quota)), -tie, -quota, -np.round(remainder, 12)))
    base[order[:left]] += 1
    return base


def rating_scores(catalogue: Catalogue, criteria: dict[str, float] | None = None) -> pd.Series:
    """Each indicator's raw score: Σ criterion weight × rating (ratings 1–5)."""
    criteria = {**DEFAULT_CRITERIA, **(criteria or {})}
    bad = [k for k in criteria if k not in CRITERIA]
    values = np.array([float(criteria[c]) for c in CRITERIA])
    if bad or (values < 0).any() or values.sum() <= 0:
        raise WorkbenchError(t("err_bad_criteria", options=", ".join(CRITERIA)))
    ratings = catalogue.indicators[list(CRITERIA)].astype(float)
    return ratings @ (values / values.sum())


def _per_category(catalogue: Catalogue, shares: pd.Series) -> pd.Series:
    out = pd.Series(0, index=catalogue.indicators.index, dtype=int)
    for cat in catalogue.categories:
        ids = catalogue.indicators_of(cat).index
        out[ids] = largest_remainder(shares[ids].to_numpy(), tie=catalogue.weights[ids].to_numpy())
    return out


def derive_weights(catalogue: Catalogue, criteria: dict[str, float] | None = None) -> pd.Series:
    """Integer weights, 100 per category, in proportion to the rating scores."""
    return _per_category(catalogue, rating_scores(catalogue, criteria))


def equal_weights(catalogue: Catalogue, criteria: dict[str, float] | None = None) -> pd.Series:
    return _per_category(catalogue, pd.Series(1.0, index=catalogue.indicators.index))


def official_weights(catalogue: Catalogue, criteria: dict[str, float] | None = None) -> pd.Series:
    return catalogue.weights.astype(int)


#: weighting schemes by name: (catalogue, criteria) → integer weights, 100 per category
SCHEMES: dict[str, Callable[[Catalogue, dict | None], pd.Series]] = {
    "official": official_weights, "ratings": derive_weights, "equal": equal_weights,
}


def compare_with_official(catalogue: Catalogue, weights: pd.Series) -> pd.DataFrame:
    """Per indicator: ratings, official and derived weight, difference."""
    ind = catalogue.indicators
    out = ind[["category", "indicator_id", "name_zh", "name_en", *CRITERIA]].copy()
    out["official_weight"] = catalogue.weights.astype(int)
    out["derived_weight"] = weights.reindex(ind.index).astype(int)
    out["weight_diff"] = out["derived_weight"] - out["official_weight"]
    return out.reset_index(drop=True)


def fit_summary(catalogue: Catalogue, weights: pd.Series) -> pd.DataFrame:
    """Per category: points moved (half the L1 distance) and the largest single difference."""
    diff = compare_with_official(catalogue, weights)
    g = diff.groupby("category", sort=False)["weight_diff"]
    return pd.DataFrame({
        "points_moved": g.apply(lambda d: int(d.abs().sum() // 2)),
        "largest_diff": g.apply(lambda d: int(d.abs().max())),
    }).reset_index()


def rebalance(
    weights: pd.Series, catalogue: Catalogue, indicator_id: str, value: int,
    locked: frozenset[str] | set[str] = frozenset(),
) -> pd.Series:
    """Set one weight and share what is left of its category's 100 among the unlocked others,
    in proportion to their current weights (equally if all are 0), as whole numbers (largest
    remainder). The value is clipped to what the locked weights leave. Other categories unchanged."""
    w = weights.reindex(catalogue.indicators.index).astype(int).copy()
    ids = catalogue.indicators_of(catalogue.indicators.at[indicator_id, "category"]).index
    fixed = [i for i in ids if i in locked and i != indicator_id]
    free = [i for i in ids if i not in locked and i != indicator_id]
    room = TOTAL_WEIGHT - int(w[fixed].sum())
    value = int(min(max(int(value), 0), room)) if free else room
    w[indicator_id] = value
    left = room - value
    if free:
        shares = w[free].to_numpy(dtype=float)
        shares = shares if shares.sum() > 0 else np.ones(len(free))
        w[free] = largest_remainder(shares, total=left, tie=catalogue.weights[free].to_numpy()) if left else 0
    return w

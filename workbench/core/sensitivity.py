"""Which weights matter: Sobol indices of the rank shift, and the effect of removing an indicator.

Sobol indices (first-order S and total ST) of Y = the mean absolute rank shift of a draw (over
matters, ranked within category, or over units) with respect to groups of weight multipliers —
each category's weights, each indicator kind, or each indicator alone. The design is Saltelli's
(as COINr uses): two independent sample matrices A and B of multipliers U(−f, f), and for every
group g the matrix A with g's columns taken from B; all N·(G + 2) weight vectors go through the
robustness engine in one batched run. Estimators: Saltelli (2010) for S, Jansen (1999) for ST;
bootstrap intervals resample the N rows (vectorised over replicates).

Because ranks are within a category, the matter-level Y is a sum of one term per category: the
category factors cannot interact, so S = ST for them up to sampling error (a check the tests use).
Unit ranks mix categories, so interactions show up there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.labels import register

from .catalogue import Catalogue
from .robustness import Inputs, build_inputs, nominal, renormalise, run, scores

register({
    "sobol_factor": {"zh": "因素", "en": "Factor"},
    "indicators_count": {"zh": "指标数", "en": "Indicators"},
    "first_low": {"zh": "S 区间下限", "en": "S, interval low"},
    "first_high": {"zh": "S 区间上限", "en": "S, interval high"},
    "total_low": {"zh": "ST 区间下限", "en": "ST, interval low"},
    "total_high": {"zh": "ST 区间上限", "en": "ST, interval high"},
    "matters_without_result": {"zh": "无结果的事项数", "en": "Matters left without a result"},
    "sobol_first": {"zh": "一阶敏感度指数 S", "en": "First-order index S"},
    "removed_indicator": {"zh": "去掉的指标", "en": "Indicator removed"},
    "max_abs_shift": {"zh": "最大排名变动", "en": "Largest rank shift"},
    "matters_moved": {"zh": "排名变动的事项数", "en": "Matters whose rank moves"},
    "band_changes": {"zh": "等次变化的事项数", "en": "Matters changing band"},
})

GROUPINGS = ("category", "kind", "indicator")


def factor_groups(catalogue: Catalogue, by: str = "category") -> dict[str, np.ndarray]:
    """Factor name → indicator columns (catalogue order)."""
    ind = catalogue.indicators
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}")
    key = ind["indicator_id"] if by == "indicator" else ind[by]
    return {str(g): np.flatnonzero((key == g).to_numpy()) for g in pd.unique(key)}


def saltelli_design(base: np.ndarray, cats: np.ndarray, groups: dict[str, np.ndarray], n: int,
                    spread: float, seed: int) -> np.ndarray:
    """Weights for [A; B; A_B(g) for each group], each block n rows, renormalised per category."""
    rng = np.random.default_rng(seed)
    k = base.size
    UA = rng.uniform(-spread, spread, (n, k))
    UB = rng.uniform(-spread, spread, (n, k))
    blocks = [UA, UB]
    for cols in groups.values():
        ab = UA.copy()
        ab[:, cols] = UB[:, cols]
        blocks.append(ab)
    return renormalise(base * (1.0 + np.concatenate(blocks)), cats)


def sobol_estimates(fA: np.ndarray, fB: np.ndarray, fAB: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order (Saltelli 2010) and total (Jansen) indices; fAB is (groups, n); the leading
    axes of fA/fB/fAB may carry bootstrap replicates: (..., n)."""
    var = np.var(np.concatenate([fA, fB], axis=-1), axis=-1)
    var = np.where(var > 0, var, np.nan)
    first = np.mean(fB[..., None, :] * (fAB - fA[..., None, :]), axis=-1) / var[..., None]
    total = 0.5 * np.mean((fA[..., None, :] - fAB) ** 2, axis=-1) / var[..., None]
    return first, total


def sobol_indices(
    detail: pd.DataFrame,
    catalogue: Catalogue,
    by: str = "category",
    level: str = "matter",
    n: int = 256,
    spread: float = 0.2,
    seed: int = 0,
    bootstrap: int = 200,
    baseline: pd.Series | None = None,
    inputs: Inputs | None = None,
) -> pd.DataFrame:
    """S and ST of the mean rank shift per factor group, with 95% bootstrap intervals."""
    inp = inputs or build_inputs(detail, catalogue)
    base = (catalogue.weights if baseline is None else baseline).reindex(inp.indicator_ids).to_numpy(float)
    groups = factor_groups(catalogue, by)
    W = saltelli_design(base, inp.ind_category, groups, n, spread, seed)
    res = run(inp, W, base)
    y = (res.matter_shift if level == "matter" else res.unit_shift).reshape(len(groups) + 2, n)
    fA, fB, fAB = y[0], y[1], y[2:]
    first, total = sobol_estimates(fA, fB, fAB)
    rng = np.random.default_rng(seed + 1)
    idx = rng.integers(0, n, (bootstrap, n))
    bf, bt = sobol_estimates(fA[idx], fB[idx], fAB[:, idx].transpose(1, 0, 2))
    q = lambda a, p: np.nanpercentile(a, p, axis=0)  # noqa: E731
    return pd.DataFrame({
        "sobol_factor": list(groups), "indicators_count": [len(c) for c in groups.values()],
        "sobol_first": first, "first_low": q(bf, 2.5), "first_high": q(bf, 97.5),
        "sobol_total": total, "total_low": q(bt, 2.5), "total_high": q(bt, 97.5),
    })


def removal_impact(
    detail: pd.DataFrame,
    catalogue: Catalogue,
    baseline: pd.Series | None = None,
    inputs: Inputs | None = None,
) -> pd.DataFrame:
    """Per indicator: ranks when it is dropped (its weight 0, its category rescaled to 100)."""
    inp = inputs or build_inputs(detail, catalogue)
    base = (catalogue.weights if baseline is None else baseline).reindex(inp.indicator_ids).to_numpy(float)
    k = base.size
    W = np.tile(base, (k, 1))
    W[np.arange(k), np.arange(k)] = 0.0
    W = renormalise(W, inp.ind_category)
    nom = nominal(inp, base)
    got = scores(inp, W)
    rank0, urank0 = nom["rank"].astype(float), nom["urank"].astype(float)
    rank = np.where(got["rank"] > 0, got["rank"], np.nan)
    shift = np.abs(rank - rank0)
    band0 = _band_index(inp, nom["key"] / 100.0)
    band = _band_index(inp, got["pct"])
    urank = np.where(got["unit_rank"] > 0, got["unit_rank"], np.nan)
    with np.errstate(invalid="ignore"):
        return pd.DataFrame({
            "indicator_id": inp.indicator_ids, "category": inp.ind_category,
            "mean_abs_shift": np.nanmean(np.where(np.isnan(shift), 0, shift), axis=1),
            "max_abs_shift": np.nanmax(np.where(np.isnan(shift), 0, shift), axis=1).astype(int),
            "matters_moved": (shift > 0).sum(axis=1),
            "band_changes": (band != band0).sum(axis=1),
            "matters_without_result": np.isnan(got["pct"]).sum(axis=1),
            "unit_mean_abs_shift": np.nanmean(np.abs(urank - urank0), axis=1),
        }).sort_values("mean_abs_shift", ascending=False, kind="stable").reset_index(drop=True)


def _band_index(inp: Inputs, pct: np.ndarray) -> np.ndarray:
    mins = inp.band_mins / 100.0
    idx = (pct[..., None] < mins).sum(axis=-1)  # 0 = best band
    return np.where(np.isnan(pct), -1, idx)

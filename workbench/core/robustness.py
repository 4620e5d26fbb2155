"""Monte Carlo robustness of completion % and ranks under perturbed weights — vectorised.

Pure core (DESIGN.md §4). ``score_matrices`` turns ``scoring.score_indicators`` output into two
matrices once, and scores a chunk of weight draws by two matrix products, exactly as scoring
would (n/a renormalised in every draw, same rounding, same ranks). This module draws the weights
(a registry of perturbation schemes: uniform ×(1 ± f), Dirichlet around the baseline, or user
scenarios), shares the chunks among threads and accumulates per matter and per unit: nominal,
median and 5–95% rank, mean completion %, chance under 60%, chance of a band change and mean
absolute rank shift; per round the mean shift. Percentiles are ``inverted_cdf`` (a rank that was
actually attained). No Python loop runs over draws.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.labels import register, t

from .catalogue import Catalogue, weights_hash
from .score_matrices import (
    INVALID_KEY,
    Inputs,
    _Buffers,
    build_inputs,
    matter_keys,
    rank_keys,
    scores,
    unit_keys,
)

register({
    "rank_p05": {"zh": "排名第5百分位", "en": "Rank, 5th percentile"},
    "rank_p95": {"zh": "排名第95百分位", "en": "Rank, 95th percentile"},
    "nominal_pct": {"zh": "基准完成百分比", "en": "Nominal completion %"},
    "p_under_60": {"zh": "低于60%的概率", "en": "Chance under 60%"},
    "p_band_change": {"zh": "等次变化的概率", "en": "Chance of band change"},
    "mean_abs_shift": {"zh": "平均排名变动", "en": "Mean absolute rank shift"},
    "mc_draws": {"zh": "抽样次数", "en": "Draws"},
    "mc_scheme": {"zh": "扰动方式", "en": "Perturbation"},
    "mc_spread": {"zh": "扰动幅度", "en": "Spread"},
    "mc_concentration": {"zh": "集中度参数", "en": "Concentration"},
    "mc_seed": {"zh": "随机种子", "en": "Seed"},
    "nominal_band": {"zh": "基准等次", "en": "Nominal band"},
    "mean_pct": {"zh": "平均完成百分比", "en": "Mean completion %"},
    "pct_official": {"zh": "现行权重下完成百分比", "en": "Completion %, official"},
    "pct_scenario": {"zh": "方案下完成百分比", "en": "Completion %, scenario"},
    "rank_official": {"zh": "现行权重下排名", "en": "Rank, official"},
    "rank_scenario": {"zh": "方案下排名", "en": "Rank, scenario"},
    "rank_shift": {"zh": "排名变动(+为上升)", "en": "Rank shift (+ = up)"},
    "unit_mean_abs_shift": {"zh": "单位平均排名变动", "en": "Units: mean rank shift"},
    "scheme_uniform": {"zh": "均匀扰动 ×(1±f)", "en": "uniform ×(1±f)"},
    "scheme_dirichlet": {"zh": "狄利克雷分布(围绕基准)", "en": "Dirichlet around the baseline"},
    "scheme_scenarios": {"zh": "用户方案", "en": "user scenarios"},
    "err_no_complete_matters": {
        "zh": "没有可计算的事项(所有事项均未完成录入)",
        "en": "no complete matters to analyse (every matter has missing entries)",
    },
    "err_unknown_scheme": {"zh": "未知扰动方式 {scheme},可选:{options}",
                           "en": "unknown perturbation {scheme}; valid: {options}"},
})

PERCENTILES = (5, 50, 95)


# ---------------------------------------------------------------------------------------------
# draws (a registry of perturbation schemes)


def _category_matrix(ind_category: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cats, code = np.unique(ind_category, return_inverse=True)
    C = np.zeros((len(ind_category), len(cats)))
    C[np.arange(len(code)), code] = 1.0
    return C, code


def renormalise(W: np.ndarray, ind_category: np.ndarray) -> np.ndarray:
    """Scale each draw's weights so that every category sums to exactly 100 (up to rounding)."""
    C, code = _category_matrix(ind_category)
    sums = W @ C
    return W * (100.0 / np.where(sums > 0, sums, 1.0))[:, code]


def _uniform(base, cats, draws, rng, spread=0.2, **_):
    u = rng.uniform(-spread, spread, size=(draws, base.size))
    return renormalise(base * (1.0 + u), cats)


def _dirichlet(base, cats, draws, rng, concentration=200.0, **_):
    # Per category Dirichlet(concentration × baseline share); zero weights stay zero.
    g = rng.standard_gamma(np.broadcast_to(concentration * base / 100.0, (draws, base.size)))
    return renormalise(g, cats)


PERTURBATIONS: dict[str, Callable[..., np.ndarray]] = {"uniform": _uniform, "dirichlet": _dirichlet}


def draw_weights(
    baseline: pd.Series,
    catalogue: Catalogue,
    scheme: str = "uniform",
    draws: int = 1000,
    seed: int = 0,
    **params: float,
) -> np.ndarray:
    """Draws × indicators (catalogue order); each category sums to 100 in every draw."""
    if scheme not in PERTURBATIONS:
        raise WorkbenchError(t("err_unknown_scheme", scheme=scheme, options=", ".join(PERTURBATIONS)))
    base = baseline.reindex(catalogue.indicators.index).to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    return PERTURBATIONS[scheme](base, catalogue.indicators["category"].to_numpy(), draws, rng, **params)


def scenario_matrix(scenarios: list[pd.Series] | pd.DataFrame, catalogue: Catalogue) -> np.ndarray:
    """User scenarios (weights Series, or a frame with one column per scenario) → draw matrix."""
    frame = scenarios if isinstance(scenarios, pd.DataFrame) else pd.concat(scenarios, axis=1)
    return frame.reindex(catalogue.indicators.index).to_numpy(dtype=float).T.copy()


# ---------------------------------------------------------------------------------------------
# the Monte Carlo run


def _blas_threads(n: int):
    """One BLAS thread per worker thread, where threadpoolctl is installed (else as is)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(n, user_api="blas")


@dataclass
class Robustness:
    """Per matter, per unit and per round results of one run, with what made them."""

    matters: pd.DataFrame
    units: pd.DataFrame
    rounds: pd.DataFrame
    matter_shift: np.ndarray  # (draws,) mean |rank − nominal| over all matters, per draw
    unit_shift: np.ndarray  # (draws,) the same over units
    params: dict = field(default_factory=dict)


def _band_bounds(inp: Inputs, key0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column: the nominal band's [lo, hi) in hundredths (hi = 65535 for the best band)."""
    mins = inp.band_mins
    b = np.searchsorted(-mins, -key0.astype(np.int64), side="left")  # first band with key ≥ min
    b = np.minimum(b, len(mins) - 1)
    lo = mins[b]
    hi = np.where(b == 0, int(INVALID_KEY), mins[np.maximum(b - 1, 0)])
    return lo, hi


def _bands(inp: Inputs, key: np.ndarray) -> np.ndarray:
    b = np.searchsorted(-inp.band_mins, -key.astype(np.int64), side="left")
    names = np.array(inp.band_names + ("",), dtype=object)
    return np.where(key == INVALID_KEY, None, names[np.minimum(b, len(inp.band_names) - 1)])


class _Stats:
    """Accumulates one level's (matters' or units') statistics chunk by chunk."""

    def __init__(self, inp: Inputs, key0: np.ndarray, rank0: np.ndarray, draws: int, threshold: int):
        n = key0.size
        self.rank0 = rank0.astype(inp.rank_dtype)
        self.lo, self.hi = _band_bounds(inp, key0)
        self.threshold = threshold
        self.under = np.zeros(n, dtype=np.int64)
        self.change = np.zeros(n, dtype=np.int64)
        self.valid = np.zeros(n, dtype=np.int64)
        self.key_sum = np.zeros(n, dtype=np.int64)  # integer: the same whatever the chunk order
        self.shift_sum = np.zeros(n, dtype=np.int64)
        self.shift_draw = np.zeros(draws)
        self.ranks = np.empty((n, draws), dtype=np.uint16)

    def add(self, d0: int, key: np.ndarray, rank: np.ndarray) -> None:
        c = key.shape[0]
        # An invalid key (65535) is never under the threshold and always outside the band.
        self.under += np.count_nonzero(key < self.threshold, axis=0)
        self.change += np.count_nonzero(key < self.lo, axis=0) + np.count_nonzero(key >= self.hi, axis=0)
        diff = np.subtract(rank, self.rank0)
        np.abs(diff, out=diff)
        ok = rank > 0
        if ok.all():
            self.valid += c
            self.key_sum += key.sum(axis=0, dtype=np.int64)
            per_draw = diff.sum(axis=1) / key.shape[1]
        else:
            self.valid += ok.sum(axis=0)
            self.key_sum += np.where(ok, key, 0).sum(axis=0, dtype=np.int64)
            diff[~ok] = 0
            per_draw = diff.sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
        self.shift_sum += diff.sum(axis=0)
        self.shift_draw[d0:d0 + c] = per_draw
        self.ranks[:, d0:d0 + c] = rank.T

    def table(self, workers: int = 1) -> dict[str, np.ndarray]:
        draws = self.ranks.shape[1]
        srt = np.empty_like(self.ranks)
        rows = np.array_split(np.arange(self.ranks.shape[0]), max(1, workers))

        def part(r):  # radix sort of 16-bit ranks, rows shared among the workers
            if r.size:
                srt[r[0]:r[-1] + 1] = np.sort(self.ranks[r[0]:r[-1] + 1], axis=1, kind="stable")

        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(part, rows))
        else:
            part(np.arange(self.ranks.shape[0]))
        # Invalid draws carry rank 0 and sort first: skip them, inverted_cdf on the rest.
        skip = draws - self.valid
        out = {}
        for q in PERCENTILES:
            need = (q * self.valid + 99) // 100  # ceil(q% of the valid draws), at least 1
            pos = np.clip(skip + np.maximum(need, 1) - 1, 0, draws - 1)
            out[q] = np.where(self.valid > 0, srt[np.arange(srt.shape[0]), pos], 0)
        valid = np.maximum(self.valid, 1)
        return {
            "median_rank": out[50], "rank_p05": out[5], "rank_p95": out[95],
            "mean_pct": self.key_sum / 100.0 / valid,
            "p_under_60": self.under / valid, "p_band_change": self.change / draws,
            "mean_abs_shift": self.shift_sum / valid,
        }


def nominal(inp: Inputs, baseline: np.ndarray) -> dict[str, np.ndarray]:
    """Keys and ranks under one weight vector (the official set, or a scenario)."""
    W = np.asarray(baseline, dtype=float)[None, :]
    key = matter_keys(inp, W).copy()
    rank = rank_keys(key, inp.groups, np.empty(key.shape, np.int32))
    ukey = unit_keys(inp, key)
    urank = rank_keys(ukey, inp.unit_groups, np.empty(ukey.shape, np.int32))
    return {"key": key[0], "rank": rank[0], "ukey": ukey[0], "urank": urank[0]}


def run(
    inp: Inputs,
    W: np.ndarray,
    baseline: np.ndarray | pd.Series,
    chunk: int = 500,
    threshold: float = 60.0,
    params: dict | None = None,
    workers: int | None = None,
) -> Robustness:
    """Score and rank every draw of ``W`` in chunks of ``chunk`` draws, the chunks shared among
    ``workers`` threads (default: one per core; NumPy releases the GIL), return the statistics."""
    if isinstance(baseline, pd.Series):
        baseline = baseline.reindex(inp.indicator_ids).to_numpy(dtype=float)
    draws = W.shape[0]
    nom = nominal(inp, baseline)
    th = int(round(threshold * 100))
    ms = _Stats(inp, nom["key"], nom["rank"], draws, th)
    us = _Stats(inp, nom["ukey"], nom["urank"], draws, th)
    local, lock = threading.local(), threading.Lock()

    def one(d0: int) -> None:
        if not hasattr(local, "buf"):
            local.buf = _Buffers(min(chunk, draws), inp.n, len(inp.units), inp.rank_dtype)
        buf = local.buf
        key = matter_keys(inp, np.ascontiguousarray(W[d0:d0 + chunk]), buf)
        rank = rank_keys(key, inp.groups, buf.rank, buf)
        ukey = unit_keys(inp, key, buf.ukey)
        urank = rank_keys(ukey, inp.unit_groups, buf.urank, buf)
        with lock:  # integer sums and disjoint slices: the result is the same in any order
            ms.add(d0, key, rank)
            us.add(d0, ukey, urank)

    workers = run_chunks(one, range(0, draws, chunk), workers)
    return _assemble(inp, nom, ms, us, draws, params or {}, workers)


def run_chunks(one, starts: range, workers: int | None = None) -> int:
    """Call ``one(start)`` for every chunk start, shared among ``workers`` threads (default: one
    per core); returns the number of workers used.

    Parallel over chunks, not inside BLAS: products this thin gain little from BLAS threads,
    and spinning BLAS threads lose a lot on a busy machine."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(starts)))
    with _blas_threads(1):
        if workers == 1:
            for d0 in starts:
                one(d0)
        else:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(one, starts))
    return workers


def _assemble(inp, nom, ms: _Stats, us: _Stats, draws: int, params: dict, workers: int = 1) -> Robustness:
    def level(frame: pd.DataFrame, key0, rank0, stats: _Stats) -> pd.DataFrame:
        out = frame.reset_index(drop=True).copy()
        ok = key0 != INVALID_KEY
        out["nominal_pct"] = np.where(ok, key0 / 100.0, np.nan)
        out["nominal_band"] = _bands(inp, key0)
        out["nominal_rank"] = pd.array(np.where(ok, rank0, 0), dtype="Int64").astype("Int64")
        out.loc[~ok, "nominal_rank"] = pd.NA
        for name, values in stats.table(workers).items():
            out[name] = values
        return out

    matters = level(inp.matters, nom["key"], nom["rank"], ms)
    units = level(inp.units, nom["ukey"], nom["urank"], us)
    rounds = pd.DataFrame({
        "round_id": matters["round_id"].unique(),
    })
    rounds["matters"] = rounds["round_id"].map(matters.groupby("round_id").size())
    rounds["units"] = rounds["round_id"].map(units.groupby("round_id").size())
    rounds["mean_abs_shift"] = rounds["round_id"].map(
        matters.groupby("round_id")["mean_abs_shift"].mean())
    rounds["unit_mean_abs_shift"] = rounds["round_id"].map(
        units.groupby("round_id")["mean_abs_shift"].mean())
    rounds["draws"] = draws
    return Robustness(matters, units, rounds, ms.shift_draw, us.shift_draw, dict(params))


def analyse(
    detail: pd.DataFrame,
    catalogue: Catalogue,
    baseline: pd.Series | None = None,
    scheme: str = "uniform",
    draws: int = 1000,
    seed: int = 0,
    scenarios: list[pd.Series] | pd.DataFrame | None = None,
    chunk: int = 500,
    **params: float,
) -> Robustness:
    """One call: build inputs, draw weights (or take ``scenarios``), run."""
    baseline = catalogue.weights if baseline is None else baseline
    inp = build_inputs(detail, catalogue)
    if scenarios is not None:
        W, scheme = scenario_matrix(scenarios, catalogue), "scenarios"
    else:
        W = draw_weights(baseline, catalogue, scheme, draws, seed, **params)


    record = {"scheme": scheme, "draws": int(W.shape[0]), "seed": seed, **params,
              "catalogue_hash": catalogue.hash, "baseline_weights_hash": weights_hash(baseline),
              "software_version": __version__}
    return run(inp, W, baseline, chunk=chunk, params=record)


def compare_weights(inp: Inputs, official: np.ndarray | pd.Series, scenario: np.ndarray | pd.Series
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matters and units under two weight vectors: completion %, rank, rank shift (+ = better)."""
    vec = [w.reindex(inp.indicator_ids).to_numpy(float) if isinstance(w, pd.Series) else np.asarray(w, float)
           for w in (official, scenario)]
    got = scores(inp, np.stack(vec))

    def table(frame, pct, rank):
        out = frame.reset_index(drop=True).copy()
        out["pct_official"], out["pct_scenario"] = pct[0], pct[1]
        r = np.where(rank > 0, rank, np.nan)
        out["rank_official"] = pd.array(r[0], dtype="Float64").astype("Int64")
        out["rank_scenario"] = pd.array(r[1], dtype="Float64").astype("Int64")
        out["rank_shift"] = out["rank_official"] - out["rank_scenario"]
        return out

    return (table(inp.matters, got["pct"], got["rank"]),
            table(inp.units, got["unit_pct"], got["unit_rank"]))

"""Monte Carlo robustness of completion % and ranks under perturbed weights — vectorised.

Pure core (DESIGN.md §4): inputs are ``scoring.score_indicators`` output, so n/a and over-limit
rules are the scoring's own. The matrices are built once:

- ``FA`` (indicators × matters): the fraction earned where the indicator applies, else 0;
- ``A``  (indicators × matters): 1 where the indicator applies to the matter, else 0.

For a draw matrix ``W`` (draws × indicators, each category summing to 100) a chunk of draws is
scored by two matrix products: completion % = 100 · (W @ FA) ÷ (W @ A), so weights renormalise
over what applies in every draw, exactly as in scoring. Ranks, bands and statistics are then
computed for the whole chunk at once (integer keys, radix argsort); no Python loop runs over draws.

Agreement with scoring is exact, to the last bit: completion % is rounded to 2 decimals as
scoring rounds it, and the few values that fall within 1e-6 of a rounding half are recomputed
with the pandas summation (Kahan, in the detail's row order) so that the rounding goes the same
way; a unit's mean is a Kahan sum in the results' order, like ``rank_units``. Percentiles are
``inverted_cdf`` (a rank that was actually attained).
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

from .catalogue import Catalogue
from .kinds import STATUS_NA, STATUS_VALUE
from .labels import register

register({
    "nominal_rank": {"zh": "基准排名", "en": "Nominal rank"},
    "median_rank": {"zh": "排名中位数", "en": "Median rank"},
    "rank_p05": {"zh": "排名第5百分位", "en": "Rank, 5th percentile"},
    "rank_p95": {"zh": "排名第95百分位", "en": "Rank, 95th percentile"},
    "nominal_pct": {"zh": "基准完成百分比", "en": "Nominal completion %"},
    "pct_p05": {"zh": "完成百分比第5百分位", "en": "Completion %, 5th percentile"},
    "pct_p95": {"zh": "完成百分比第95百分位", "en": "Completion %, 95th percentile"},
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

INVALID_KEY = np.uint16(65535)
#: a pre-rounding value this close to a half is recomputed with the scoring's own summation
HALF_GUARD = 1e-6
PERCENTILES = (5, 50, 95)


# ---------------------------------------------------------------------------------------------
# inputs


@dataclass(frozen=True)
class Inputs:
    """Everything a draw needs, built once from ``score_indicators`` output."""

    indicator_ids: np.ndarray  # (k,) catalogue order
    ind_category: np.ndarray  # (k,)
    matters: pd.DataFrame  # engine column order: matter_id, unit_id, category, round_id
    FA: np.ndarray  # (k, n) fraction where applicable, else 0
    A: np.ndarray  # (k, n) 1 where applicable
    groups: tuple[tuple[int, int], ...]  # column blocks ranked together (round × category)
    units: pd.DataFrame  # round_id, unit_id, matters
    unit_members: np.ndarray  # (U, m) matter columns in results order, -1 padding
    unit_groups: tuple[tuple[int, int], ...]  # unit blocks ranked together (round)
    unit_slots: tuple[tuple[int, int, int], ...]  # (slot p, first unit, end): units with a p-th matter
    row_order: np.ndarray  # (n, r) indicator columns in detail row order, -1 padding
    band_mins: np.ndarray  # hundredths, best band first
    band_names: tuple[str, ...]
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n(self) -> int:
        return self.FA.shape[1]


def build_inputs(detail: pd.DataFrame, catalogue: Catalogue) -> Inputs:
    """``detail``: score_indicators output (optionally with ``round_id``; one round if absent).

    Incomplete matters (anything applicable missing) have no result in scoring and are left out
    (listed in ``excluded``)."""
    d = detail.copy()
    if "round_id" not in d:
        d["round_id"] = ""
    ids = catalogue.indicators.index.to_numpy()
    col = {i: j for j, i in enumerate(ids)}
    d["_j"] = d["indicator_id"].map(col)
    st = d["entry_status"]
    d["_applicable"] = st != STATUS_NA
    d["_gap"] = d["_applicable"] & (st != STATUS_VALUE)
    per = d.groupby("matter_id", sort=False).agg(
        unit_id=("unit_id", "first"), category=("category", "first"), round_id=("round_id", "first"),
        gaps=("_gap", "sum"), applicable=("_applicable", "sum"),
    ).reset_index()
    per["_order"] = np.arange(len(per))
    ok = (per["gaps"] == 0) & (per["applicable"] > 0)
    excluded = per.loc[~ok, ["matter_id", "unit_id", "category", "round_id"]].reset_index(drop=True)
    m = per[ok].copy()
    if m.empty:
        from .errors import WorkbenchError
        from .labels import t
        raise WorkbenchError(t("err_no_complete_matters"))
    cat_pos = {c: i for i, c in enumerate(catalogue.categories)}
    m["_cat"] = m["category"].map(cat_pos)
    m = m.sort_values(["round_id", "_cat", "_order"], kind="stable").reset_index(drop=True)
    pos = pd.Series(np.arange(len(m)), index=m["matter_id"])
    d = d[d["matter_id"].isin(pos.index)]
    k, n = len(ids), len(m)
    FA, A = np.zeros((k, n)), np.zeros((k, n))
    mc = pos.reindex(d["matter_id"]).to_numpy()
    app = d["_applicable"].to_numpy()
    A[d["_j"].to_numpy()[app], mc[app]] = 1.0
    FA[d["_j"].to_numpy()[app], mc[app]] = d["fraction"].to_numpy()[app]
    # Row order of each matter's detail rows (for the exact re-sum near a rounding half).
    seq = d.groupby("matter_id", sort=False).cumcount().to_numpy()
    row_order = np.full((n, int(seq.max()) + 1), -1, dtype=np.int64)
    row_order[mc, seq] = d["_j"].to_numpy()
    groups = _blocks(m[["round_id", "category"]])
    # Units: one row per round × unit, ordered by decreasing matter count within the round so
    # that a unit mean sums slot p over a contiguous run of units; matters in results order.
    by_unit = m.sort_values(["round_id", "unit_id", "_order"], kind="stable")
    units = by_unit.groupby(["round_id", "unit_id"], sort=False).size().rename("matters").reset_index()
    units = units.sort_values(["round_id", "matters"], ascending=[True, False], kind="stable")
    units = units.reset_index(drop=True)
    upos = pd.Series(np.arange(len(units)), index=pd.MultiIndex.from_frame(units[["round_id", "unit_id"]]))
    uidx = upos.reindex(pd.MultiIndex.from_frame(by_unit[["round_id", "unit_id"]])).to_numpy()
    slot = by_unit.groupby(["round_id", "unit_id"], sort=False).cumcount().to_numpy()
    members = np.full((len(units), int(slot.max()) + 1), -1, dtype=np.int64)
    members[uidx, slot] = by_unit.index.to_numpy()
    unit_groups = _blocks(units[["round_id"]])
    unit_slots = tuple(
        (p, a, a + int((members[a:b, p] >= 0).sum()))
        for a, b in unit_groups for p in range(members.shape[1]) if members[a, p] >= 0
    )
    bands = catalogue.bands
    return Inputs(
        ids, catalogue.indicators["category"].to_numpy(),
        m[["matter_id", "unit_id", "category", "round_id"]], np.ascontiguousarray(FA), A,
        groups, units, members, unit_groups, unit_slots, row_order,
        np.array([round(lo * 100) for _, _, lo in bands], dtype=np.int64),
        tuple(b for b, _, _ in bands), excluded,
    )


def _blocks(keys: pd.DataFrame) -> tuple[tuple[int, int], ...]:
    change = (keys != keys.shift()).any(axis=1).to_numpy()
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], len(keys))
    return tuple((int(s), int(e)) for s, e in zip(starts, ends))


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
        from .errors import WorkbenchError
        from .labels import t
        raise WorkbenchError(t("err_unknown_scheme", scheme=scheme, options=", ".join(PERTURBATIONS)))
    base = baseline.reindex(catalogue.indicators.index).to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    return PERTURBATIONS[scheme](base, catalogue.indicators["category"].to_numpy(), draws, rng, **params)


def scenario_matrix(scenarios: list[pd.Series] | pd.DataFrame, catalogue: Catalogue) -> np.ndarray:
    """User scenarios (weights Series, or a frame with one column per scenario) → draw matrix."""
    frame = scenarios if isinstance(scenarios, pd.DataFrame) else pd.concat(scenarios, axis=1)
    return frame.reindex(catalogue.indicators.index).to_numpy(dtype=float).T.copy()


# ---------------------------------------------------------------------------------------------
# scoring a chunk of draws


class _Buffers:
    """Reused per-chunk arrays: fresh allocations of tens of MB cost more than the arithmetic."""

    def __init__(self, rows: int, n: int, units: int):
        self.num = np.empty((rows, n))
        self.den = np.empty((rows, n))
        self.key = np.empty((rows, n), dtype=np.uint16)
        self.rank = np.empty((rows, n), dtype=np.int32)
        self.ukey = np.empty((rows, units), dtype=np.uint16)
        self.urank = np.empty((rows, units), dtype=np.int32)
        self._work: dict[str, np.ndarray] = {}

    def work(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        size = int(np.prod(shape))
        a = self._work.get(name)
        if a is None or a.size < size or a.dtype != np.dtype(dtype):
            a = self._work[name] = np.empty(size, dtype=dtype)
        return a[:size].reshape(shape)


def matter_keys(inp: Inputs, W: np.ndarray, buf: _Buffers | None = None) -> np.ndarray:
    """Completion % in hundredths (uint16; INVALID_KEY where nothing applicable has weight)."""
    c = W.shape[0]
    buf = buf or _Buffers(c, inp.n, len(inp.units))
    num, den = buf.num[:c], buf.den[:c]
    np.matmul(W, inp.FA, out=num)
    np.matmul(W, inp.A, out=den)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.multiply(num, 100.0, out=num)  # 100.0 * score / applicable_weight, as scoring
        np.divide(num, den, out=num)
        np.multiply(num, 100.0, out=num)  # then .round(2) = rint(x · 100) / 100
    np.rint(num, out=den)
    np.subtract(num, den, out=num)
    np.abs(num, out=num)
    near = np.flatnonzero(num > 0.5 - HALF_GUARD)  # NaN (no weight) compares False
    key = buf.key[:c]
    bad = ~np.isfinite(den)
    np.copyto(key, den, casting="unsafe", where=~bad)
    key[bad] = INVALID_KEY
    if near.size:
        r, j = np.divmod(near, inp.n)
        key[r, j] = _exact_keys(inp, W, r, j)
    return key


def _kahan(values: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
    """Sum along axis 1 as pandas' groupby sum/mean does (Kahan; skipped entries not added)."""
    s = np.zeros(values.shape[0])
    comp = np.zeros(values.shape[0])
    for p in range(values.shape[1]):
        y = values[:, p] - comp
        t = s + y
        new_comp = t - s - y
        use = np.ones_like(s, dtype=bool) if skip is None else ~skip[:, p]
        s = np.where(use, t, s)
        comp = np.where(use, new_comp, comp)
    return s


def _exact_keys(inp: Inputs, W: np.ndarray, r: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Recompute a few (draw, matter) keys with scoring's own summation, row by row."""
    cols = inp.row_order[j]  # (m, rows)
    pad = cols < 0
    cc = np.where(pad, 0, cols)
    w = W[r[:, None], cc]
    a = inp.A[cc, j[:, None]] > 0
    points = w * inp.FA[cc, j[:, None]]
    score = _kahan(points, skip=pad | ~a)  # n/a points are NaN in scoring: skipped
    aw = _kahan(np.where(a, w, 0.0), skip=pad)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.rint(100.0 * score / aw * 100.0)
    return np.where(np.isfinite(x) & (aw > 0), x, INVALID_KEY).astype(np.uint16)


def unit_keys(inp: Inputs, key: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A unit's completion % (hundredths): the rounded mean of its valid matters' rounded %,
    summed slot by slot with pandas' Kahan summation (as ``rank_units``'s groupby mean)."""
    c, u = key.shape[0], len(inp.units)
    kt = np.ascontiguousarray(key.T)  # rows are matters: slot gathers copy whole rows
    total, comp = np.zeros((u, c)), np.zeros((u, c))
    count = np.zeros((u, c), dtype=np.int64)
    any_invalid = bool((key == INVALID_KEY).any())
    for p, a, b in inp.unit_slots:
        k = kt[inp.unit_members[a:b, p]]
        s, cp = total[a:b], comp[a:b]
        y = np.divide(k, 100.0)
        y -= cp
        t = s + y
        new = t - s
        new -= y
        if any_invalid:
            ok = k != INVALID_KEY
            t, new = np.where(ok, t, s), np.where(ok, new, cp)
            count[a:b] += ok
        else:
            count[a:b] += 1
        s[...], cp[...] = t, new
    with np.errstate(divide="ignore", invalid="ignore"):
        total /= count
        total *= 100.0
        np.rint(total, out=total)
    if any_invalid:
        total[count == 0] = INVALID_KEY
    out = np.empty((c, u), dtype=np.uint16) if out is None else out[:c]
    np.copyto(out, total.T, casting="unsafe")
    return out


def rank_keys(
    key: np.ndarray, blocks: tuple[tuple[int, int], ...], out: np.ndarray, buf: _Buffers | None = None
) -> np.ndarray:
    """Competition ranks (highest first, ties share the best rank) within each column block;
    0 where the key is invalid. Radix argsort of 16-bit keys, run starts by a cumulative max."""
    c = key.shape[0]
    out = out[:c]
    buf = buf or _Buffers(0, 0, 0)
    for s, e in blocks:
        m = e - s
        desc = buf.work("desc", (c, m), np.uint16)
        np.subtract(np.uint16(10000), key[:, s:e], out=desc)  # invalid wraps above every score
        order = np.argsort(desc, axis=1, kind="stable")
        order += (np.arange(c) * m)[:, None]
        flat = order.ravel()
        srt = buf.work("srt", (c, m), np.uint16)
        np.take(desc.ravel(), flat, out=srt.ravel())
        start = buf.work("start", (c, m), np.int32)
        start[:, 0] = 0
        neq = buf.work("neq", (c, m - 1), bool)
        np.not_equal(srt[:, 1:], srt[:, :-1], out=neq)
        np.multiply(neq, np.arange(1, m, dtype=np.int32), out=start[:, 1:])
        np.maximum.accumulate(start, axis=1, out=start)
        start += 1
        tmp = buf.work("scatter", (c, m), np.int32)
        tmp.ravel()[flat] = start.ravel()
        out[:, s:e] = tmp
        if (desc > 10000).any():
            out[:, s:e][key[:, s:e] == INVALID_KEY] = 0
    return out


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
        self.rank0 = rank0.astype(np.int32)
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
        ok = key != INVALID_KEY
        all_ok = bool(ok.all())
        self.valid += ok.sum(axis=0) if not all_ok else c
        self.under += ((key < self.threshold) & ok).sum(axis=0)
        self.change += ((key < self.lo) | (key >= self.hi)).sum(axis=0)
        self.key_sum += (key if all_ok else np.where(ok, key, 0)).sum(axis=0, dtype=np.int64)
        diff = np.abs(rank - self.rank0)
        if not all_ok:
            diff[~ok] = 0
        self.shift_sum += diff.sum(axis=0)
        self.shift_draw[d0:d0 + c] = diff.sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
        self.ranks[:, d0:d0 + c] = rank.T

    def table(self) -> dict[str, np.ndarray]:
        draws = self.ranks.shape[1]
        srt = np.sort(self.ranks, axis=1, kind="stable")  # radix sort on 16-bit ranks
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
            local.buf = _Buffers(min(chunk, draws), inp.n, len(inp.units))
        buf = local.buf
        key = matter_keys(inp, np.ascontiguousarray(W[d0:d0 + chunk]), buf)
        rank = rank_keys(key, inp.groups, buf.rank, buf)
        ukey = unit_keys(inp, key, buf.ukey)
        urank = rank_keys(ukey, inp.unit_groups, buf.urank, buf)
        with lock:  # integer sums and disjoint slices: the result is the same in any order
            ms.add(d0, key, rank)
            us.add(d0, ukey, urank)

    starts = range(0, draws, chunk)
    workers = max(1, min(workers or os.cpu_count() or 1, len(starts)))
    # Parallel over chunks, not inside BLAS: products this thin gain little from BLAS threads,
    # and spinning BLAS threads lose a lot on a busy machine.
    with _blas_threads(1):
        if workers == 1:
            for d0 in starts:
                one(d0)
        else:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(one, starts))
    return _assemble(inp, nom, ms, us, draws, params or {})


def _assemble(inp, nom, ms: _Stats, us: _Stats, draws: int, params: dict) -> Robustness:
    def level(frame: pd.DataFrame, key0, rank0, stats: _Stats) -> pd.DataFrame:
        out = frame.reset_index(drop=True).copy()
        ok = key0 != INVALID_KEY
        out["nominal_pct"] = np.where(ok, key0 / 100.0, np.nan)
        out["nominal_band"] = _bands(inp, key0)
        out["nominal_rank"] = pd.array(np.where(ok, rank0, 0), dtype="Int64").astype("Int64")
        out.loc[~ok, "nominal_rank"] = pd.NA
        for name, values in stats.table().items():
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
              "catalogue_hash": catalogue.hash}
    return run(inp, W, baseline, chunk=chunk, params=record)


def scores(inp: Inputs, W: np.ndarray) -> dict[str, np.ndarray]:
    """Per draw (rows of ``W``): completion % and ranks of matters and units (NaN/0 where a
    matter has no applicable weight). For a few scenarios at a time, e.g. a slider move."""
    W = np.atleast_2d(np.asarray(W, dtype=float))
    buf = _Buffers(W.shape[0], inp.n, len(inp.units))
    key = matter_keys(inp, W, buf)
    rank = rank_keys(key, inp.groups, buf.rank, buf)
    ukey = unit_keys(inp, key, buf.ukey)
    urank = rank_keys(ukey, inp.unit_groups, buf.urank, buf)

    def pct(k):
        return np.where(k == INVALID_KEY, np.nan, k / 100.0)

    return {"pct": pct(key), "rank": rank.copy(), "unit_pct": pct(ukey), "unit_rank": urank.copy()}


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

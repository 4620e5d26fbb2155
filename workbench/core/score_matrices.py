"""Scoring as matrices: many weight vectors at once, to the last bit what ``workbench.scoring``
gives for each.

Built once from ``scoring.score_indicators`` output (so n/a and over-limit rules are the
scoring's own):

- ``FA`` (indicators × matters): the fraction earned where the indicator applies, else 0;
- ``A``  (indicators × matters): 1 where the indicator applies to the matter, else 0.

For a draw matrix ``W`` (draws × indicators, each category summing to 100) completion % is
100 · (W @ FA) ÷ (W @ A): weights renormalise over what applies, in every draw. It is kept as an
integer key in hundredths (the 2-decimal rounding of scoring); values within 1e-6 of a rounding
half are recomputed with pandas' own summation (Kahan, in the detail's row order) so that the
rounding goes the same way; a unit's mean is a Kahan sum in the results' order, as
``rank_units`` does. Ranks (competition, ties share the best) come from a radix argsort of the
16-bit keys within each block of columns ranked together (round × category for matters, round
for units). No Python loop runs over draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.labels import t

from .catalogue import Catalogue
from .kinds import STATUS_NA, STATUS_VALUE

#: what build_inputs needs from score_indicators output (round_id is optional)
DETAIL_COLUMNS = ("matter_id", "unit_id", "category", "indicator_id", "entry_status", "fraction")
INVALID_KEY = np.uint16(65535)
#: a pre-rounding value this close to a half is recomputed with the scoring's own summation
HALF_GUARD = 1e-6


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

    @property
    def rank_dtype(self) -> type:
        """16-bit ranks while every ranked block is small enough: half the memory traffic."""
        largest = max(e - s for s, e in self.groups + self.unit_groups)
        return np.int16 if largest < np.iinfo(np.int16).max else np.int32


def build_inputs(detail: pd.DataFrame, catalogue: Catalogue) -> Inputs:
    """``detail``: score_indicators output (optionally with ``round_id``; one round if absent).

    Incomplete matters (anything applicable missing) have no result in scoring and are left out
    (listed in ``excluded``)."""
    missing = [c for c in DETAIL_COLUMNS if c not in detail]
    if missing:

        raise WorkbenchError(
            f"build_inputs: 缺少列 missing columns {missing}; pass scoring.score_indicators output "
            f"(columns {', '.join(DETAIL_COLUMNS)}, optionally round_id)")
    d = detail.copy()
    if "round_id" not in d:
        d["round_id"] = ""
    ids = catalogue.indicators.index.to_numpy()
    col = {i: j for j, i in enumerate(ids)}
    d["_j"] = d["indicator_id"].map(col)
    st = d["entry_status"]
    d["_applicable"] = st != STATUS_NA
    d["_gap"] = d["_applicable"] & (st != STATUS_VALUE)
    # A matter is keyed with its round: the same matter may be evaluated in two rounds.
    d["_key"] = d["round_id"].astype(str) + "\x1f" + d["matter_id"].astype(str)
    per = d.groupby("_key", sort=False).agg(
        matter_id=("matter_id", "first"), unit_id=("unit_id", "first"), category=("category", "first"),
        round_id=("round_id", "first"), gaps=("_gap", "sum"), applicable=("_applicable", "sum"),
    ).reset_index()
    per["_order"] = np.arange(len(per))
    ok = (per["gaps"] == 0) & (per["applicable"] > 0)
    excluded = per.loc[~ok, ["matter_id", "unit_id", "category", "round_id"]].reset_index(drop=True)
    m = per[ok].copy()
    if m.empty:
        raise WorkbenchError(t("err_no_complete_matters"))
    cat_pos = {c: i for i, c in enumerate(catalogue.categories)}
    m["_cat"] = m["category"].map(cat_pos)
    m = m.sort_values(["round_id", "_cat", "_order"], kind="stable").reset_index(drop=True)
    pos = pd.Series(np.arange(len(m)), index=m["_key"])
    d = d[d["_key"].isin(pos.index)]
    k, n = len(ids), len(m)
    FA, A = np.zeros((k, n)), np.zeros((k, n))
    mc = pos.reindex(d["_key"]).to_numpy()
    app = d["_applicable"].to_numpy()
    A[d["_j"].to_numpy()[app], mc[app]] = 1.0
    FA[d["_j"].to_numpy()[app], mc[app]] = d["fraction"].to_numpy()[app]
    # Row order of each matter's detail rows (for the exact re-sum near a rounding half).
    seq = d.groupby("_key", sort=False).cumcount().to_numpy()
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
# scoring a chunk of draws


class _Buffers:
    """Reused per-chunk arrays: fresh allocations of tens of MB cost more than the arithmetic."""

    def __init__(self, rows: int, n: int, units: int, rank_dtype=np.int32):
        self.num = np.empty((rows, n))
        self.den = np.empty((rows, n))
        self.key = np.empty((rows, n), dtype=np.uint16)
        self.rank = np.empty((rows, n), dtype=rank_dtype)
        self.ukey = np.empty((rows, units), dtype=np.uint16)
        self.urank = np.empty((rows, units), dtype=rank_dtype)
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
    if skip is None:
        for p in range(values.shape[1]):
            y = values[:, p] - comp
            t = s + y
            comp = (t - s) - y
            s = t
        return s
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
    """A unit's completion % (hundredths): the rounded mean of its valid matters' rounded %.

    The sum of integer keys is exact, so the mean's rounding is decided in integers, except where
    the exact mean falls on a half: there the result depends on the float sum, and it is
    recomputed as ``rank_units`` computes it (pandas' Kahan sum of the % values in results order,
    ÷ count, ``round(2)``). Where some matter has no result in a draw, every unit is done so."""
    c, u = key.shape[0], len(inp.units)
    kt = np.ascontiguousarray(key.T)  # rows are matters: slot gathers copy whole rows
    out = np.empty((c, u), dtype=np.uint16) if out is None else out[:c]
    if (kt == INVALID_KEY).any():
        ui, ci = (a.ravel() for a in np.meshgrid(np.arange(u), np.arange(c), indexing="ij"))
        np.copyto(out, _float_unit_keys(inp, kt, ui, ci).reshape(u, c).T, casting="unsafe")
        return out
    total = np.zeros((u, c), dtype=np.int32)
    for p, a, b in inp.unit_slots:
        total[a:b] += kt[inp.unit_members[a:b, p]]
    n = inp.units["matters"].to_numpy(dtype=np.int32)[:, None]
    total *= 2
    tie = total % (2 * n) == n  # exact mean on a half: let the float sum decide, as scoring does
    total += n
    total //= 2 * n
    if tie.any():
        ui, ci = np.nonzero(tie)
        counts = n[ui, 0]
        for m in np.unique(counts):  # same count, same number of Kahan steps, nothing skipped
            sel = counts == m
            vals = kt[inp.unit_members[ui[sel], :m], ci[sel, None]] / 100.0
            total[ui[sel], ci[sel]] = np.rint(_kahan(vals) / m * 100.0)
    np.copyto(out, total.T, casting="unsafe")
    return out


def _float_unit_keys(inp: Inputs, kt: np.ndarray, ui: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """Unit keys for (unit, draw) pairs the way pandas computes the mean, then ``round(2)``."""
    members = inp.unit_members[ui]
    k = kt[np.maximum(members, 0), ci[:, None]]
    skip = (members < 0) | (k == INVALID_KEY)
    total = _kahan(k / 100.0, skip)
    count = (~skip).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.rint(total / count * 100.0)
    return np.where(count > 0, x, INVALID_KEY)


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
        start = buf.work("start", (c, m), out.dtype)  # 1-based position where each run starts
        start[:, 0] = 1
        neq = buf.work("neq", (c, m - 1), bool)
        np.not_equal(srt[:, 1:], srt[:, :-1], out=neq)
        np.multiply(neq, np.arange(2, m + 1, dtype=out.dtype), out=start[:, 1:])
        np.maximum.accumulate(start, axis=1, out=start)
        tmp = buf.work("scatter", (c, m), out.dtype)
        tmp.ravel()[flat] = start.ravel()
        out[:, s:e] = tmp
        if (desc > 10000).any():
            out[:, s:e][key[:, s:e] == INVALID_KEY] = 0
    return out


def scores(inp: Inputs, W: np.ndarray) -> dict[str, np.ndarray]:
    """Per draw (rows of ``W``): completion % and ranks of matters and units (NaN/0 where a
    matter has no applicable weight). For a few scenarios at a time, e.g. a slider move."""
    W = np.atleast_2d(np.asarray(W, dtype=float))
    buf = _Buffers(W.shape[0], inp.n, len(inp.units), inp.rank_dtype)
    key = matter_keys(inp, W, buf)
    rank = rank_keys(key, inp.groups, buf.rank, buf)
    ukey = unit_keys(inp, key, buf.ukey)
    urank = rank_keys(ukey, inp.unit_groups, buf.urank, buf)

    def pct(k):
        return np.where(k == INVALID_KEY, np.nan, k / 100.0)

    return {"pct": pct(key), "rank": rank.copy(), "unit_pct": pct(ukey), "unit_rank": urank.copy()}

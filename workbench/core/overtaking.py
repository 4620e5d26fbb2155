"""Can B outscore A for some weights within the bounds? Solved, not sampled.

The feasible weights: each weight within [w₀(1−f), w₀(1+f)] (never below 0) and each category's
weights summing to exactly 100 — a box cut by one hyperplane per category. A linear function is
maximised over that set exactly by a greedy fill (a fractional knapsack): start every weight at
its lower bound, then give the remaining points to the largest coefficients first, each up to its
upper bound. ``_lmo`` does that for many pairs at once.

What is exact, and why:

- **Linear cases (exact).** A matter's completion % is p(w)/q(w), p = Σ wᵢfᵢ and q = Σ wᵢ over
  what applies. Where everything applies, q = 100 (the category's sum), so completion % is linear
  in w; a unit's mean of such matters is linear too. Where the matters compared share one category
  and one applicable set (n/a alike), q is common, and sign(p_B/q − p_A/q) = sign(p_B − p_A):
  linear again. Then "can B overtake A" is max (c·w) > 0, exact, and the smallest uniform spread
  f* at which B overtakes has a closed form: the greedy solution moves along w₀ + f·d with a
  fixed direction d (budget and capacities both scale with f), so the best difference is
  g(f) = c·w₀ + f·(c·d), and f* = −c·w₀ ÷ (c·d) — provided g(1) > 0: overtaking is strict, so a
  pair whose best at f = 1 is exactly 0 (the weights that would let B pass only reach 0 there)
  only ever ties and has no smallest spread (inf, shown as "never").
- **Ratio cases (exact when certified).** Otherwise the difference is a sum of ratios (for two
  matters, sign(p_B q_A − p_A q_B): bilinear, not linear). Two certificates are exact: a
  *witness* — a feasible weight vector where B is ahead (the baseline, or a point or vertex of a
  Frank–Wolfe ascent with the greedy step) — proves "yes". An upper bound on max D that is ≤ 0
  proves "no"; two are used: *separated ranges* (B's best possible result, each matter's max an
  exact linear-fractional programme solved by Dinkelbach's method with the greedy step, not above
  A's worst) and a *chord bound* (each ratio written as its value θ at a reference point plus
  (p − θq)/q, the 1/q factor bounded by its extremes and the resulting convex function of
  p − θq by its chord — a linear function of the shared weights, maximised exactly; see
  ``_Pairs.chord_bound``). Pairs left open are settled by branch and bound
  (``_branch_and_bound``): the feasible set is halved along its widest weight — each part is
  again a box cut by the category sums, so the same greedy step, witnesses and chord bound (which
  tightens as the part shrinks) apply — until every part has a witness or a bound ≤ 0. A pair
  still open after 16 halvings is reported "no" with ``exact`` False (method ``search``): no
  weights were found, strong evidence but not a proof. The tests count how often that happens.

``overtake_method`` names the certificate that settled each pair (``METHODS``): ``linear`` (the
greedy LP, yes or no), ``witness`` (a "yes": weights with B ahead, returned on request with
``witness=True``), and for a ratio pair's "no" the first bound that proved it — ``ranges``
(separated ranges: B's best ≤ A's worst), ``chord`` (the chord bound) or ``branch`` (branch and
bound) — or ``search`` (not a proof). ``labelled`` shows them, and an infinite smallest spread,
in words.

Results compare exact completion % (before the 2-decimal rounding of the official table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.labels import register, t

from .catalogue import Catalogue
from .robustness import Inputs, build_inputs

register({
    "ahead_pct": {"zh": "领先方基准完成百分比", "en": "Ahead: nominal %"},
    "behind_pct": {"zh": "追赶方基准完成百分比", "en": "Behind: nominal %"},
    "overtake_exact": {"zh": "精确结论", "en": "Exact"},
    "overtake_method": {"zh": "求解方法", "en": "Method"},
    "min_spread": {"zh": "反超所需最小扰动幅度", "en": "Smallest spread to overtake"},
    "method_linear": {"zh": "线性规划(精确)", "en": "linear programme (exact)"},
    "method_witness": {"zh": "找到反超权重(精确)", "en": "witness weights (exact)"},
    "method_ranges": {"zh": "区间不相交(精确)", "en": "separated ranges (exact)"},
    "method_chord": {"zh": "弦上界(精确)", "en": "chord bound (exact)"},
    "method_branch": {"zh": "分支定界(精确)", "en": "branch and bound (exact)"},
    "method_search": {"zh": "数值搜索(非精确)", "en": "numerical search (not a proof)"},
    "spread_never": {"zh": "无法反超", "en": "never"},
    "witness": {"zh": "反超权重", "en": "Witness weights"},
    "overtaking_summary": {
        "zh": "在 ±{spread:.0%} 的权重范围内,{safe} 对排名无论权重如何都不会反转,{open} 对可能反转",
        "en": "within ±{spread:.0%} weights, {safe} pairs keep their order whatever the weights; "
              "{open} pairs can swap",
    },
})

TOL = 1e-12
FW_STEPS = 40


def bounds(baseline: np.ndarray, spread: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Per-weight bounds for a uniform relative spread (scalar, or one per pair)."""
    f = np.asarray(spread, dtype=float)[..., None] if np.ndim(spread) else float(spread)
    return np.maximum(baseline * (1 - f), 0.0), baseline * (1 + f)


def _lmo(C: np.ndarray, lo: np.ndarray, hi: np.ndarray, cats: list[np.ndarray]) -> np.ndarray:
    """argmax over feasible w of C·w, row by row: the greedy fill per category (exact)."""
    lo, hi = np.broadcast_to(lo, C.shape), np.broadcast_to(hi, C.shape)
    W = np.empty_like(C)
    for idx in cats:
        c, low, cap = C[:, idx], lo[:, idx], hi[:, idx] - lo[:, idx]
        budget = 100.0 - low.sum(axis=1, keepdims=True)
        order = np.argsort(-c, axis=1, kind="stable")
        cap_sorted = np.take_along_axis(cap, order, axis=1)
        before = np.cumsum(cap_sorted, axis=1) - cap_sorted
        alloc = np.clip(budget - before, 0.0, cap_sorted)
        w = low.copy()
        np.put_along_axis(w, order, np.take_along_axis(low, order, axis=1) + alloc, axis=1)
        W[:, idx] = w
    return W


class _Pairs:
    """Pairs as signed sums of matter terms: D(w) = Σₜ αₜ pₜ(w)/qₜ(w) (B minus A)."""

    def __init__(self, inp: Inputs, terms: np.ndarray, alpha: np.ndarray):
        self.F = inp.FA.T[terms]  # (P, T, k)
        self.A = inp.A.T[terms]
        self.alpha = alpha  # (P, T); 0 pads

    def parts(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = np.einsum("ptk,pk->pt", self.F, W)
        q = np.einsum("ptk,pk->pt", self.A, W)
        return p, np.where(q > 0, q, 1.0)

    def value(self, W: np.ndarray) -> np.ndarray:
        p, q = self.parts(W)
        return (self.alpha * p / q).sum(axis=1)

    def grad(self, W: np.ndarray) -> np.ndarray:
        p, q = self.parts(W)
        coef = self.alpha / q
        return np.einsum("pt,ptk->pk", coef, self.F) - np.einsum("pt,ptk->pk", coef * p / q, self.A)

    def _term_lmo(self, C, lo, hi, cats) -> np.ndarray:
        P, T, k = C.shape
        rep = (lambda b: np.repeat(np.broadcast_to(b, (P, k)), T, axis=0))  # noqa: E731
        return _lmo(C.reshape(P * T, k), rep(lo), rep(hi), cats).reshape(P, T, k)

    def chord_bound(self, lo, hi, cats, W: np.ndarray) -> np.ndarray:
        """A valid upper bound on max D, linear in w and so maximised exactly.

        With θₜ each ratio's value at ``W``: αₜ pₜ/qₜ = αₜθₜ + αₜxₜ/qₜ, xₜ = pₜ − θₜqₜ (linear in
        w). For q in [q_min, q_max], αx/q ≤ g(x) = max(αx/q_min, αx/q_max), convex in x; over the
        range [x_lo, x_hi] that x takes on the feasible set, g lies under its chord. Summing the
        chords gives a linear function of the shared weights that is ≥ D everywhere feasible. Its
        slack is second-order (x range × relative q range), so it is tight near ``W``."""
        p, q = self.parts(W)
        theta = p / q
        X = self.F - theta[..., None] * self.A

        x_hi = np.einsum("ptk,ptk->pt", X, self._term_lmo(X, lo, hi, cats))
        x_lo = np.einsum("ptk,ptk->pt", X, self._term_lmo(-X, lo, hi, cats))
        q_max = np.einsum("ptk,ptk->pt", self.A, self._term_lmo(self.A, lo, hi, cats))
        q_min = np.einsum("ptk,ptk->pt", self.A, self._term_lmo(-self.A, lo, hi, cats))
        q_min, q_max = np.where(q_min > 0, q_min, 1.0), np.where(q_max > 0, q_max, 1.0)
        a = self.alpha

        def g(x):
            return np.maximum(a * x / q_min, a * x / q_max)

        width = x_hi - x_lo
        slope = np.where(width > 1e-15, (g(x_hi) - g(x_lo)) / np.where(width > 1e-15, width, 1), 0.0)
        const = (a * theta + g(x_lo) - slope * x_lo).sum(axis=1)
        C = np.einsum("pt,ptk->pk", slope, X)
        return const + (C * _lmo(C, lo, hi, cats)).sum(axis=1)

    def pct_range(self, lo, hi, cats, W0) -> tuple[np.ndarray, np.ndarray]:
        """Min and max of each term's p/q over the feasible set (Dinkelbach with the greedy step).

        Returned as guaranteed bounds: with G(t) = max ±(p − t q) (exact, greedy), every feasible
        ratio lies within t ± max(G, 0)/q_min — which is t itself once the iteration has converged
        (it does in a few steps: the optimum is a vertex)."""
        q_min = np.einsum("ptk,ptk->pt", self.A, self._term_lmo(-self.A, lo, hi, cats))
        q_min = np.where(q_min > 0, q_min, np.inf)
        out = []
        for sign in (1.0, -1.0):
            p, q = self.parts(W0)
            t = p / q
            for _ in range(50):
                C = sign * (self.F - t[..., None] * self.A)  # maximise ±(p − t q)
                W = self._term_lmo(C, lo, hi, cats)
                gap = np.einsum("ptk,ptk->pt", C, W)
                pn = np.einsum("ptk,ptk->pt", self.F, W)
                qn = np.einsum("ptk,ptk->pt", self.A, W)
                tn = pn / np.where(qn > 0, qn, 1.0)
                if (sign * (tn - t) <= TOL).all():
                    break
                t = np.where(sign * (tn - t) > TOL, tn, t)
            out.append(t + sign * np.maximum(gap, 0.0) / q_min)
        return out[1], out[0]


#: how each answer was reached: the certificate of a "yes" (a witness) or of a "no"
METHODS = ("linear", "witness", "ranges", "chord", "branch", "search")


def decide(inp: Inputs, terms, alpha, linear_c, baseline, spread, cats, depth: int | None = None
           ) -> tuple[pd.DataFrame, np.ndarray]:
    """Can B overtake A (D > 0 somewhere feasible)? Per pair: answer, exactness and the method
    that settled it (``METHODS``); and per pair a witness — feasible weights with B strictly ahead
    (NaN rows where the answer is no).

    A linear pair is settled by the greedy LP ("linear"). A ratio pair's "yes" is a witness;
    its "no" is credited to the first certificate that proves it: separated ranges ("ranges",
    B's best ≤ A's worst), else the chord bound ("chord", at the baseline or the ascent's end),
    else branch and bound ("branch"); "search" when none did (not a proof)."""
    P = len(terms)
    lo, hi = bounds(baseline, spread)
    can = np.zeros(P, dtype=bool)
    method = np.full(P, "search", dtype=object)
    witness = np.full((P, baseline.size), np.nan)
    lin = ~np.isnan(linear_c).any(axis=1)
    if lin.any():
        C = linear_c[lin]
        W = _lmo(C, lo if np.ndim(lo) == 1 else lo[lin], hi if np.ndim(hi) == 1 else hi[lin], cats)
        can[lin] = (C * W).sum(axis=1) > TOL
        method[lin] = "linear"
        witness[np.flatnonzero(lin)[can[lin]]] = W[can[lin]]
    rest = np.flatnonzero(~lin)
    if rest.size:
        pr = _Pairs(inp, terms[rest], alpha[rest])
        lo_r = lo if np.ndim(lo) == 1 else lo[rest]
        hi_r = hi if np.ndim(hi) == 1 else hi[rest]
        W0 = np.broadcast_to(baseline, (rest.size, baseline.size)).copy()
        best, arg = pr.value(W0), W0.copy()
        pmin, pmax = pr.pct_range(lo_r, hi_r, cats, W0)
        a = pr.alpha
        ranges = (np.where(a > 0, a * pmax, a * pmin)).sum(axis=1)  # B's best − A's worst, or above
        chord = pr.chord_bound(lo_r, hi_r, cats, W0)
        W = W0
        for step in range(FW_STEPS):
            if (best > TOL).all():
                break
            S = _lmo(pr.grad(W), lo_r, hi_r, cats)
            W = W + 2.0 / (step + 2.0) * (S - W)
            for cand in (S, W):  # every vertex and point visited is a candidate witness
                v = pr.value(cand)
                better = v > best
                best, arg[better] = np.where(better, v, best), cand[better]
        yes = best > TOL
        if (~yes & (ranges > TOL) & (chord > TOL)).any():  # a second chord, tight at the ascent's end
            chord = np.minimum(chord, pr.chord_bound(lo_r, hi_r, cats, W))
        by_ranges = ~yes & (ranges <= TOL)
        by_chord = ~yes & ~by_ranges & (chord <= TOL)
        open_ = np.flatnonzero(~yes & ~by_ranges & ~by_chord)
        by_branch = np.zeros(rest.size, dtype=bool)
        if open_.size:  # split the feasible set until each part has a witness or a bound ≤ 0
            y2, n2, w2 = _branch_and_bound(inp, terms[rest[open_]], alpha[rest[open_]],
                                           lo_r if np.ndim(lo_r) == 1 else lo_r[open_],
                                           hi_r if np.ndim(hi_r) == 1 else hi_r[open_], cats,
                                           depth or BB_DEPTH)
            yes[open_], by_branch[open_] = y2, n2
            arg[open_[y2]] = w2[y2]
        can[rest] = yes
        witness[rest[yes]] = arg[yes]
        method[rest] = np.select([yes, by_ranges, by_chord, by_branch],
                                 ["witness", "ranges", "chord", "branch"], "search")
    frame = pd.DataFrame({"can_overtake": can, "overtake_method": method,
                          "overtake_exact": method != "search"})
    return frame, witness


BB_DEPTH, BB_LEAVES = 16, 40_000


def _centre(lo: np.ndarray, hi: np.ndarray, cats: list[np.ndarray]) -> np.ndarray:
    """A feasible point inside each part: every weight at the same fraction of its range."""
    W = lo.copy()
    for idx in cats:
        room = (hi[:, idx] - lo[:, idx]).sum(axis=1, keepdims=True)
        need = 100.0 - lo[:, idx].sum(axis=1, keepdims=True)
        W[:, idx] += (hi[:, idx] - lo[:, idx]) * np.where(room > 0, need / np.where(room > 0, room, 1), 0)
    return W


def _branch_and_bound(inp, terms, alpha, lo, hi, cats, depth: int = 16
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact yes/no for ratio pairs the first pass left open, by bisecting the feasible set.

    Each part is again a box cut by the category sums, so the greedy step, the witnesses (the
    part's centre and the greedy vertex of the gradient there) and the chord bound (which tightens
    as the part shrinks) all apply unchanged. A pair is "yes" when a part holds a witness, "no"
    when every part's bound is ≤ 0; parts are split on their widest relevant weight. Pairs still
    open after ``BB_DEPTH`` halvings (or ``BB_LEAVES`` parts) stay undecided. Returns yes, no
    and a witness per "yes" pair (NaN rows elsewhere)."""
    P, k = len(terms), inp.FA.shape[0]
    lo = np.broadcast_to(lo, (P, k)).copy()
    hi = np.broadcast_to(hi, (P, k)).copy()
    touched = inp.A.T[terms].any(axis=1)  # (P, k): indicators applicable to some term
    relevant = np.zeros((P, k), dtype=bool)
    for idx in cats:
        relevant[:, idx] = touched[:, idx].any(axis=1, keepdims=True)
    owner = np.arange(P)
    yes = np.zeros(P, dtype=bool)
    witness = np.full((P, k), np.nan)
    for _ in range(depth):
        feasible = np.ones(owner.size, dtype=bool)
        for idx in cats:
            feasible &= (lo[:, idx].sum(axis=1) <= 100 + 1e-9) & (hi[:, idx].sum(axis=1) >= 100 - 1e-9)
        owner, lo, hi = owner[feasible], lo[feasible], hi[feasible]
        if owner.size == 0:
            break
        pr = _Pairs(inp, terms[owner], alpha[owner])
        C = _centre(lo, hi, cats)
        S = _lmo(pr.grad(C), lo, hi, cats)
        vc, vs = pr.value(C), pr.value(S)
        found = np.maximum(vc, vs) > TOL
        witness[owner[found]] = np.where((vs > vc)[:, None], S, C)[found]
        yes[owner[found]] = True
        keep = ~yes[owner] & (pr.chord_bound(lo, hi, cats, C) > TOL)
        owner, lo, hi = owner[keep], lo[keep], hi[keep]
        if owner.size == 0 or 2 * owner.size > BB_LEAVES:
            break
        r = np.arange(owner.size)
        j = np.argmax((hi - lo) * relevant[owner], axis=1)
        mid = (lo[r, j] + hi[r, j]) / 2
        lo2, hi1 = lo.copy(), hi.copy()
        hi1[r, j], lo2[r, j] = mid, mid
        owner, lo, hi = np.concatenate([owner, owner]), np.concatenate([lo, lo2]), np.concatenate([hi1, hi])
    no = ~yes & ~np.isin(np.arange(P), owner)
    return yes, no, witness


def _linear_coefficients(inp: Inputs, terms: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Per pair, c with sign(D) = sign(c·w) where D is linear in that sense; NaN rows elsewhere."""
    F, A = inp.FA.T[terms], inp.A.T[terms]  # (P, T, k)
    used = alpha != 0
    cat_code = pd.factorize(inp.ind_category)[0]
    full = np.ones(terms.shape, dtype=bool)
    for c in np.unique(cat_code):
        in_cat = cat_code == c
        touches = A[:, :, in_cat].any(axis=2)
        full &= ~touches | A[:, :, in_cat].all(axis=2)
    all_full = (full | ~used).all(axis=1)
    same = ((A == A[:, :1]).all(axis=2) | ~used).all(axis=1)
    c_full = np.einsum("pt,ptk->pk", alpha, F) / 100.0
    out = np.where(all_full[:, None], c_full, np.nan)
    return np.where((same & ~all_full)[:, None], np.einsum("pt,ptk->pk", alpha, F), out)


def _min_spread(inp, terms, alpha, linear_c, baseline, spread, cats, decided: pd.DataFrame) -> np.ndarray:
    """Smallest uniform spread f ∈ [0, 1] beyond which B overtakes A — B strictly ahead for some
    weights at every spread above f (inf if none up to ±100%). Closed form for linear pairs; for
    ratio pairs a bisection on the decision, to 1e-6 of the range, erring high where a shallow
    branch and bound leaves a step open.

    A pair whose best at f = 1 is a tie (the weights that would let B pass reach 0 only there)
    has none: at f = 1 it does not overtake, and beyond f = 1 the lower bounds stay at 0."""
    P = len(terms)
    out = np.full(P, np.inf)
    lin = ~np.isnan(linear_c).any(axis=1)
    if lin.any():
        C = linear_c[lin]
        d = _lmo(C, 0.0, 2.0 * baseline, cats) - baseline  # direction of the greedy optimum
        g0, slope = C @ baseline, (C * d).sum(axis=1)
        # g(f) = g0 + f·slope on [0, 1]; B overtakes somewhere in it only if g(1) > 0 strictly,
        # and then −g0/slope < 1 (a best of exactly 0 at f = 1 is a tie, not an overtake)
        ahead_now, ahead_at_1 = g0 > TOL, g0 + slope > TOL
        f = np.where(ahead_now, 0.0, -g0 / np.where(ahead_at_1 & ~ahead_now, slope, 1.0))
        out[lin] = np.where(ahead_now | ahead_at_1, np.clip(f, 0.0, 1.0), np.inf)
    rest = np.flatnonzero(~lin & decided["can_overtake"].to_numpy())
    if rest.size:
        ahead_now = _Pairs(inp, terms[rest], alpha[rest]).value(
            np.broadcast_to(baseline, (rest.size, baseline.size)).copy()) > TOL
        out[rest[ahead_now]] = 0.0
        rest = rest[~ahead_now]
    top = min(float(spread), 1.0)
    if rest.size and spread > 1.0:  # a yes beyond ±100% says nothing about f ≤ 1: decide at 1
        at_1, _ = decide(inp, terms[rest], alpha[rest], linear_c[rest], baseline, 1.0, cats)
        rest = rest[at_1["can_overtake"].to_numpy()]
    if rest.size:  # bisection on the decision, from a spread known to overtake (inner B&B shallow)
        lo_f, hi_f = np.zeros(rest.size), np.full(rest.size, top)
        for _ in range(20):
            mid = (lo_f + hi_f) / 2
            ok, _ = decide(inp, terms[rest], alpha[rest], linear_c[rest], baseline, mid, cats, depth=6)
            yes = ok["can_overtake"].to_numpy()
            hi_f, lo_f = np.where(yes, mid, hi_f), np.where(yes, lo_f, mid)
        out[rest] = hi_f
    return out


def _cats(inp: Inputs) -> list[np.ndarray]:
    return [np.flatnonzero(inp.ind_category == c) for c in pd.unique(inp.ind_category)]


def _solve(inp, terms, alpha, baseline, spread, smallest: bool, witness: bool = False,
           batch: int = 20_000) -> pd.DataFrame:
    """Decide (and find the smallest spread for) pairs in batches, to bound memory."""
    cats = _cats(inp)
    out = []
    for s in range(0, len(terms), batch):
        t, a = terms[s:s + batch], alpha[s:s + batch]
        linear_c = _linear_coefficients(inp, t, a)
        res, wit = decide(inp, t, a, linear_c, baseline, spread, cats)
        if smallest:
            res["min_spread"] = _min_spread(inp, t, a, linear_c, baseline, spread, cats, res)
        if witness:
            res["witness"] = [pd.Series(w, index=inp.indicator_ids) if ok else None
                              for w, ok in zip(wit, res["can_overtake"])]
        out.append(res)
    return pd.concat(out, ignore_index=True)


def _nominal_pct(inp: Inputs, baseline: np.ndarray) -> np.ndarray:
    q = baseline @ inp.A
    return 100.0 * (baseline @ inp.FA) / np.where(q > 0, q, np.nan)


def _prepare(detail: pd.DataFrame, catalogue: Catalogue, baseline: pd.Series | None,
             inputs: Inputs | None) -> tuple[Inputs, np.ndarray, np.ndarray]:
    """The matrices, the baseline weights in their column order, and each matter's nominal %."""
    inp = inputs or build_inputs(detail, catalogue)
    w0 = (catalogue.weights if baseline is None else baseline).reindex(inp.indicator_ids).to_numpy(float)
    return inp, w0, _nominal_pct(inp, w0)


def unit_pairs(
    detail: pd.DataFrame, catalogue: Catalogue, spread: float = 0.2,
    baseline: pd.Series | None = None, smallest: bool = True, inputs: Inputs | None = None,
    witness: bool = False,
) -> pd.DataFrame:
    """Every ordered pair of units of a round: can ``behind`` outscore ``ahead``?

    Columns: the pair and its nominal %, ``can_overtake``, ``overtake_method`` (``METHODS``),
    ``overtake_exact``, with ``smallest`` the ``min_spread`` (inf: never within ±100%), with
    ``witness`` per "yes" the weights (a Series by indicator) under which ``behind`` is ahead."""
    inp, w0, pct = _prepare(detail, catalogue, baseline, inputs)
    mem = inp.unit_members
    unit_pct = np.array([pct[r[r >= 0]].mean() for r in mem])
    rows, terms, alpha = [], [], []
    width = 2 * mem.shape[1]
    for s, e in inp.unit_groups:
        for i in range(s, e):
            for j in range(s, e):
                if i == j:
                    continue
                a, b = mem[i][mem[i] >= 0], mem[j][mem[j] >= 0]
                t = np.zeros(width, dtype=np.int64)
                al = np.zeros(width)
                t[: b.size], al[: b.size] = b, 1.0 / b.size
                t[b.size:b.size + a.size], al[b.size:b.size + a.size] = a, -1.0 / a.size
                terms.append(t)
                alpha.append(al)
                rows.append((inp.units.at[i, "round_id"], inp.units.at[i, "unit_id"],
                             inp.units.at[j, "unit_id"], unit_pct[i], unit_pct[j]))
    table = pd.DataFrame(rows, columns=["round_id", "ahead", "behind", "ahead_pct", "behind_pct"])
    if table.empty:
        return table
    res = _solve(inp, np.array(terms), np.array(alpha), w0, spread, smallest, witness)
    return pd.concat([table, res], axis=1)


def matter_pairs(
    detail: pd.DataFrame, catalogue: Catalogue, spread: float = 0.2,
    baseline: pd.Series | None = None, smallest: bool = True, inputs: Inputs | None = None,
    witness: bool = False,
) -> pd.DataFrame:
    """Every ordered pair of matters of one round and category: can ``behind`` outscore ``ahead``?
    Columns as ``unit_pairs``."""
    inp, w0, pct = _prepare(detail, catalogue, baseline, inputs)
    frames = []
    for s, e in inp.groups:
        idx = np.arange(s, e)
        i, j = np.meshgrid(idx, idx, indexing="ij")
        keep = i != j
        i, j = i[keep], j[keep]
        if i.size == 0:
            continue
        m = inp.matters
        table = pd.DataFrame({
            "round_id": m["round_id"].to_numpy()[i], "category": m["category"].to_numpy()[i],
            "ahead": m["matter_id"].to_numpy()[i], "behind": m["matter_id"].to_numpy()[j],
            "ahead_pct": pct[i], "behind_pct": pct[j],
        })
        res = _solve(inp, np.stack([j, i], axis=1), np.tile([1.0, -1.0], (i.size, 1)), w0, spread,
                     smallest, witness)
        frames.append(pd.concat([table, res], axis=1))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def overtaking_matrix(pairs: pd.DataFrame) -> pd.DataFrame:
    """Rows: ahead; columns: behind; True where the column can outscore the row."""
    return pairs.pivot(index="ahead", columns="behind", values="can_overtake")


def safe_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs where the one ahead at the official weights stays ahead whatever the weights."""
    ahead = pairs["ahead_pct"] > pairs["behind_pct"]
    return pairs[ahead & ~pairs["can_overtake"]]


def labelled(pairs: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """For display: each method as the certificate's name, an infinite smallest spread as
    "never" (the others as a percentage), witness weights left out."""
    out = pairs.drop(columns=["witness"], errors="ignore").copy()
    if "overtake_method" in out:
        out["overtake_method"] = [t(f"method_{m}", lang) for m in out["overtake_method"]]
    if "min_spread" in out:
        out["min_spread"] = [t("spread_never", lang) if np.isinf(v) else f"{v:.2%}" for v in out["min_spread"]]
    return out

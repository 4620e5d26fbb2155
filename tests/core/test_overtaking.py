"""Exact overtaking answers against brute force over a fine grid of feasible weights."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from workbench.core import overtaking as ov
from workbench.core.robustness import build_inputs
from workbench.scoring import aggregate_matters, rank_units, score_indicators


def abolition_case(catalogue, seed: int, n: int = 6, units: int = 3, na: float = 0.25):
    """Matters of the 5-indicator abolition category only: the grid below is then exhaustive."""
    rng = np.random.default_rng(seed)
    ids = catalogue.indicators_of("abolish").index
    matters = pd.DataFrame({"matter_id": [f"M{i}" for i in range(n)],
                            "unit_id": [f"U{i % units}" for i in range(n)], "category": "abolish"})
    rows = []
    for m in matters["matter_id"]:
        for i in ids:
            kind = catalogue.indicators.at[i, "kind"]
            r = rng.choice(["完全落实", "基本落实", "部分落实", "未落实"]) if kind == "graded" else \
                f"{rng.uniform(0.3, 1.0):.2f}" if kind == "ratio" else rng.choice(["是", "否"])
            rows.append({"matter_id": m, "indicator_id": i,
                         "result": "不适用" if rng.random() < na and i != ids[0] else r})
    return score_indicators(matters, pd.DataFrame(rows), catalogue)


def grid(w0: np.ndarray, spread: float, steps: int = 9) -> np.ndarray:
    """Feasible weights on a grid that contains every vertex: 4 coordinates on a grid between
    their bounds (ends included), the 5th from the sum of 100 when within its bounds."""
    lo, hi = w0 * (1 - spread), w0 * (1 + spread)
    axes = [np.linspace(lo[i], hi[i], steps) for i in range(5)]
    pts = []
    for free in range(5):
        others = [i for i in range(5) if i != free]
        g = np.array(list(itertools.product(*[axes[i] for i in others])))
        w = np.empty((len(g), 5))
        w[:, others] = g
        w[:, free] = 100 - g.sum(axis=1)
        ok = (w[:, free] >= lo[free] - 1e-9) & (w[:, free] <= hi[free] + 1e-9)
        pts.append(w[ok])
    return np.concatenate(pts)


def brute(detail, catalogue, pairs, level, spread, w0_full):
    inp = build_inputs(detail, catalogue)
    cols = [list(inp.indicator_ids).index(i) for i in catalogue.indicators_of("abolish").index]
    G = grid(w0_full[cols], spread)
    W = np.tile(w0_full, (len(G), 1))
    W[:, cols] = G
    pct = (W @ inp.FA) / (W @ inp.A)  # (grid, matters)
    if level == "unit":
        by = pd.Series(range(inp.n), index=inp.matters["unit_id"]).groupby(level=0)
        scores = {u: pct[:, idx.to_numpy()].mean(axis=1) for u, idx in by}
    else:
        scores = {m: pct[:, i] for i, m in enumerate(inp.matters["matter_id"])}
    return np.array([(scores[b] - scores[a]).max() for a, b in zip(pairs["ahead"], pairs["behind"])])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("level", ["matter", "unit"])
def test_overtaking_agrees_with_brute_force(catalogue, seed, level):
    detail = abolition_case(catalogue, seed, na=0.0 if seed % 3 == 0 else 0.3)
    spread = [0.1, 0.2, 0.5][seed % 3]
    solve = ov.unit_pairs if level == "unit" else ov.matter_pairs
    pairs = solve(detail, catalogue, spread, smallest=False)
    best = brute(detail, catalogue, pairs, level, spread, catalogue.weights.to_numpy(float))
    can = pairs["can_overtake"].to_numpy()
    # sound: whatever the grid finds, the answer says yes
    assert (can | (best <= 1e-9)).all()
    # exact "no": the grid never finds B ahead
    proven_no = ~can & pairs["overtake_exact"].to_numpy()
    assert (best[proven_no] <= 1e-9).all()
    # linear pairs: the grid holds every vertex, so it finds each exact yes as well
    lin = (pairs["overtake_method"] == "linear").to_numpy()
    assert (can[lin] == (best[lin] > 1e-12)).all()
    if seed % 3 == 0:
        assert lin.all()  # nothing n/a: every pair is linear, every answer exact
    assert pairs["overtake_exact"].all()  # branch and bound settles every ratio pair here


@pytest.mark.parametrize("seed", range(3))
def test_smallest_spread_is_the_threshold(catalogue, seed):
    detail = abolition_case(catalogue, seed, na=0.0)
    pairs = ov.matter_pairs(detail, catalogue, 0.2)
    w0 = catalogue.weights.to_numpy(float)
    finite = pairs[np.isfinite(pairs["min_spread"]) & (pairs["min_spread"] > 0.02)
                   & (pairs["min_spread"] < 0.95)].head(6)
    assert len(finite)
    for _, row in finite.iterrows():
        one = pd.DataFrame([row])
        f = row["min_spread"]
        assert brute(detail, catalogue, one, "matter", f + 0.01, w0)[0] > 0
        assert brute(detail, catalogue, one, "matter", f - 0.01, w0)[0] <= 1e-9
    # behind at the baseline and never ahead within ±100%: infinite; already ahead: zero
    assert (pairs.loc[pairs["behind_pct"] > pairs["ahead_pct"], "min_spread"] == 0).all()


def test_demo_units_and_summary(demo_archive, catalogue):
    from workbench.rounds.lifecycle import indicator_detail

    detail = indicator_detail(demo_archive, "2018-city", catalogue)
    pairs = ov.unit_pairs(detail, catalogue, 0.2)
    assert len(pairs) == 10 * 9
    m = ov.overtaking_matrix(pairs)
    assert m.shape == (10, 10)
    safe = ov.safe_pairs(pairs)
    assert (safe["ahead_pct"] > safe["behind_pct"]).all() and not safe["can_overtake"].any()
    # widening the bounds can only open more pairs
    wide = ov.unit_pairs(detail, catalogue, 0.6, smallest=False)
    assert (wide["can_overtake"].to_numpy() >= pairs["can_overtake"].to_numpy()).all()
    assert (pairs["min_spread"][pairs["can_overtake"]] <= 0.2 + 1e-6).all()


def random_feasible(w0: np.ndarray, cats: np.ndarray, spread: float, n: int, seed: int) -> np.ndarray:
    """Random weights inside the bounds with every category at 100 (rejection sampling)."""
    rng = np.random.default_rng(seed)
    lo, hi = w0 * (1 - spread), w0 * (1 + spread)
    r = rng.random((n, w0.size))
    W = lo + r * (hi - lo)
    for c in np.unique(cats):
        idx = cats == c
        room = (W[:, idx] - lo[idx]).sum(axis=1, keepdims=True)
        W[:, idx] = lo[idx] + (W[:, idx] - lo[idx]) * (100 - lo[idx].sum()) / room
    ok = ((W >= lo - 1e-9) & (W <= hi + 1e-9)).all(axis=1)
    return W[ok]


@pytest.mark.parametrize("seed", range(3))
def test_units_across_categories_against_random_weights(catalogue, seed):
    from test_robustness import random_case

    matters, entries = random_case(catalogue, 40 + seed, n=18, units=5, na=0.2)
    detail = score_indicators(matters, entries, catalogue)
    pairs = ov.unit_pairs(detail, catalogue, 0.3, smallest=False)
    inp = build_inputs(detail, catalogue)
    W = random_feasible(catalogue.weights.to_numpy(float), inp.ind_category, 0.3, 20_000, seed)
    assert len(W) > 1000
    pct = (W @ inp.FA) / (W @ inp.A)
    by = pd.Series(range(inp.n), index=inp.matters["unit_id"]).groupby(level=0)
    unit = {u: pct[:, idx.to_numpy()].mean(axis=1) for u, idx in by}
    best = np.array([(unit[b] - unit[a]).max() for a, b in zip(pairs["ahead"], pairs["behind"])])
    can, exact = pairs["can_overtake"].to_numpy(), pairs["overtake_exact"].to_numpy()
    assert (can | (best <= 1e-9)).all()
    assert (best[~can & exact] <= 1e-9).all()
    assert exact.mean() >= 0.95


# ---------------------------------------------------------------------------------------------
# a tie is not an overtake (issue 16, defect 1)


def tie_case(catalogue) -> tuple[pd.DataFrame, str]:
    """Matters A (unit UA) and B (unit UB) of the abolition category, everything fully met but
    B's lightest indicator x: B − A = −wₓ, which only reaches 0 where wₓ = 0, i.e. at spread 1."""
    ids = catalogue.indicators_of("abolish").index
    x = catalogue.weights[ids].idxmin()
    assert catalogue.weights[x] <= 50  # the others can absorb 100 when x drops to 0
    best = {"graded": "完全落实", "ratio": "1.00", "yes_no": "是"}
    worst = {"graded": "未落实", "ratio": "0.00", "yes_no": "否"}
    matters = pd.DataFrame({"matter_id": ["A", "B"], "unit_id": ["UA", "UB"], "category": "abolish"})
    rows = [{"matter_id": m, "indicator_id": i,
             "result": (worst if (m, i) == ("B", x) else best)[catalogue.indicators.at[i, "kind"]]}
            for m in ("A", "B") for i in ids]
    return score_indicators(matters, pd.DataFrame(rows), catalogue), x


@pytest.mark.parametrize("level", ["matter", "unit"])
def test_a_tie_at_full_spread_is_never_an_overtake(catalogue, level):
    detail, _ = tie_case(catalogue)
    solve = ov.unit_pairs if level == "unit" else ov.matter_pairs
    ahead = "UA" if level == "unit" else "A"
    for spread in (0.2, 1.0, 1.05, 1.5):
        pairs = solve(detail, catalogue, spread)
        row = pairs[pairs["ahead"] == ahead].iloc[0]
        assert row["overtake_method"] == "linear" and row["overtake_exact"]
        assert not row["can_overtake"], spread
        assert np.isinf(row["min_spread"]), (spread, row["min_spread"])  # was 1.0: a tie
    shown = ov.labelled(pairs, "en")
    assert shown.loc[pairs["ahead"] == ahead, "min_spread"].item() == "never"
    assert shown.loc[pairs["ahead"] == ahead, "overtake_method"].item() == "linear programme (exact)"


@pytest.mark.parametrize("seed", [0, 6, 7])
@pytest.mark.parametrize("level", ["matter", "unit"])
def test_smallest_spread_agrees_with_the_decision(catalogue, seed, level):
    """Finite smallest spread: B overtakes just above it (linear pairs tie at it). Infinite: not
    at ±100% (the bisection once answered 1.0 for ratio pairs that overtake only beyond ±100%,
    at spread 1.5)."""
    detail = abolition_case(catalogue, seed, na=0.3)
    solve = ov.unit_pairs if level == "unit" else ov.matter_pairs
    pairs = solve(detail, catalogue, 1.5)
    at_1 = solve(detail, catalogue, 1.0, smallest=False)
    never = np.isinf(pairs["min_spread"]).to_numpy()
    assert not (at_1["can_overtake"].to_numpy() & never).any()
    for i in np.flatnonzero(~never & (pairs["min_spread"] > 0).to_numpy()):
        f = pairs["min_spread"].iat[i]
        assert f <= 1.0
        there = solve(detail, catalogue, min(f + 1e-4, 1.0), smallest=False)
        assert there["can_overtake"].iat[i], (pairs.iloc[i].to_dict(), f)


def test_demo_pairs_that_can_only_tie(demo_archive, catalogue):
    """Pairs of the independent check: at best a tie at ±100%, so never (each pair's answer
    depends only on its two units' matters)."""
    from workbench.rounds import indicator_detail

    for round_id, ahead, behind in (("2020-city", "C035", "C026"), ("2019-city", "C029", "C040")):
        detail = indicator_detail(demo_archive, round_id, catalogue)
        two = detail[detail["unit_id"].isin([ahead, behind])]
        for spread in (0.2, 1.0, 1.05, 1.5):
            pairs = ov.unit_pairs(two, catalogue, spread)
            row = pairs[pairs["ahead"] == ahead].iloc[0]
            assert row["behind"] == behind and row["overtake_exact"] and not row["can_overtake"]
            assert np.isinf(row["min_spread"])


# ---------------------------------------------------------------------------------------------
# the certificate behind each answer (issue 16, defect 2) and an independent check


def test_every_method_has_distinct_labels():
    from workbench.labels import t

    for lang in ("zh", "en"):
        names = [t(f"method_{m}", lang) for m in ov.METHODS]
        assert len(set(names)) == len(names)
        assert not any(n.startswith("method_") for n in names)


def vertices(w0: np.ndarray, cats: np.ndarray, spread: float, n: int, seed: int) -> np.ndarray:
    """Vertices of the weight set: for random directions, start every weight at its lower bound
    and give each category's remaining points to the largest direction first (up to the bound)."""
    rng = np.random.default_rng(seed)
    lo, hi = w0 * (1 - spread), w0 * (1 + spread)
    D = rng.normal(size=(n, w0.size))
    W = np.tile(lo, (n, 1))
    for c in np.unique(cats):
        idx = np.flatnonzero(cats == c)
        order = idx[np.argsort(-D[:, idx], axis=1)]
        cap = (hi - lo)[order]
        before = np.cumsum(cap, axis=1) - cap
        np.put_along_axis(W, order, lo[order] + np.clip(100 - lo[idx].sum() - before, 0, cap), axis=1)
    return W


def rescored_units(matters, entries, catalogue, W: np.ndarray) -> pd.DataFrame:
    """Exact unit completion % (before rounding) for every row of ``W``, through the scoring:
    ``score_indicators``' fractions and n/a, its points (weight × fraction) and the completion %
    of ``aggregate_matters`` (100 · Σ points ÷ Σ applicable weight, complete matters only, a
    unit the mean of its matters) — checked against ``aggregate_matters`` itself to 2 decimals.
    Rows: weight vectors; columns: units."""
    detail = score_indicators(matters, entries, catalogue)
    ids = catalogue.indicators.index
    col = detail["indicator_id"].map(pd.Series(np.arange(len(ids)), index=ids)).to_numpy()
    k = len(detail)
    big = pd.concat([detail] * len(W), ignore_index=True)
    draw = np.repeat(np.arange(len(W)), k)
    big["matter_id"] = draw.astype(str).astype(object) + "|" + big["matter_id"]
    big["weight"] = W[draw, np.tile(col, len(W))]
    big["points"] = big["weight"] * big["fraction"]  # as score_indicators applies weights
    official = aggregate_matters(big, catalogue).set_index("matter_id")
    applicable = big["entry_status"] != "na"
    per = pd.DataFrame({"matter_id": big["matter_id"], "points": big["points"],
                        "aw": big["weight"].where(applicable, 0.0)}).groupby("matter_id", sort=False).sum()
    exact = 100.0 * per["points"] / per["aw"]
    complete = official["status"].reindex(exact.index) == "complete"
    got = official["completion_pct"].reindex(exact.index)[complete]
    assert np.allclose(exact[complete].round(2), got, atol=0.01 + 1e-9)  # the same numbers as scoring
    exact = exact.where(complete)
    frame = pd.DataFrame({"draw": [int(m.split("|")[0]) for m in exact.index],
                          "unit": official["unit_id"].reindex(exact.index).to_numpy(), "pct": exact.to_numpy()})
    return frame.groupby(["draw", "unit"])["pct"].mean().unstack("unit")


def witness_margin(matters, entries, catalogue, w: pd.Series, ahead: str, behind: str) -> float:
    """B − A (exact unit %) with the witness weights applied by ``score_indicators`` itself."""
    detail = score_indicators(matters, entries, catalogue, weights=w)
    results = aggregate_matters(detail, catalogue)
    complete = results.loc[results["status"] == "complete", "matter_id"]
    d = detail[detail["matter_id"].isin(complete)]
    aw = d["weight"].where(d["entry_status"] != "na", 0.0)
    per = d.assign(aw=aw).groupby("matter_id").agg(unit=("unit_id", "first"), points=("points", "sum"),
                                                   aw=("aw", "sum"))
    unit = (100.0 * per["points"] / per["aw"]).groupby(per["unit"]).mean()
    margin = unit[behind] - unit[ahead]
    if margin > 0.011:  # clear of the 2-decimal rounding: the official table agrees
        rounded = rank_units(results, catalogue).set_index("unit_id")["completion_pct"]
        assert rounded[behind] >= rounded[ahead]
    return margin


@pytest.mark.parametrize("na", [0.2, 0.0])
def test_independent_check_of_every_answer(catalogue, na):
    """As the independent check of issue 16, on a small round: random feasible weights and
    vertices of the weight set, scored through workbench.scoring, never contradict an exact "no";
    every "yes" comes with witness weights under which the scoring puts B strictly ahead; and
    "separated ranges" is only claimed where B's best seen stays ≤ A's worst seen."""
    from test_robustness import random_case

    matters, entries = random_case(catalogue, 40, n=18, units=5, na=na)
    detail = score_indicators(matters, entries, catalogue)
    inp = build_inputs(detail, catalogue)
    w0 = catalogue.weights.to_numpy(float)
    methods = set()
    for s, spread in enumerate((0.1, 0.2, 0.3)):
        pairs = ov.unit_pairs(detail, catalogue, spread, smallest=False, witness=True)
        W = np.concatenate([random_feasible(w0, inp.ind_category, spread, 2500, s),
                            vertices(w0, inp.ind_category, spread, 1500, s)])
        assert len(W) > 2000
        unit = rescored_units(matters, entries, catalogue, W)
        diff = np.stack([unit[b].to_numpy() - unit[a].to_numpy() for a, b in zip(pairs["ahead"], pairs["behind"])])
        best = diff.max(axis=1)
        can, exact = pairs["can_overtake"].to_numpy(), pairs["overtake_exact"].to_numpy()
        assert (best[~can & exact] <= 1e-9).all(), pairs[~can & exact & (best > 1e-9)]
        assert (can | (best <= 1e-9)).all()  # whatever the samples find, the answer says yes
        assert exact.mean() >= 0.95
        ranges = (pairs["overtake_method"] == "ranges").to_numpy()
        for i in np.flatnonzero(ranges):
            a, b = pairs["ahead"].iat[i], pairs["behind"].iat[i]
            assert unit[b].max() <= unit[a].min() + 1e-9, (a, b, unit[b].max(), unit[a].min())
        lo, hi = w0 * (1 - spread), w0 * (1 + spread)
        for i in np.flatnonzero(can):
            w = pairs["witness"].iat[i]
            assert w is not None
            x = w.to_numpy()
            assert ((x >= lo - 1e-9) & (x <= hi + 1e-9)).all()
            assert np.allclose(pd.Series(x).groupby(inp.ind_category).sum(), 100.0)
            margin = witness_margin(matters, entries, catalogue, w, pairs["ahead"].iat[i], pairs["behind"].iat[i])
            assert margin > 0, (pairs.iloc[i].drop("witness").to_dict(), margin)
        assert pairs.loc[~can, "witness"].isna().all()
        methods |= set(pairs["overtake_method"])
    # the round exercises every certificate: the linear LP where nothing is n/a, else all the rest
    assert methods >= ({"linear"} if na == 0 else {"witness", "ranges", "chord", "branch"})

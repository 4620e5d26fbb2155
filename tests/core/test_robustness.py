"""The Monte Carlo engine against a straightforward per-draw loop over workbench.scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.core import robustness as rb
from workbench.scoring import rank_units, score_indicators, score_round


def random_case(catalogue, seed: int, n: int = 24, units: int = 7, na: float = 0.15) -> tuple:
    """Matters of every category on a few units, with n/a, over-limit ratios and one matter
    left incomplete (a missing entry)."""
    rng = np.random.default_rng(seed)
    cats = list(catalogue.categories)
    matters = pd.DataFrame({
        "matter_id": [f"M{i:03d}" for i in range(n)],
        "unit_id": [f"U{int(u)}" for u in rng.integers(0, units, n)],
        "category": rng.choice(cats, n),
    })
    ind = catalogue.indicators[["indicator_id", "category", "kind"]]
    grid = matters.merge(ind, on="category")
    words = np.array(catalogue.vocab.grade_words, dtype=object)
    m = len(grid)
    result = np.where(
        grid["kind"] == "graded", words[rng.integers(0, len(words), m)],
        np.where(grid["kind"] == "ratio", np.char.mod("%.2f", rng.uniform(0.2, 1.15, m)).astype(object),
                 rng.choice(np.array(["是", "否"], dtype=object), m)),
    ).astype(object)
    result[rng.random(m) < na] = "不适用"
    result[0] = None  # matter M000 stays incomplete
    entries = grid[["matter_id", "indicator_id"]].assign(result=result)
    return matters, entries


def reference(catalogue, matters, entries, W, baseline):
    """Per draw: score_round + rank_units, then the statistics with numpy/pandas."""
    ids = catalogue.indicators.index
    nominal = score_round(matters, entries, catalogue, baseline)
    nominal_units = rank_units(nominal, catalogue)
    per_m, per_u = [], []
    for w in W:
        r = score_round(matters, entries, catalogue, pd.Series(w, index=ids))
        per_m.append(r.set_index("matter_id")[["completion_pct", "rank_in_category", "band"]])
        u = rank_units(r, catalogue)
        per_u.append(u.set_index("unit_id")[["completion_pct", "rank", "band"]])
    return nominal, nominal_units, per_m, per_u


def stats(per, nominal, rank_col, ids):
    pct = np.array([p.loc[ids, "completion_pct"].to_numpy(float) for p in per])
    rank = np.array([p.loc[ids, rank_col].to_numpy(float) for p in per])
    band = np.array([p.loc[ids, "band"].to_numpy(object) for p in per])
    nom = nominal.set_index(nominal.columns[0]).loc[ids]
    q = {k: np.percentile(rank, k, axis=0, method="inverted_cdf") for k in (5, 50, 95)}
    return {
        "nominal_pct": nom["completion_pct"].to_numpy(float),
        "nominal_rank": nom[rank_col].to_numpy(float),
        "median_rank": q[50], "rank_p05": q[5], "rank_p95": q[95],
        "mean_pct": pct.mean(axis=0),
        "p_under_60": (pct < 60).mean(axis=0),
        "p_band_change": (band != nom["band"].to_numpy(object)).mean(axis=0),
        "mean_abs_shift": np.abs(rank - nom[rank_col].to_numpy(float)).mean(axis=0),
    }, pct, rank


CASES = [
    ("uniform", dict(spread=0.3), 0), ("uniform", dict(spread=0.8), 1),
    ("dirichlet", dict(concentration=30.0), 2), ("uniform", dict(spread=0.2), 3),
]


@pytest.mark.parametrize("scheme,params,seed", CASES)
def test_engine_matches_per_draw_scoring(catalogue, scheme, params, seed):
    matters, entries = random_case(catalogue, seed)
    W = rb.draw_weights(catalogue.weights, catalogue, scheme, draws=23, seed=seed, **params)
    detail = score_indicators(matters, entries, catalogue)
    inp = rb.build_inputs(detail, catalogue)
    res = rb.run(inp, W, catalogue.weights, chunk=5)
    nominal, nominal_units, per_m, per_u = reference(catalogue, matters, entries, W, catalogue.weights)
    ids = list(res.matters["matter_id"])
    assert "M000" not in ids and list(inp.excluded["matter_id"]) == ["M000"]
    want, pct, rank = stats(per_m, nominal[["matter_id", "completion_pct", "rank_in_category", "band"]],
                            "rank_in_category", ids)
    for col, values in want.items():
        np.testing.assert_allclose(res.matters[col].to_numpy(float), values, atol=1e-9, err_msg=col)
    # every draw, every matter: the same completion % and rank as scoring gives
    got = rb.scores(inp, W)
    np.testing.assert_array_equal(got["pct"], pct)
    np.testing.assert_array_equal(got["rank"], rank)
    uids = list(res.units["unit_id"])
    want_u, upct, urank = stats(per_u, nominal_units[["unit_id", "completion_pct", "rank", "band"]],
                                "rank", uids)
    for col, values in want_u.items():
        np.testing.assert_allclose(res.units[col].to_numpy(float), values, atol=1e-9, err_msg=col)
    np.testing.assert_array_equal(got["unit_pct"], upct)
    np.testing.assert_array_equal(got["unit_rank"], urank)
    assert res.rounds["mean_abs_shift"].iloc[0] == pytest.approx(
        np.abs(rank - want["nominal_rank"]).mean(axis=0).mean(), abs=1e-9)


def test_same_seed_same_answer_whatever_the_chunk(catalogue):
    matters, entries = random_case(catalogue, 11, n=40)
    detail = score_indicators(matters, entries, catalogue)
    a = rb.analyse(detail, catalogue, draws=101, seed=5, chunk=1000)
    b = rb.analyse(detail, catalogue, draws=101, seed=5, chunk=7)
    pd.testing.assert_frame_equal(a.matters, b.matters)
    pd.testing.assert_frame_equal(a.units, b.units)
    np.testing.assert_array_equal(a.matter_shift, b.matter_shift)
    c = rb.analyse(detail, catalogue, draws=101, seed=6)
    assert not a.matters["mean_abs_shift"].equals(c.matters["mean_abs_shift"])


@pytest.mark.parametrize("scheme,params", [("uniform", {"spread": 0.5}), ("dirichlet", {"concentration": 5.0})])
def test_draws_sum_to_100_per_category(catalogue, scheme, params):
    W = rb.draw_weights(catalogue.weights, catalogue, scheme, draws=500, seed=1, **params)
    sums = pd.DataFrame(W, columns=catalogue.indicators.index).T.groupby(
        catalogue.indicators["category"]).sum()
    np.testing.assert_allclose(sums.to_numpy(), 100.0, atol=1e-9)
    assert (W >= 0).all()
    if scheme == "uniform":
        ratio = W / catalogue.weights.to_numpy(float)  # within ±50% before renormalising
        assert ratio.min() > 0.5 * 100 / 150 - 1e-9 and ratio.max() < 1.5 * 100 / 50 + 1e-9


def test_not_applicable_renormalises_in_every_draw(catalogue):
    est = catalogue.indicators_of("establish").index
    matters = pd.DataFrame({"matter_id": ["A", "B"], "unit_id": ["U1", "U2"], "category": "establish"})
    ra = ["完全落实", "是", "部分落实", "1.0", "0.5", "是", "1.2", "否"]
    rb_ = ["不适用", "不适用", "部分落实", "1.0", "0.5", "是", "1.2", "否"]
    entries = pd.DataFrame({"matter_id": ["A"] * 8 + ["B"] * 8, "indicator_id": list(est) * 2,
                            "result": ra + rb_})
    inp = rb.build_inputs(score_indicators(matters, entries, catalogue), catalogue)
    W = rb.draw_weights(catalogue.weights, catalogue, draws=50, seed=3, spread=0.4)
    got = rb.scores(inp, W)
    w = W[:, [catalogue.indicators.index.get_loc(i) for i in est]]
    f = np.array([1, 1, 0.5, 1, 0.5, 1, 0, 0])  # EST-07 is over the limit: scores 0
    app_b = np.array([0, 0, 1, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(got["pct"][:, 0], np.round(100 * (w @ f) / w.sum(1), 2), atol=1e-12)
    np.testing.assert_allclose(got["pct"][:, 1], np.round(100 * (w @ (f * app_b)) / (w @ app_b), 2),
                               atol=1e-12)


def test_scenarios_and_weightless_matters(catalogue):
    matters, entries = random_case(catalogue, 4, n=30)
    detail = score_indicators(matters, entries, catalogue)
    official = catalogue.weights.astype(float)
    zeroed = official.copy()
    est = catalogue.indicators_of("establish").index
    zeroed[est] = 0.0  # no establishment matter has weight: no result, no rank
    res = rb.analyse(detail, catalogue, scenarios=[official, zeroed])
    inp = rb.build_inputs(detail, catalogue)
    got = rb.scores(inp, rb.scenario_matrix([official, zeroed], catalogue))
    is_est = inp.matters["category"].to_numpy() == "establish"
    assert np.isnan(got["pct"][1, is_est]).all() and (got["rank"][1, is_est] == 0).all()
    assert not np.isnan(got["pct"][1, ~is_est]).any()
    ref = score_round(matters, entries, catalogue, zeroed).set_index("matter_id")
    np.testing.assert_array_equal(ref.loc[inp.matters["matter_id"], "completion_pct"], got["pct"][1])
    assert res.params["scheme"] == "scenarios" and res.params["draws"] == 2


def test_demo_round_nominal_equals_scoring(demo_archive, catalogue):
    from workbench.rounds.lifecycle import indicator_detail, score_archived_round

    detail = indicator_detail(demo_archive, "2019-city", catalogue)
    res = rb.analyse(detail, catalogue, draws=200, seed=1)
    scored = score_archived_round(demo_archive, "2019-city", catalogue, save=False)
    done = scored.dropna(subset=["completion_pct"]).set_index("matter_id")
    got = res.matters.set_index("matter_id").loc[done.index]
    np.testing.assert_array_equal(got["nominal_pct"], done["completion_pct"])
    np.testing.assert_array_equal(got["nominal_rank"].astype(int), done["rank_in_category"].astype(int))
    units = rank_units(scored, catalogue).dropna(subset=["rank"]).set_index("unit_id")
    gu = res.units.set_index("unit_id").loc[units.index]
    np.testing.assert_array_equal(gu["nominal_rank"].astype(int), units["rank"].astype(int))
    assert ((gu["rank_p05"] <= gu["median_rank"]) & (gu["median_rank"] <= gu["rank_p95"])).all()


def test_cli_writes_matters_units_and_overtaking(demo_db, tmp_path, capsys, monkeypatch):
    import openpyxl

    monkeypatch.setenv("WORKBENCH_LANG", "zh")  # main() sets it from --lang: restored afterwards
    from workbench.cli import main

    out = tmp_path / "rob.xlsx"
    assert main(["--lang", "en", "robustness", "--db", str(demo_db), "--round", "2018-city",
                 "--draws", "300", "--seed", "2", "--out", str(out)]) == 0
    assert "2018-city: 300 draws (uniform ×(1±f)" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["matters", "units", "rounds", "overtaking", "parameters"]
    assert book["units"].max_row == 11  # 10 units + header
    csv = tmp_path / "rob.csv"
    assert main(["--lang", "zh", "robustness", "--db", str(demo_db), "--round", "2018-city", "--scheme", "dirichlet",
                 "--concentration", "50", "--draws", "200", "--out", str(csv)]) == 0
    matters = pd.read_csv(csv, encoding="utf-8-sig")
    assert "排名中位数" in matters.columns and len(matters) == 14
    assert (tmp_path / "rob-units.csv").exists()


def test_several_rounds_rank_separately(catalogue):
    m1, e1 = random_case(catalogue, 31, n=20)
    m2, e2 = random_case(catalogue, 32, n=20)  # the same matter ids in another round
    d = pd.concat([score_indicators(m1, e1, catalogue).assign(round_id="R1"),
                   score_indicators(m2, e2, catalogue).assign(round_id="R2")], ignore_index=True)
    res = rb.analyse(d, catalogue, draws=50, seed=1)
    assert len(res.rounds) == 2 and set(res.matters["round_id"]) == {"R1", "R2"}
    for rid, (m, e) in {"R1": (m1, e1), "R2": (m2, e2)}.items():
        ref = score_round(m, e, catalogue).dropna(subset=["completion_pct"]).set_index("matter_id")
        got = res.matters[res.matters["round_id"] == rid].set_index("matter_id").loc[ref.index]
        np.testing.assert_array_equal(got["nominal_rank"].astype(int), ref["rank_in_category"].astype(int))
        np.testing.assert_array_equal(got["nominal_pct"], ref["completion_pct"])


def test_inputs_say_what_is_missing(catalogue):
    from workbench.errors import WorkbenchError

    with pytest.raises(WorkbenchError, match="fraction"):
        rb.build_inputs(pd.DataFrame({"matter_id": ["A"], "unit_id": ["U"], "category": ["establish"],
                                      "indicator_id": ["EST-01"], "entry_status": ["value"]}), catalogue)
    matters, entries = random_case(catalogue, 1, n=3)
    entries = entries.assign(result=None)  # nothing entered: no complete matter
    with pytest.raises(WorkbenchError):
        rb.build_inputs(score_indicators(matters, entries, catalogue), catalogue)


def test_threads_do_not_change_the_answer_and_the_run_says_what_made_it(catalogue):
    matters, entries = random_case(catalogue, 12, n=60, units=15)
    detail = score_indicators(matters, entries, catalogue)
    inp = rb.build_inputs(detail, catalogue)
    W = rb.draw_weights(catalogue.weights, catalogue, draws=400, seed=9, spread=0.3)
    one = rb.run(inp, W, catalogue.weights, chunk=50, workers=1)
    two = rb.run(inp, W, catalogue.weights, chunk=50, workers=2)
    pd.testing.assert_frame_equal(one.matters, two.matters, check_exact=True)
    pd.testing.assert_frame_equal(one.units, two.units, check_exact=True)
    np.testing.assert_array_equal(one.unit_shift, two.unit_shift)
    res = rb.analyse(detail, catalogue, draws=10, seed=3, spread=0.1)
    assert res.params["catalogue_hash"] == catalogue.hash and res.params["spread"] == 0.1
    assert {"baseline_weights_hash", "software_version", "seed", "scheme"} <= set(res.params)

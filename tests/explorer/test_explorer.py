"""The weight explorer driven from Python as a researcher would use it, and its notebook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from workbench.core.derived_weights import derive_weights
from workbench.explorer import form as ex
from workbench.files.parameters import load_weights
from workbench.rounds.lifecycle import indicator_detail
from workbench.views import explorer_charts as xc

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def detail(demo_db, catalogue):
    from workbench.archive.store import Archive

    return indicator_detail(Archive(str(demo_db), read_only=True), "2018-city", catalogue).assign(
        round_id="2018-city")


@pytest.fixture
def form(detail, catalogue, tmp_path, monkeypatch):
    # SVG drawing is tested once below; here the charts stay Altair objects (checked on to_dict)
    monkeypatch.setattr(ex, "_svg", lambda chart: "<svg/>")
    return ex.WeightExplorer(detail, catalogue, "zh", scenario_dir=tmp_path, draws=200)


def category_sums(form):
    return form.weights.groupby(form.catalogue.indicators["category"]).sum()


def test_moving_a_slider_changes_ranks_and_keeps_100(form, catalogue):
    before = form.tables["units"]["rank_scenario"].tolist()
    moved = None
    for iid in catalogue.indicators.index:  # a researcher tries weights until a rank moves
        for value in (0, 60):
            form.sliders[iid].value = value
            assert (category_sums(form) == 100).all()
            assert all(form.sliders[i].value == form.weights[i] for i in form.sliders)
            if form.tables["units"]["rank_scenario"].tolist() != before:
                moved = iid
                break
        if moved:
            break
    assert moved, "no single weight moves any unit's rank"
    units = form.tables["units"]
    assert (units["rank_shift"] != 0).any()
    cat = catalogue.indicators.at[moved, "category"]
    others = catalogue.indicators["category"] != cat
    assert (form.weights[others] == catalogue.weights[others]).all()
    assert form.timing["rescore_ms"] < 1000
    assert set(form.charts) == {"slope", "interval", "overtaking", "weights"}
    assert "已" in form.panes["summary"].value or "个单位" in form.panes["summary"].value


def test_lock_reset_and_derive(form, catalogue):
    form.locks["EST-01"].value = True
    form.sliders["EST-03"].value = 50
    assert form.weights["EST-01"] == catalogue.weights["EST-01"] and form.weights["EST-03"] == 50
    assert (category_sums(form) == 100).all()
    form.reset_button.click()
    assert (form.weights == catalogue.weights).all() and not any(b.value for b in form.locks.values())
    form.criteria["importance"].value = 1.0
    form.criteria["difficulty"].value = 0.0
    form.criteria["workload"].value = 0.0
    form.derive_button.click()
    want = derive_weights(catalogue, {"importance": 1.0, "difficulty": 0.0, "workload": 0.0})
    assert (form.weights == want).all()
    assert form.sliders["EST-03"].value == want["EST-03"]
    assert "<table" in form.panes["fit"].value


def test_save_and_load_round_trip(form, catalogue, tmp_path):
    form.sliders["ABL-05"].value = 30
    saved = form.weights.copy()
    form.name_box.value = "试验-1"
    form.save_button.click()
    path = tmp_path / "试验-1.yaml"
    assert path.exists() and "试验-1" in form.scenario_list.options
    assert (load_weights(path, catalogue) == saved).all()  # valid like any weights file
    form.reset_button.click()
    assert (form.weights == catalogue.weights).all()
    form.scenario_list.value = "试验-1"
    form.load_button.click()
    assert (form.weights == saved).all() and form.sliders["ABL-05"].value == 30
    form.name_box.value = "../escape"
    form.save_button.click()
    assert "只能" in form.message.value and not (tmp_path.parent / "escape.yaml").exists()


def test_shipped_scenarios_are_valid(catalogue):
    names = ex.list_scenarios()
    assert {"official", "derived-default"} <= set(names)
    assert (ex.load_scenario("official", catalogue) == catalogue.weights).all()
    assert (ex.load_scenario("derived-default", catalogue) == derive_weights(catalogue)).all()


def test_charts_are_functions_of_data(form):
    slope = form.charts["slope"].to_dict()
    assert slope["layer"][0]["encoding"]["y"]["scale"]["reverse"] is True
    interval = form.charts["interval"].to_dict()
    marks = [layer["mark"]["type"] for layer in interval["layer"]]
    assert marks == ["rule", "point", "tick"]
    assert interval["layer"][0]["encoding"]["x2"]["field"] == "rank_p95"
    over = form.charts["overtaking"].to_dict()
    assert over["mark"]["type"] == "rect" and over["encoding"]["color"]["field"] == "answer"
    rows = form.tables["robustness"]
    assert ((rows["rank_p05"] <= rows["median_rank"]) & (rows["median_rank"] <= rows["rank_p95"])).all()


def test_svg_drawn_in_place(detail, catalogue, tmp_path):
    form = ex.WeightExplorer(detail, catalogue, "en", scenario_dir=tmp_path, draws=100)
    first = form.panes["slope"].value
    assert first.startswith("<div><svg") and "Rank" in first
    form.sliders["EST-03"].value = 0
    assert form.panes["slope"].value != first  # same pane, new drawing
    assert "<script" not in "".join(p.value for p in form.panes.values())


def test_chart_functions_with_plain_frames():
    t = pd.DataFrame({"name": ["甲", "乙"], "rank_official": [1, 2], "rank_scenario": [2, 1]})
    assert xc.slope_chart(t).to_dict()["layer"][0]["mark"]["type"] == "line"
    r = pd.DataFrame({"name": ["甲"], "rank_p05": [1], "median_rank": [1], "rank_p95": [3], "nominal_rank": [2]})
    spec = xc.rank_interval_chart(r, "en").to_dict()
    assert json.dumps(spec).count("Rank interval") >= 1 and "甲" in json.dumps(spec, ensure_ascii=False)


def test_notebook_is_thin():
    nb = nbformat.read(ROOT / "notebooks" / "weight_explorer.ipynb", as_version=4)
    first = nb.cells[0]
    assert "parameters" in first.metadata.get("tags", [])
    for var in ("round_ids", "db", "lang"):
        assert f"\n{var} = " in "\n" + first.source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert all(len(c.source.splitlines()) <= 2 for c in code[1:])


@pytest.mark.slow
def test_notebook_runs_headless(demo_db, tmp_path):
    import papermill as pm

    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    out = tmp_path / "weight_explorer.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "weight_explorer.ipynb"), str(out),
                        parameters={"round_ids": ["2019-city", "2019-370781"], "db": str(db), "lang": "en"},
                        kernel_name="python3", cwd=str(ROOT), progress_bar=False, log_output=False)
    nb = nbformat.read(out, as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error", o
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in nb.cells[-1]["outputs"])
    state = json.dumps(nb.metadata.get("widgets", {}), ensure_ascii=False)
    assert "Weight explorer" in state and "2019-370781" in state and "<svg" in state


def test_removal_and_sobol_panes(form):
    assert len(form.tables["removal"]) == 30 and "<table" in form.panes["removal"].value
    form.sobol_by.value = "category"
    form.sobol_button.click()
    s = form.tables["sobol"]
    assert list(s["sobol_factor"]) == list(form.catalogue.categories)
    assert form.charts["sobol"].to_dict()["layer"][0]["mark"]["type"] == "bar"

"""Every chart function, tested on its ``to_dict()`` spec (Altair's own style), in zh and en.

Checked: the marks, the encoding fields and types, the titles from the labels catalogue, the
band colours, the data the spec carries, and that no URL is in it but the ``$schema`` id.
``test_every_public_chart_function_has_a_case`` fails when a chart is added to
``workbench.views`` without a case here.
"""

from __future__ import annotations

import inspect
import json
import re
from functools import cache

import altair as alt
import pandas as pd
import pytest

from workbench.batch import report as rr
from workbench.dashboard import view as dv
from workbench.files import load_catalogue
from workbench.labels import t
from workbench.views import charts
from workbench.views import explorer_charts as xc

LANGS = ["zh", "en"]
TYPES = {"nominal": "N", "quantitative": "Q", "ordinal": "O", "temporal": "T"}
CJK = re.compile(r"[\u4e00-\u9fff]")
HELPERS = {"to_svg", "to_png", "use_offline_renderer", "band_scale", "english_bands"}  # public, not charts

UNITS = pd.DataFrame({"unit_name": ["市教育局", "市民政局", "市财政局"],
                      "completion_pct": [95.5, 72.25, None], "band": ["优", "中", None]})
RESULTS = pd.DataFrame({"band": ["优", "差", "优", "良", None]})
DETAIL = pd.DataFrame({"unit_id": ["U1", "U1", "U1", "U2"], "indicator_id": ["A1", "A1", "B2", "A1"],
                       "fraction": [0.5, 0.0, None, 0.0]})
TREND = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "category_name": ["设立", "变更", "设立", "变更"],
                      "completion_pct": [81.0, 77.5, 90.25, 66.0]})
SHARES = pd.DataFrame({"year": [2023, 2024], "share": [0.125, 0.05], "count": [23, 9], "of": [184, 180]})
SERIES = pd.DataFrame({"category_name": ["设立", "设立"], "round": ["R2023", "R2024"],
                       "completion_pct": [70.0, 85.5]})
SLOPE = pd.DataFrame({"name": ["甲", "乙", "丙"], "rank_official": [1, 2, 3], "rank_scenario": [2, 1, 3]})
INTERVAL = pd.DataFrame({"unit_name": ["甲", "乙"], "rank_p05": [1, 1], "median_rank": [2, 1],
                         "rank_p95": [3, 2], "nominal_rank": [2, 1]})
PAIRS = pd.DataFrame({"ahead": ["U1", "U1", "U2"], "behind": ["U2", "U3", "U3"],
                      "can_overtake": [True, False, False], "ahead_pct": [90.0, 90.0, 80.0],
                      "behind_pct": [85.0, 70.0, 82.0]})
WEIGHTS = pd.DataFrame({"indicator_id": ["A1", "A2"], "category": ["establish", "establish"],
                        "official": [10.0, 5.0], "scenario": [12.0, 3.0]})
SOBOL = pd.DataFrame({"sobol_factor": ["establish", "change"], "sobol_first": [0.4, 0.1],
                      "sobol_total": [0.6, 0.2], "total_low": [0.5, 0.1], "total_high": [0.7, 0.3]})


@cache
def _catalogue():
    return load_catalogue()


def _report() -> rr.RoundReport:
    cat = _catalogue()
    return rr.RoundReport({"round_id": "R2024", "year": 2024, "area": "city"}, cat, cat.weights,
                          "official", "verified", RESULTS, UNITS, pd.DataFrame(), {})


# name → (build(lang), title label key or None, [(mark, {channel: "field:type"}) per layer])
UNIT_LAYERS = [("bar", {"y": "unit_name:N", "x": "completion_pct:Q", "color": "band:N"}),
               ("text", {"y": "unit_name:N", "x": "completion_pct:Q", "text": "completion_pct:Q"})]
BAND_LAYERS = [("bar", {"x": "band:N", "y": "n:Q", "color": "band:N"}),
               ("text", {"x": "band:N", "y": "n:Q", "text": "n:Q"})]
CASES = {
    "charts.completion_by_unit": (lambda lang: charts.completion_by_unit(UNITS, lang), "completion_pct", UNIT_LAYERS),
    "charts.band_distribution": (lambda lang: charts.band_distribution(RESULTS, lang), "band", BAND_LAYERS),
    "charts.points_lost_heatmap": (
        lambda lang: charts.points_lost_heatmap(DETAIL, lang), "indicator",
        [("rect", {"x": "indicator_id:N", "y": "unit_id:N", "color": "lost_share:Q"})]),
    "charts.completion_by_year_and_category": (
        lambda lang: charts.completion_by_year_and_category(TREND, lang), "completion_pct",
        [("bar", {"x": "year:O", "xOffset": "category_name:N", "y": "completion_pct:Q", "color": "category_name:N"}),
         ("text", {"x": "year:O", "xOffset": "category_name:N", "y": "completion_pct:Q", "text": "completion_pct:Q"})]),
    "charts.share_by_year": (
        lambda lang: charts.share_by_year(SHARES, lang), "band",
        [("bar", {"x": "year:O", "y": "share:Q"}), ("text", {"x": "year:O", "y": "share:Q", "text": "label:N"})]),
    "charts.year_comparison_chart": (
        lambda lang: charts.year_comparison_chart(SERIES, lang), "wt_prev_round",
        [("bar", {"x": "category_name:N", "xOffset": "round:N", "y": "completion_pct:Q", "color": "round:N"}),
         ("text", {"x": "category_name:N", "xOffset": "round:N", "y": "completion_pct:Q", "text": "completion_pct:Q"})]),
    "explorer_charts.slope_chart": (
        lambda lang: xc.slope_chart(SLOPE, lang), "slope_title",
        [("line", {"x": "side:N", "y": "rank:Q", "detail": "who:N", "color": "moved:N"}),
         ("text", {"x": "side:N", "y": "rank:Q", "detail": "who:N", "color": "moved:N", "text": "who:N"})]),
    "explorer_charts.rank_interval_chart": (
        lambda lang: xc.rank_interval_chart(INTERVAL, lang), "rank_interval_title",
        [("rule", {"y": "unit_name:N", "x": "rank_p05:Q", "x2": "rank_p95"}),
         ("point", {"y": "unit_name:N", "x": "median_rank:Q"}),
         ("tick", {"y": "unit_name:N", "x": "nominal_rank:Q"})]),
    "explorer_charts.overtaking_chart": (
        lambda lang: xc.overtaking_chart(PAIRS, 0.1, lang, {"U1": "甲", "U2": "乙"}), "overtaking_title",
        [("rect", {"x": "col:N", "y": "row:N", "color": "answer:N"})]),
    "explorer_charts.weights_chart": (
        lambda lang: xc.weights_chart(WEIGHTS, lang), "weights_title",
        [("bar", {"x": "indicator_id:N", "xOffset": "which:N", "y": "weight:Q", "color": "which:N"})]),
    "explorer_charts.sobol_chart": (
        lambda lang: xc.sobol_chart(SOBOL, lang), "wx_sobol_title",
        [("bar", {"y": "sobol_factor:N", "x": "sobol_total:Q"}),
         ("rule", {"y": "sobol_factor:N", "x": "total_low:Q", "x2": "total_high"}),
         ("point", {"y": "sobol_factor:N", "x": "sobol_first:Q"})]),
    "batch.report.completion_chart": (lambda lang: rr.completion_chart(_report(), lang), "rr_unit_ranking", UNIT_LAYERS),
    "batch.report.band_chart": (lambda lang: rr.band_chart(_report(), lang), "band", BAND_LAYERS),
    "dashboard.view._untitled": (lambda lang: dv._untitled(charts.completion_by_unit(UNITS, lang)), None, UNIT_LAYERS),
    "views.english_bands": (
        lambda lang: charts.english_bands(charts.completion_by_unit(UNITS, lang), _catalogue().bands), "completion_pct",
        UNIT_LAYERS),
}


def build(name: str, lang: str) -> dict:
    chart = CASES[name][0](lang)
    assert isinstance(chart, alt.TopLevelMixin)
    return chart.to_dict()  # validates against the Vega-Lite schema


@cache
def _spec_json(name: str, lang: str) -> str:
    return json.dumps(build(name, lang))


def spec_of(name: str, lang: str) -> dict:
    """The spec, built once per case and language (the data are constants): a fresh copy."""
    return json.loads(_spec_json(name, lang))


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def signature(layer: dict) -> tuple[str, dict[str, str]]:
    mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
    enc = {ch: e["field"] + (f":{TYPES[e['type']]}" if "type" in e else "")
           for ch, e in layer["encoding"].items() if isinstance(e, dict) and "field" in e}
    return mark, enc


def rows(spec: dict) -> list[dict]:
    (data,) = spec["datasets"].values()  # one table per chart, named in spec["data"]
    assert spec["data"] == {"name": next(iter(spec["datasets"]))}
    return data


def titles(spec: dict) -> set:
    return {x.get("title") for x in [spec, *spec.get("layer", [])] if x.get("title") is not None}


def channel(spec: dict, ch: str) -> dict:
    return next(x["encoding"][ch] for x in layers(spec) if ch in x.get("encoding", {}))


ALL = [(n, lang) for n in CASES for lang in LANGS]


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_marks_and_encodings(name, lang):
    assert [signature(x) for x in layers(spec_of(name, lang))] == CASES[name][2]


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_title_comes_from_the_labels(name, lang):
    key = CASES[name][1]
    if key is None:
        assert titles(spec_of(name, lang)) == set()
        return
    expected = t(key, lang, spread=0.1) if key == "overtaking_title" else t(key, lang)
    assert expected != key, f"label {key!r} is not registered"
    assert bool(CJK.search(expected)) is (lang == "zh")
    assert titles(spec_of(name, lang)) == {expected}


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_no_url_but_the_schema_id(name, lang):
    with alt.theme.enable("workbench"):  # the offline theme as notebooks and pages use it
        spec = build(name, lang)
    assert spec["config"]["font"] == charts.CJK_FONT
    assert spec.pop("$schema").startswith("https://vega.github.io/schema/vega-lite/v6")
    assert "http" not in json.dumps(spec)


AXES = [  # (case, channel, label key or None: no title)
    ("charts.completion_by_unit", "x", "completion_pct"), ("charts.completion_by_unit", "color", "band"),
    ("charts.completion_by_unit", "y", None), ("charts.band_distribution", "x", "band"),
    ("charts.band_distribution", "y", "matters_count"), ("charts.points_lost_heatmap", "x", "indicator"),
    ("charts.completion_by_year_and_category", "x", "year"),
    ("charts.completion_by_year_and_category", "y", "completion_pct"),
    ("charts.completion_by_year_and_category", "color", "category"), ("charts.share_by_year", "x", "year"),
    ("charts.year_comparison_chart", "x", "category"), ("charts.year_comparison_chart", "color", "round"),
    ("explorer_charts.slope_chart", "y", "rank"), ("explorer_charts.rank_interval_chart", "x", "rank"),
    ("explorer_charts.overtaking_chart", "x", "behind"), ("explorer_charts.overtaking_chart", "y", "ahead"),
    ("explorer_charts.overtaking_chart", "color", "can_overtake"),
    ("explorer_charts.weights_chart", "x", "indicator"), ("explorer_charts.weights_chart", "y", "weight"),
    ("explorer_charts.sobol_chart", "x", "sobol_total"),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "ch", "key"), AXES)
def test_axis_titles(name, ch, key, lang):
    assert channel(spec_of(name, lang), ch)["title"] == (key and t(key, lang))


def test_labels_are_the_catalogue_words():
    assert channel(spec_of("charts.completion_by_unit", "zh"), "x")["title"] == "完成情况百分比"
    assert channel(spec_of("charts.completion_by_unit", "en"), "x")["title"] == "Completion %"
    assert titles(spec_of("charts.year_comparison_chart", "zh")) == {"上年同级轮次"}
    assert titles(spec_of("explorer_charts.overtaking_chart", "en")) == {
        "Can the column overtake the row (weights within ±10%)"}
    tips = {"zh": ["基准排名", "排名中位数", "排名第5百分位", "排名第95百分位"],
            "en": ["Nominal rank", "Median rank", "Rank, 5th percentile", "Rank, 95th percentile"]}
    for lang, words in tips.items():
        tooltip = channel(spec_of("explorer_charts.rank_interval_chart", lang), "tooltip")
        assert [x.get("title") for x in tooltip] == [None, *words]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["charts.completion_by_unit", "charts.band_distribution",
                                  "batch.report.completion_chart", "batch.report.band_chart"])
def test_band_colours(name, lang):
    scale = channel(spec_of(name, lang), "color")["scale"]
    assert scale["domain"] == ["优", "良", "中", "差"]
    assert dict(zip(scale["domain"], scale["range"])) == charts.BAND_COLOURS
    assert charts.BAND_COLOURS == {"优": "#2e7d32", "良": "#66bb6a", "中": "#f9a825", "差": "#c62828"}


def _words(lang, *keys):
    return [t(k, lang) for k in keys]


# name → (columns compared, expected rows for lang)
DATA = {
    "charts.completion_by_unit": (("unit_name", "completion_pct", "band"), lambda lang: [
        ("市教育局", 95.5, "优"), ("市民政局", 72.25, "中")]),  # the unscored unit is left out
    "charts.band_distribution": (("band", "n"), lambda lang: [("优", 2), ("良", 1), ("中", 0), ("差", 1)]),
    "charts.points_lost_heatmap": (("unit_id", "indicator_id", "lost_share"), lambda lang: [
        ("U1", "A1", 0.75), ("U2", "A1", 1.0)]),  # mean of 1 − f; the unscored B2 is left out
    "charts.completion_by_year_and_category": (("year", "category_name", "completion_pct"), lambda lang: [
        (2023, "设立", 81.0), (2023, "变更", 77.5), (2024, "设立", 90.25), (2024, "变更", 66.0)]),
    "charts.share_by_year": (("year", "label"), lambda lang: [(2023, "12.5% (23/184)"), (2024, "5.0% (9/180)")]),
    "charts.year_comparison_chart": (("category_name", "round", "completion_pct"), lambda lang: [
        ("设立", "R2023", 70.0), ("设立", "R2024", 85.5)]),
    "explorer_charts.slope_chart": (("who", "side", "rank", "moved"), lambda lang: [  # 丙 keeps its rank
        (w, t(side, lang), r, w != "丙") for side, ranks in (("wx_official", (1, 2, 3)), ("wx_scenario", (2, 1, 3)))
        for w, r in zip("甲乙丙", ranks)]),
    "explorer_charts.rank_interval_chart": (("unit_name", "rank_p05", "median_rank", "rank_p95", "nominal_rank"),
                                            lambda lang: [("甲", 1, 2, 3, 2), ("乙", 1, 1, 2, 1)]),
    "explorer_charts.overtaking_chart": (("row", "col", "answer"), lambda lang: list(zip(
        ["甲", "甲", "乙"], ["乙", "U3", "U3"], _words(lang, "ot_yes", "ot_no", "ot_already_ahead")))),
    "explorer_charts.weights_chart": (("indicator_id", "which", "weight"), lambda lang: list(zip(
        ["A1", "A2", "A1", "A2"], _words(lang, *["wx_official"] * 2, *["wx_scenario"] * 2), [10.0, 5.0, 12.0, 3.0]))),
    "explorer_charts.sobol_chart": (tuple(SOBOL.columns), lambda lang: list(SOBOL.itertuples(index=False, name=None))),
}


@pytest.mark.parametrize(("name", "lang"), [(n, lang) for n in DATA for lang in LANGS])
def test_data_values(name, lang):
    cols, expected = DATA[name]
    assert [tuple(r[c] for c in cols) for r in rows(spec_of(name, lang))] == expected(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_sort_orders_and_scales(lang):
    assert channel(spec_of("charts.band_distribution", lang), "x")["sort"] == ["优", "良", "中", "差"]
    assert channel(spec_of("charts.completion_by_year_and_category", lang), "xOffset")["sort"] == ["设立", "变更"]
    assert channel(spec_of("charts.share_by_year", lang), "y")["scale"]["domain"] == pytest.approx([0, 0.1625])
    assert layers(spec_of("charts.share_by_year", lang))[0]["mark"]["color"] == charts.BAND_COLOURS["差"]
    assert channel(spec_of("explorer_charts.rank_interval_chart", lang), "y")["sort"] == ["乙", "甲"]
    assert channel(spec_of("explorer_charts.slope_chart", lang), "y")["scale"]["reverse"] is True
    colour = channel(spec_of("explorer_charts.overtaking_chart", lang), "color")["scale"]
    assert colour["domain"] == _words(lang, "ot_no", "ot_yes", "ot_already_ahead")
    which = channel(spec_of("explorer_charts.weights_chart", lang), "xOffset")["sort"]
    assert which == _words(lang, "wx_official", "wx_scenario")


def test_unit_id_when_there_is_no_name_and_an_explicit_title():
    spec = charts.completion_by_unit(UNITS.rename(columns={"unit_name": "unit_id"}), "en", title="Units").to_dict()
    assert channel(spec, "y")["field"] == "unit_id" and titles(spec) == {"Units"}


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_band_legend_reads_english_names(lang):
    colour = channel(spec_of("views.english_bands", lang), "color")
    expr = colour["legend"]["labelExpr"]
    for band, en, _ in _catalogue().bands:
        assert f"datum.label === {json.dumps(band)} ? {json.dumps(en)}" in expr  # "\\u4f18" for 优
    assert [en for _, en, _ in _catalogue().bands] == ["excellent", "good", "fair", "poor"]
    assert "legend" not in channel(spec_of("charts.completion_by_unit", lang), "color")


def _chart_functions(mod) -> set[str]:
    found = {n for n, f in inspect.getmembers(mod, inspect.isfunction)
             if f.__module__ == mod.__name__ and not n.startswith("_")}
    for n in found & HELPERS:  # a helper is named here only while it returns no chart
        assert "Chart" not in str(inspect.signature(getattr(mod, n)).return_annotation)
    return {f"{mod.__name__.removeprefix('workbench.views.')}.{n}" for n in found - HELPERS}


def test_every_public_chart_function_has_a_case():
    public = _chart_functions(charts) | _chart_functions(xc)
    assert public == {n for n in CASES if n.startswith(("charts.", "explorer_charts."))}
    assert set(DATA) == public  # and its data checked

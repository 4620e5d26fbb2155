"""The researchers' weight explorer: ipywidgets forms over the robustness core.

A slider per indicator weight (whole numbers; the unlocked others of its category rebalance so it
stays at 100), a lock per weight, reset, the derived-weights scheme with adjustable criterion
weights, named scenarios saved to / loaded from ``parameters/weights/*.yaml``; and, live after
every change, ranks and completion % under the scenario vs the official weights, the rank-shift
table, a slope chart, the rank-interval chart of a Monte Carlo run around the scenario and the
overtaking matrix of units. Sliders use ``continuous_update=False``; charts are inline SVG
written into their HTML panes in place (nothing from a CDN). Handlers only call the core.
"""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

import ipywidgets as W
import pandas as pd

from workbench.archive import Archive
from workbench.core import (
    CRITERIA,
    DEFAULT_CRITERIA,
    Catalogue,
    build_inputs,
    compare_weights,
    derive_weights,
    draw_weights,
    fit_summary,
    rebalance,
    removal_impact,
    run,
    sobol_indices,
    unit_pairs,
)
from workbench.errors import WorkbenchError
from workbench.files import list_scenarios, load_catalogue, load_scenario, save_scenario
from workbench.labels import register, t
from workbench.paths import SCENARIO_DIR
from workbench.rounds import load_detail
from workbench.views import explorer_charts as xc
from workbench.views import html_table, to_svg, use_offline_renderer

register({
    "wx_title": {"zh": "权重探索与稳健性分析 · {rounds}", "en": "Weight explorer and robustness · {rounds}"},
    "wx_reset": {"zh": "恢复现行权重", "en": "Reset to official"},
    "wx_derive": {"zh": "按准则推导权重", "en": "Derive from criteria"},
    "wx_lock": {"zh": "锁定", "en": "Lock"},
    "wx_save": {"zh": "保存方案", "en": "Save scenario"},
    "wx_load": {"zh": "载入方案", "en": "Load scenario"},
    "wx_name": {"zh": "方案名称", "en": "Scenario name"},
    "wx_saved": {"zh": "已保存:{path}", "en": "saved: {path}"},
    "wx_loaded": {"zh": "已载入方案 {name}", "en": "loaded scenario {name}"},
    "wx_bad_name": {"zh": "方案名称只能含字母、数字、汉字、- 和 _", "en": "a scenario name may hold letters, digits, 汉字, - and _ only"},
    "wx_draws": {"zh": "抽样次数", "en": "Draws"},
    "wx_spread": {"zh": "权重扰动幅度 ±", "en": "Weight spread ±"},
    "wx_summary": {
        "zh": "方案与现行权重相比:{moved} 个单位排名变化,平均变动 {shift:.2f} 位;{matters} 个事项类内排名变化。"
              "重新计分与排名用时 {ms:.1f} 毫秒。",
        "en": "Scenario vs official: {moved} units change rank, by {shift:.2f} places on average; "
              "{matters} matters change rank within their category. Re-scored and re-ranked in {ms:.1f} ms.",
    },
    "wx_robust": {
        "zh": "围绕方案 ±{spread:.0%} 抽样 {draws} 次:{safe} 对单位的先后顺序不随权重改变,{open} 对可能互换。",
        "en": "{draws} draws within ±{spread:.0%} of the scenario: {safe} pairs of units keep their order "
              "whatever the weights, {open} pairs can swap.",
    },
    "wx_units_table": {"zh": "单位排名:现行权重与方案", "en": "Units: official vs scenario"},
    "wx_matters_table": {"zh": "事项排名变动", "en": "Matters whose rank moves"},
    "wx_fit": {"zh": "推导权重与现行权重的差异", "en": "Derived vs official weights"},
    "wx_sobol": {"zh": "计算敏感度指数", "en": "Compute Sobol indices"},
    "wx_sobol_by": {"zh": "因素", "en": "Factors"},
    "wx_by_category": {"zh": "按事项类别", "en": "by category"},
    "wx_by_kind": {"zh": "按指标类型", "en": "by indicator kind"},
    "wx_by_indicator": {"zh": "按单项指标", "en": "by indicator"},
    "wx_kind_graded": {"zh": "定性评价类", "en": "graded"},
    "wx_kind_ratio": {"zh": "比例类", "en": "ratio"},
    "wx_kind_yes_no": {"zh": "是否类", "en": "yes/no"},
    "wx_removal": {"zh": "去掉一项指标对排名的影响(按单位平均变动排序)",
                   "en": "Removing one indicator: effect on ranks (by units' mean shift)"},
    "points_moved": {"zh": "调整的分值", "en": "Points moved"},
    "largest_diff": {"zh": "单项最大差异", "en": "Largest difference"},
})


# --- scenarios on disk (edge) ------------------------------------------------------------------








# --- the form ----------------------------------------------------------------------------------


def _svg(chart) -> str:

    return f"<div>{to_svg(chart)}</div>"


def _table(df: pd.DataFrame, lang: str, max_rows: int = 60) -> str:

    return html_table(df, lang, max_rows=max_rows)


class WeightExplorer(W.VBox):
    """The explorer form. ``weights`` is the current scenario (integers, 100 per category)."""

    def __init__(self, detail: pd.DataFrame, catalogue: Catalogue | None = None, lang: str = "zh",
                 scenario_dir: str | Path = SCENARIO_DIR, unit_names: dict[str, str] | None = None,
                 spread: float = 0.2, draws: int = 1000, seed: int = 0):
        super().__init__()
        self.catalogue = catalogue or load_catalogue()
        self.lang, self.scenario_dir, self.seed = lang, Path(scenario_dir), seed
        self.unit_names = unit_names or {}
        self.inputs = build_inputs(detail, self.catalogue)
        self.official = self.catalogue.weights.astype(int)
        self.weights = self.official.copy()
        self.charts: dict[str, object] = {}
        self.tables: dict[str, pd.DataFrame] = {}
        self.timing: dict[str, float] = {}
        self._busy = False
        L = lambda k, **kw: t(k, lang, **kw)  # noqa: E731
        ind = self.catalogue.indicators
        name_col = "name_en" if lang == "en" else "name_zh"
        self.sliders: dict[str, W.IntSlider] = {}
        self.locks: dict[str, W.ToggleButton] = {}
        tabs = []
        for cat in self.catalogue.categories:
            rows = []
            for iid in self.catalogue.indicators_of(cat).index:
                s = W.IntSlider(value=int(self.weights[iid]), min=0, max=100, continuous_update=False,
                                description=f"{iid} {ind.at[iid, name_col]}",
                                style={"description_width": "230px"}, layout=W.Layout(width="560px"))
                lock = W.ToggleButton(value=False, icon="lock", tooltip=L("wx_lock"), layout=W.Layout(width="40px"))
                s.observe(lambda ch, i=iid: self._on_slider(i, ch["new"]), names="value")
                self.sliders[iid], self.locks[iid] = s, lock
                rows.append(W.HBox([s, lock, W.HTML(f"<span style='color:#777'>{L('wx_official')}: "
                                                    f"{int(self.official[iid])}</span>")]))
            tabs.append(W.VBox(rows))
        self.tabs = W.Tab(children=tabs, titles=[self.catalogue.category_name(c, lang) for c in self.catalogue.categories])
        self.reset_button = W.Button(description=L("wx_reset"), icon="undo")
        self.reset_button.on_click(lambda _: self._on_reset())
        self.criteria = {c: W.FloatSlider(value=DEFAULT_CRITERIA[c], min=0, max=1, step=0.05,
                                          continuous_update=False, description=L(c)) for c in CRITERIA}
        self.derive_button = W.Button(description=L("wx_derive"), icon="calculator")
        self.derive_button.on_click(lambda _: self._on_derive())
        self.name_box = W.Text(description=L("wx_name"), placeholder="my-scenario")
        self.save_button = W.Button(description=L("wx_save"), icon="save")
        self.save_button.on_click(lambda _: self._on_save())
        self.scenario_list = W.Dropdown(options=list_scenarios(self.scenario_dir), description=L("wx_load"))
        self.load_button = W.Button(description=L("wx_load"), icon="folder-open")
        self.load_button.on_click(lambda _: self._on_load())
        self.spread = W.FloatSlider(value=spread, min=0.05, max=0.8, step=0.05, continuous_update=False,
                                    description=L("wx_spread"), readout_format=".0%")
        self.draws = W.BoundedIntText(value=draws, min=10, max=100_000, description=L("wx_draws"))
        self.spread.observe(lambda _: self._refresh(), names="value")
        self.draws.observe(lambda _: self._refresh(), names="value")
        self.sobol_by = W.Dropdown(options=[(L("wx_by_category"), "category"), (L("wx_by_kind"), "kind"),
                                            (L("wx_by_indicator"), "indicator")], description=L("wx_sobol_by"))
        self.sobol_button = W.Button(description=L("wx_sobol"), icon="bar-chart")
        self.sobol_button.on_click(lambda _: self._on_sobol())
        self.message = W.HTML()
        self.panes = {k: W.HTML() for k in ("summary", "units", "slope", "interval", "overtaking",
                                            "weights", "matters", "fit", "removal", "sobol")}
        rounds = ", ".join(sorted(set(self.inputs.matters["round_id"]) - {""})) or "—"
        self.children = [
            W.HTML(f"<h3>{html.escape(L('wx_title', rounds=rounds))}</h3>"),
            self.tabs,
            W.HBox([self.reset_button, *self.criteria.values(), self.derive_button]),
            W.HBox([self.name_box, self.save_button, self.scenario_list, self.load_button]),
            W.HBox([self.spread, self.draws, self.sobol_by, self.sobol_button]),
            self.message, self.panes["summary"],
            W.HBox([self.panes["units"], self.panes["slope"]]),
            W.HBox([self.panes["interval"], self.panes["overtaking"]]),
            self.panes["weights"], self.panes["fit"], self.panes["matters"],
            W.HBox([self.panes["removal"], self.panes["sobol"]]),
        ]
        self._refresh()

    # -- handlers (private): change the scenario, then refresh ----------------------------------

    def _locked(self) -> set[str]:
        return {i for i, b in self.locks.items() if b.value}

    def _on_slider(self, iid: str, value: int) -> None:
        if self._busy:
            return
        self.weights = rebalance(self.weights, self.catalogue, iid, value, self._locked())
        self._sync_and_refresh()

    def _on_reset(self) -> None:
        for b in self.locks.values():
            b.value = False
        self.weights = self.official.copy()
        self.panes["fit"].value = ""
        self._sync_and_refresh()

    def _on_derive(self) -> None:
        try:
            self.weights = derive_weights(self.catalogue, {c: s.value for c, s in self.criteria.items()})
        except WorkbenchError as exc:
            self.message.value = f"<b style='color:#c62828'>{html.escape(str(exc))}</b>"
            return
        self.panes["fit"].value = (f"<b>{html.escape(t('wx_fit', self.lang))}</b>"
                                   + _table(fit_summary(self.catalogue, self.weights), self.lang))
        self._sync_and_refresh()

    def _on_save(self) -> None:
        try:
            path = save_scenario(self.weights, self.catalogue, self.name_box.value.strip(), self.scenario_dir,
                                 criteria={c: s.value for c, s in self.criteria.items()})
        except WorkbenchError as exc:
            self.message.value = f"<b style='color:#c62828'>{html.escape(str(exc))}</b>"
            return
        self.scenario_list.options = list_scenarios(self.scenario_dir)
        self.scenario_list.value = path.stem
        self.message.value = html.escape(t("wx_saved", self.lang, path=path))

    def _on_load(self) -> None:
        name = self.scenario_list.value
        if not name:
            return
        try:
            self.weights = load_scenario(name, self.catalogue, self.scenario_dir)
        except WorkbenchError as exc:
            self.message.value = f"<b style='color:#c62828'>{html.escape(str(exc))}</b>"
            return
        self.message.value = html.escape(t("wx_loaded", self.lang, name=name))
        self._sync_and_refresh()

    def _on_sobol(self) -> None:
        """Sobol indices of the units' rank shift around the current scenario (on request: it
        runs N·(G + 2) draws)."""
        table = sobol_indices(None, self.catalogue, by=self.sobol_by.value, level="unit", n=512,
                              spread=float(self.spread.value), seed=self.seed, bootstrap=200,
                              baseline=self.weights.astype(float), inputs=self.inputs)
        self.tables["sobol"] = table
        names = {**{c: self.catalogue.category_name(c, self.lang) for c in self.catalogue.categories},
                 **{k: t(f"wx_kind_{k}", self.lang) for k in ("graded", "ratio", "yes_no")}}
        table = table.assign(sobol_factor=table["sobol_factor"].map(lambda f: names.get(f, f)))
        self.charts["sobol"] = xc.sobol_chart(table, self.lang)
        self.panes["sobol"].value = _svg(self.charts["sobol"]) + _table(table.round(3), self.lang)

    def _sync_and_refresh(self) -> None:
        self._busy = True
        try:
            for iid, s in self.sliders.items():
                s.value = int(self.weights[iid])
        finally:
            self._busy = False
        self._refresh()

    # -- views ----------------------------------------------------------------------------------

    def _name(self, frame: pd.DataFrame) -> pd.Series:
        names = frame["unit_id"].map(lambda u: self.unit_names.get(u, u))
        if frame["round_id"].nunique() > 1:
            names = frame["round_id"] + " · " + names
        return names

    def _refresh(self) -> None:
        lang, inp = self.lang, self.inputs
        t0 = time.perf_counter()
        matters, units = compare_weights(inp, self.official, self.weights)
        self.timing["rescore_ms"] = 1000 * (time.perf_counter() - t0)
        units.insert(1, "name", self._name(units))
        self.tables["matters"], self.tables["units"] = matters, units
        moved = units["rank_shift"].fillna(0) != 0
        self.panes["summary"].value = html.escape(t(
            "wx_summary", lang, moved=int(moved.sum()), shift=float(units["rank_shift"].abs().mean()),
            matters=int((matters["rank_shift"].fillna(0) != 0).sum()), ms=self.timing["rescore_ms"]))
        shown = units[["name", "pct_official", "pct_scenario", "rank_official", "rank_scenario", "rank_shift"]]
        self.panes["units"].value = (f"<b>{html.escape(t('wx_units_table', lang))}</b>"
                                     + _table(shown.sort_values("rank_scenario"), lang))
        mm = matters[matters["rank_shift"].fillna(0) != 0]
        self.panes["matters"].value = (f"<b>{html.escape(t('wx_matters_table', lang))}</b>" + _table(
            mm[["matter_id", "unit_id", "category", "pct_official", "pct_scenario", "rank_official",
                "rank_scenario", "rank_shift"]], lang))
        spread, draws = float(self.spread.value), int(self.draws.value)
        t1 = time.perf_counter()
        base = self.weights.astype(float)
        mc = run(inp, draw_weights(base, self.catalogue, "uniform", draws, self.seed, spread=spread), base)
        self.tables["robustness"] = mc.units.assign(name=self._name(mc.units))
        pairs = unit_pairs(None, self.catalogue, spread, base, smallest=False, inputs=inp)
        self.tables["overtaking"] = pairs
        self.timing["robustness_ms"] = 1000 * (time.perf_counter() - t1)
        ahead = pairs["ahead_pct"] > pairs["behind_pct"]
        self.message.value = html.escape(t("wx_robust", lang, spread=spread, draws=draws,
                                           safe=int((ahead & ~pairs["can_overtake"]).sum()),
                                           open=int((ahead & pairs["can_overtake"]).sum())))
        removal = removal_impact(None, self.catalogue, self.weights.astype(float), inputs=inp)
        self.tables["removal"] = removal
        self.panes["removal"].value = (f"<b>{html.escape(t('wx_removal', lang))}</b>" + _table(
            removal.sort_values("unit_mean_abs_shift", ascending=False, kind="stable").head(10).round(2), lang))
        wt = pd.DataFrame({"indicator_id": self.weights.index, "category": self.catalogue.indicators["category"],
                           "official": self.official.to_numpy(), "scenario": self.weights.to_numpy()})
        self.charts = {
            "slope": xc.slope_chart(units, lang),
            "interval": xc.rank_interval_chart(self.tables["robustness"], lang),
            "overtaking": xc.overtaking_chart(pairs, spread, lang, self.unit_names),
            "weights": xc.weights_chart(wt, lang),
        }
        t2 = time.perf_counter()
        for k, chart in self.charts.items():
            self.panes[k].value = _svg(chart)
        self.timing["charts_ms"] = 1000 * (time.perf_counter() - t2)


def open_explorer(round_ids: str | list[str], db: str | None = None, lang: str = "zh",
                  source: str = "verified", scenario_dir: str | Path = SCENARIO_DIR, **options) -> WeightExplorer:
    """What the notebook calls: load the rounds (read-only), build the form."""

    os.environ["WORKBENCH_LANG"] = "en" if str(lang).startswith("en") else "zh"
    use_offline_renderer()
    catalogue = load_catalogue()
    archive = Archive(db or None, read_only=True)
    detail = load_detail(archive, round_ids, catalogue, source)
    names = archive.unit_names().to_dict()
    return WeightExplorer(detail, catalogue, lang, scenario_dir, names, **options)


def example_weights(catalogue: Catalogue) -> dict[str, pd.Series]:
    """The scenarios that ship in ``parameters/weights``."""
    return {"official": catalogue.weights.astype(int), "derived-default": derive_weights(catalogue)}


__all__ = ["WeightExplorer", "open_explorer", "save_scenario", "load_scenario", "list_scenarios",
           "example_weights"]

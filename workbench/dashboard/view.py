"""The leaders' dashboard page: ipywidgets around ``dashboard.data``, served read-only by Voilà.

Everything on the page is HTML the kernel writes — headline cards, tables and charts as inline
SVG drawn by vl-convert — so the browser needs no chart library and asks nothing of the internet.
The only controls are the year and area drop-downs, the language switch and a reload button; none
of them writes: the archive is opened read-only. Every name or note from the archive goes through
``html.escape`` before it is put into HTML.
"""

from __future__ import annotations

import html
import logging

import altair as alt  # light: the package's __init__ has already run (see workbench/__init__.py)
import ipywidgets as widgets
import pandas as pd

from workbench.archive import Archive
from workbench.core import Catalogue
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.organisation import area_name
from workbench.views import charts

from . import data as dd
from .acting import CountyBars, FlagPages
from .effect import effect_html
from .fetch import fetch

log = logging.getLogger(__name__)

register({
    "dash_title": {"zh": "跟踪问效 · 领导看板", "en": "Follow-up evaluation · leaders' dashboard"},
    "dash_subtitle": {"zh": "{place}机构编制事项跟踪问效结果(只读)",
                      "en": "{place}: results of the follow-up evaluation of establishment matters (read-only)"},
    "dash_lang": {"zh": "语言", "en": "Language"},
    "dash_reload": {"zh": "刷新数据", "en": "Reload data"},
    "dash_as_of": {"zh": "数据截至 {time}", "en": "Data as of {time}"},
    "dash_all_areas": {"zh": "全市(市级及各县市区)", "en": "Whole city (city level and counties)"},
    "dash_year_label": {"zh": "{year}年", "en": "{year}"},
    "dash_year_open": {"zh": "{year}年(进行中)", "en": "{year} (in progress)"},
    "dash_card_matters": {"zh": "问效事项", "en": "Matters evaluated"},
    "dash_card_split": {"zh": "市级 {city} · 县级 {county}", "en": "city {city} · county {county}"},
    "dash_card_avg": {"zh": "平均完成情况百分比", "en": "Average completion"},
    "dash_card_units_under": {"zh": "完成情况百分比低于{limit}%的单位", "en": "Units under {limit}%"},
    "dash_card_of_units": {"zh": "共 {units} 个单位", "en": "of {units} units"},
    "dash_card_matters_under": {"zh": "完成情况百分比低于{limit}%的事项", "en": "Matters under {limit}%"},
    "dash_card_late": {"zh": "超期问效事项", "en": "Late evaluations"},
    "dash_card_late_sub": {"zh": "批复超过12个月才问效", "en": "approved > 12 months before"},
    "dash_card_total": {"zh": "{first}–{last}年累计问效", "en": "Evaluated {first}–{last}"},
    "dash_card_unfinished": {"zh": "尚未完成评估", "en": "Not yet fully evaluated"},
    "dash_card_rect": {"zh": "未完成整改", "en": "Open rectifications"},
    "dash_card_rect_sub": {"zh": "其中逾期 {n} 项", "en": "{n} overdue"},
    "dash_card_proposals": {"zh": "撤并机构或核减编制建议", "en": "Merge or cut-quota proposals"},
    "dash_card_suspensions": {"zh": "暂停受理编制事项的单位", "en": "Units suspended from applying"},
    "dash_card_signed": {"zh": "已签发生效", "en": "signed off, in force"},
    "dash_card_drafts": {"zh": "另有待签发草案 {n} 项", "en": "+{n} drafts to sign off"},
    "dash_units_title": {"zh": "单位排名(平均完成情况百分比)", "en": "Units ranked by average completion %"},
    "dash_units_topbottom": {"zh": "前{n}名与后{n}名(共{total}个单位)",
                             "en": "Top {n} and bottom {n} of {total} units"},
    "dash_counties_title": {"zh": "县(市、区)排名(平均完成情况百分比)", "en": "Counties ranked by average completion %"},
    "dash_flags_title": {"zh": "预警清单", "en": "Red flags"},
    "dash_trend_title": {"zh": "各类事项平均完成情况百分比(已完成轮次)",
                         "en": "Average completion % by category (completed rounds)"},
    "dash_poor_title": {"zh": "完成情况百分比低于{limit}%的事项占比", "en": "Share of matters under {limit}%"},
    "dash_panel_title": {"zh": "县(市、区)问效情况", "en": "County panel"},
    "dash_flag_poor": {"zh": "设立事项低于{limit}%", "en": "establishment under {limit}%"},
    "dash_flag_suspension": {"zh": "暂停受理生效中", "en": "suspension in force"},
    "dash_flag_missing_filing": {"zh": "县级未报备", "en": "county round not filed"},
    "dash_flag_age": {"zh": "超期问效", "en": "Late evaluation"},
    "dash_flag_age_yes": {"zh": "是(批复超过12个月)", "en": "yes (> 12 months)"},
    "dash_flags_late_only": {"zh": "只看超期问效事项", "en": "Only late evaluations"},
    "dash_flag_unfinished": {"zh": "尚未完成评估", "en": "not yet evaluated"},
    "dash_flag_overdue_rectification": {"zh": "整改逾期", "en": "rectification overdue"},
    "dash_flag_kind": {"zh": "预警类型", "en": "Flag"},
    "dash_flag_detail": {"zh": "说明", "en": "Detail"},
    "dash_no_flags": {"zh": "所选范围内无预警事项", "en": "No red flags in this selection"},
    "dash_no_data": {"zh": "所选范围暂无评估结果", "en": "No results for this selection"},
    "dash_round_open": {"zh": "进行中", "en": "in progress"},
    "dash_round_completed": {"zh": "已完成", "en": "completed"},
    "dash_no_round": {"zh": "未开展", "en": "no round"},
    "dash_all_years": {"zh": "各年合计", "en": "All years"},
    "dash_filing": {"zh": "报备", "en": "Filing"},
    "dash_n_matters": {"zh": "{n}项", "en": "{n} matters"},
    "dash_poor_count": {"zh": "差 {n}", "en": "{n} poor"},
    "dash_error": {"zh": "暂时无法显示,请联系管理员。", "en": "This cannot be shown now; please contact the administrator."},
})

#: units shown at each end of the ranking chart when there are many
RANKING_ENDS = 10
LANG_OPTIONS = [("中文", "zh"), ("English", "en")]

CSS = """
<style>
.wb-dash { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; color: #1f2933; }
.wb-dash h1 { font-size: 22px; margin: 0 0 2px 0; }
.wb-dash .wb-subtitle { color: #52606d; font-size: 13px; }
.wb-cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 4px 0 6px 0; }
.wb-cards { flex-wrap: nowrap; }
.wb-card { flex: 1 1 0; min-width: 0; box-sizing: border-box; background: #f5f7fa;
           border-left: 5px solid #1565c0; border-radius: 4px; padding: 6px 10px; }
.wb-card.wb-alert { border-left-color: #c62828; }
.wb-card.wb-total { border-left-color: #6a1b9a; }
.wb-card .wb-label { font-size: 13px; line-height: 1.3; color: #3e4c59; min-height: 2.6em; }
.wb-card .wb-num { font-size: 28px; font-weight: 700; line-height: 1.25; }
.wb-card .wb-sub { font-size: 12px; line-height: 1.3; color: #52606d; }
.wb-section h3 { font-size: 16px; margin: 8px 0 4px 0; color: #102a43; }
.wb-section .wb-note { font-size: 12px; color: #52606d; margin-bottom: 4px; }
.wb-chart svg { max-width: 100%; height: auto; }
.wb-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.wb-table th { background: #eef2f7; position: sticky; top: 0; text-align: left; }
.wb-table th, .wb-table td { padding: 3px 8px; border-bottom: 1px solid #e4e7eb; white-space: nowrap; }
.wb-table td.wb-n { text-align: right; font-variant-numeric: tabular-nums; }
.wb-table td.wb-wrap { white-space: normal; min-width: 260px; color: #3e4c59; }
.wb-panel td, .wb-panel th { text-align: center !important; }
.wb-table tr.wb-hl td { background: #fff8e1; }
.wb-cbar { display: flex; align-items: center; gap: 4px; font-size: 12px; }
.wb-cbar div { height: 16px; border-radius: 2px; }
.wb-county button, button.wb-county { text-align: left; justify-content: flex-start; }
.wb-band-0 { color: #1b5e20; } .wb-band-1 { color: #2e7d32; } .wb-band-2 { color: #8d6e00; }
.wb-band-3 { color: #c62828; font-weight: 700; }
.wb-kind { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; color: #fff; }
.wb-kind-poor, .wb-kind-overdue_rectification { background: #c62828; }
.wb-kind-suspension { background: #ad1457; } .wb-kind-missing_filing { background: #ef6c00; }
.wb-kind-unfinished { background: #607d8b; }
</style>
"""


def _e(value: object) -> str:
    """Escape anything from the archive before it goes into HTML."""
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


def _untitled(chart):
    """The chart without its own title: the section heading above it carries the title."""
    chart = chart.copy(deep=False)
    chart.title = alt.Undefined
    for layer in getattr(chart, "layer", None) or []:
        layer.title = alt.Undefined
    return chart


def _pct(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.1f}%"


class Dashboard:
    """The page. ``widget`` is what the notebook displays; ``year``, ``area`` and ``language``
    are the drop-downs and the switch (tests drive them from Python)."""

    def __init__(self, archive: Archive, catalogue: Catalogue | None = None, lang: str = "zh"):
        charts.use_offline_renderer()
        self._archive = archive
        self.catalogue = catalogue or load_catalogue()
        self._limit = dd.poor_threshold(self.catalogue)
        self._svg: dict[tuple, str] = {}
        self._busy = False
        self.data = fetch(archive)
        self.year = widgets.Dropdown(layout=widgets.Layout(width="230px"))
        self.area = widgets.Dropdown(layout=widgets.Layout(width="420px"))
        self.language = widgets.ToggleButtons(options=LANG_OPTIONS, value="en" if lang == "en" else "zh",
                                              style={"button_width": "72px"})
        self.reload = widgets.Button(icon="", layout=widgets.Layout(width="110px"))
        self.status = widgets.HTML()
        self.header, self.cards = widgets.HTML(), widgets.HTML()
        self.units_chart = widgets.HTML()
        # counties as bars to click (a click shows the county's units) and the red flags a page at a time
        self.counties = CountyBars(self._on_pick_county)
        self.flag_pages = FlagPages()
        self.flags = self.flag_pages.table
        self.flag_rows = pd.DataFrame()  # every red flag of the scope, in order of severity
        self.trend_chart, self.poor_chart = widgets.HTML(), widgets.HTML()
        self.panel, self.effect = widgets.HTML(), widgets.HTML()
        # a matter's age is information: a column of the list and this filter, not a flag of its own
        self.late_only = widgets.Checkbox(value=False, indent=False)
        half = widgets.Layout(width="50%", padding="0 8px 0 0")
        controls = widgets.HBox([self.year, self.area, self.language, self.reload, self.status],
                                layout=widgets.Layout(align_items="center", flex_flow="row wrap"))
        self.widget = widgets.VBox([
            widgets.HTML(CSS), self.header, controls, self.cards,
            widgets.HBox([widgets.Box([self.units_chart], layout=half),
                          widgets.Box([self.counties.widget], layout=half)]),
            self.late_only, self.flag_pages.widget,
            widgets.HBox([widgets.Box([self.trend_chart], layout=half),
                          widgets.Box([self.poor_chart], layout=half)]),
            self.effect, self.panel,
        ], layout=widgets.Layout(padding="4px 12px"))
        self.widget.add_class("wb-dash")
        self._set_options(default=True)
        self.year.observe(self._on_change, "value")
        self.area.observe(self._on_change, "value")
        self.late_only.observe(self._on_change, "value")
        self.language.observe(self._on_language, "value")
        self.reload.on_click(self._on_reload)
        self.render()

    # -------------------------------------------------------------------- handlers
    @property
    def org(self):
        """The archive's organisation (as read with the data)."""
        return self.data.org or self._archive.organisation()

    @property
    def lang(self) -> str:
        return self.language.value

    def _on_change(self, _change=None) -> None:
        if not self._busy:
            self.render()

    def _on_pick_county(self, area: str) -> None:
        """A county's bar clicked: show its units; the chosen county clicked again: the whole city."""
        self.area.value = dd.ALL if self.area.value == area else area

    def _on_language(self, _change=None) -> None:
        self._set_options()
        self.render()

    def _on_reload(self, _button=None) -> None:
        try:
            self.data = fetch(self._archive)
        except Exception:  # noqa: BLE001 - keep showing what was read before; say so
            log.exception("dashboard reload failed")
            self.status.value = f'<span class="wb-alert">{_e(t("dash_error", self.lang))}</span>'
            return
        self._svg.clear()
        self._set_options()
        self.render()

    def _set_options(self, default: bool = False) -> None:
        """Fill the drop-downs in the current language, keeping (or defaulting) the choice."""
        rounds, lang = self.data.rounds, self.lang
        done = set(rounds.loc[rounds["status"] == dd.COMPLETED, "year"].astype(int))
        years = [(t("dash_year_label" if y in done else "dash_year_open", lang, year=y), y)
                 for y in dd.year_options(rounds)]
        areas = [(t("dash_all_areas", lang) if a == dd.ALL else area_name(self.org, a, lang), a)
                 for a in dd.area_options(rounds, self.org.areas)]
        year = dd.default_year(rounds) if default else self.year.value
        area = dd.ALL if default else self.area.value
        self._busy = True
        try:
            self.year.options, self.area.options = years, areas
            self.year.value = year if year in dict(years).values() else (years[0][1] if years else None)
            self.area.value = area if area in dict(areas).values() else dd.ALL
            self.year.description, self.area.description = t("year", lang), t("area", lang)
            self.reload.description = t("dash_reload", lang)
            self.late_only.description = t("dash_flags_late_only", lang)
        finally:
            self._busy = False

    # -------------------------------------------------------------------- rendering
    def render(self) -> None:
        try:
            self._render()
        except Exception:  # noqa: BLE001 - a leader sees a sentence, the log keeps the details
            log.exception("dashboard render failed")
            self.status.value = f'<span class="wb-alert">{_e(t("dash_error", self.lang))}</span>'

    def _render(self) -> None:
        """Build every part first, then swap them in one after the other with nothing slow in
        between, so the page does not show one scope's cards beside another scope's charts for
        long. The status line, set last, carries the scope in ``data-scope`` (tests wait for it)."""
        lang, year, area = self.lang, self.year.value, self.area.value
        results, cat = self.data.results, self.catalogue
        scope = dd.in_scope(results, year, area)
        parts = {
            self.header: (f'<h1>{_e(t("dash_title", lang))}</h1>'
                          f'<div class="wb-subtitle">{_e(t("dash_subtitle", lang, place=self.org.place(self.org.own, lang)))}</div>'),
            self.cards: self._cards_html(dd.headline(results, cat, year, area, self.data.extras)),
            self.units_chart: self._units_html(scope),
            self.trend_chart: self._trend_html(area),
            self.poor_chart: self._poor_html(area),
            self.panel: self._panel_html(year, area),
            self.effect: self._effect_html(area),
        }
        counties = dd.county_ranking(dd.in_scope(results, year, dd.ALL), cat)
        flags = dd.red_flags(scope, cat, self.data.extras, lang)
        for w, value in parts.items():
            w.value = value
        self._show_counties(counties, area)
        self._show_flags(flags)
        as_of = t("dash_as_of", lang, time=self.data.as_of.strftime("%Y-%m-%d %H:%M"))
        self.status.value = (f'<span class="wb-subtitle wb-status" data-scope="{_e(self.scope_key)}">'
                             f'{_e(as_of)}</span>')

    @property
    def scope_key(self) -> str:
        """``year|area|lang`` of what is on the page."""
        return f"{self.year.value}|{self.area.value}|{self.lang}"

    def _cards_html(self, h: dict) -> str:
        lang, limit = self.lang, f"{self._limit:g}"

        def card(key: str, label: str, value: object, sub: str = "", kind: str = "") -> str:
            return (f'<div class="wb-card {kind}" data-key="{key}"><div class="wb-label">{_e(label)}</div>'
                    f'<div class="wb-num">{_e(value)}</div><div class="wb-sub">{_e(sub)}</div></div>')

        parts = [
            card("matters", t("dash_card_matters", lang), h["matters"],
                 t("dash_card_split", lang, city=h["city_matters"], county=h["county_matters"])),
            card("avg_pct", t("dash_card_avg", lang), _pct(h["avg_pct"])),
            card("units_under", t("dash_card_units_under", lang, limit=limit), h["units_under"],
                 t("dash_card_of_units", lang, units=h["units"]), "wb-alert" if h["units_under"] else ""),
            card("matters_under", t("dash_card_matters_under", lang, limit=limit), h["matters_under"], "",
                 "wb-alert" if h["matters_under"] else ""),
            card("late", t("dash_card_late", lang), h["late"], t("dash_card_late_sub", lang)),
        ]
        if h["unfinished"]:
            parts.append(card("unfinished", t("dash_card_unfinished", lang), h["unfinished"]))
        if "open_rectifications" in h:
            parts.append(card("open_rectifications", t("dash_card_rect", lang), h["open_rectifications"],
                              t("dash_card_rect_sub", lang, n=h["overdue_rectifications"]),
                              "wb-alert" if h["overdue_rectifications"] else ""))
        for key in ("proposals", "suspensions"):
            if key in h:
                drafts = h.get(f"{key}_draft", 0)
                parts.append(card(key, t(f"dash_card_{key}", lang), h[key],
                                  t("dash_card_drafts", lang, n=drafts) if drafts else t("dash_card_signed", lang),
                                  "wb-alert" if h[key] else ""))
        if h["first_year"] is not None:
            parts.append(card("total", t("dash_card_total", lang, first=h["first_year"], last=h["last_year"]),
                              h["total_matters"],
                              t("dash_card_split", lang, city=h["total_city"], county=h["total_county"]),
                              "wb-total"))
        return f'<div class="wb-cards">{"".join(parts)}</div>'

    def _chart(self, name: str, key: tuple, build) -> str:
        """Inline SVG of a chart, cached per name, scope and language."""
        k = (name, *key, self.lang)
        if k not in self._svg:
            chart = _untitled(build())
            if self.lang == "en":
                chart = charts.english_bands(chart, self.catalogue.bands)
            self._svg[k] = charts.to_svg(chart)
        return f'<div class="wb-chart" data-chart="{name}">{self._svg[k]}</div>'

    def _section(self, title: str, body: str, note: str = "", key: str = "") -> str:
        note_html = f'<div class="wb-note">{_e(note)}</div>' if note else ""
        return f'<div class="wb-section" data-section="{key}"><h3>{_e(title)}</h3>{note_html}{body}</div>'

    def _empty(self) -> str:
        return f'<div class="wb-note">{_e(t("dash_no_data", self.lang))}</div>'

    def _units_html(self, scope: pd.DataFrame) -> str:
        lang = self.lang
        ranking = dd.unit_ranking(scope, self.catalogue)
        title = t("dash_units_title", lang)
        if ranking.empty:
            return self._section(title, self._empty(), key="units")
        shown = dd.top_and_bottom(ranking, RANKING_ENDS)
        note = t("dash_units_topbottom", lang, n=RANKING_ENDS, total=len(ranking)) if len(shown) < len(ranking) else ""
        data = shown.assign(unit_name=[f"{r}. {n}" for r, n in zip(shown["rank"], shown["unit_name"], strict=True)])
        svg = self._chart("units", (self.year.value, self.area.value),
                          lambda: charts.completion_by_unit(data, lang))
        return self._section(title, svg, note, key="units")

    def _show_counties(self, ranking: pd.DataFrame, area: str) -> None:
        """Every county of the year, whatever the area chosen: the chosen one is marked ◀."""
        lang = self.lang
        if len(ranking) < 2:
            self.counties.widget.layout.display = "none"
            return
        self.counties.widget.layout.display = "flex"
        title = self._section(t("dash_counties_title", lang), "", t("dash_counties_hint", lang), key="counties")
        names = {a: area_name(self.org, a, lang) for a in ranking["area"]}
        self.counties.show(title, ranking, names, area)

    def _show_flags(self, flags: pd.DataFrame) -> None:
        """Every red flag, most serious first, a page at a time (``FlagPages``)."""
        lang, cat = self.lang, self.catalogue
        if self.late_only.value:
            flags = flags[flags["late"]]
        self.flag_rows = flags
        counts = flags["kind"].value_counts()
        labels = {k: t(f"dash_flag_{k}", lang, limit=f"{self._limit:g}") for k in dd.FLAG_KINDS}
        note = " · ".join(f"{labels[k]} {int(counts[k])}" for k in dd.FLAG_KINDS if k in counts)
        if flags.empty:
            note = t("dash_no_flags", lang)
        heads = [t("dash_flag_kind", lang), t("area", lang), t("unit_name", lang), t("matter_id", lang),
                 t("category", lang), t("completion_pct", lang), t("dash_flag_age", lang), t("dash_flag_detail", lang)]
        rows = []
        for r in flags.itertuples(index=False):
            category = cat.category_name(r.category, lang) if r.category in cat.categories else r.category
            rows.append(
                f'<tr><td><span class="wb-kind wb-kind-{_e(r.kind)}">{_e(labels[r.kind])}</span></td>'
                f'<td>{_e(area_name(self.org, r.area, lang))}</td><td>{_e(r.unit_name)}</td>'
                f'<td>{_e(r.matter_id)}</td><td>{_e(category)}</td><td class="wb-n">{_pct(r.completion_pct)}</td>'
                f'<td class="wb-age">{_e(t("dash_flag_age_yes", lang) if r.late else "")}</td>'
                f'<td class="wb-wrap">{_e(r.detail)}</td></tr>')
        self.flag_pages.show(lambda table: self._section(t("dash_flags_title", lang), table, note, key="flags"),
                             "".join(f"<th>{_e(h)}</th>" for h in heads), rows, lang)

    def _trend_html(self, area: str) -> str:
        lang, cat = self.lang, self.catalogue
        trend = dd.trend_by_category(self.data.results, area)
        title = t("dash_trend_title", lang)
        if trend.empty:
            return self._section(title, self._empty(), key="trend")
        order = {c: i for i, c in enumerate(cat.categories)}
        trend = trend.sort_values(["year", "category"], key=lambda c: c.map(order) if c.name == "category" else c)
        data = trend.assign(category_name=[cat.category_name(c, lang) for c in trend["category"]])
        svg = self._chart("trend", (area,), lambda: charts.completion_by_year_and_category(data, lang))
        return self._section(title, svg, key="trend")

    def _poor_html(self, area: str) -> str:
        lang = self.lang
        shares = dd.poor_share_by_year(self.data.results, self.catalogue, area)
        title = t("dash_poor_title", lang, limit=f"{self._limit:g}")
        if shares.empty:
            return self._section(title, self._empty(), key="poor")
        data = shares.rename(columns={"poor_share": "share", "poor": "count", "matters": "of"})
        svg = self._chart("poor", (area,), lambda: charts.share_by_year(data, lang))
        return self._section(title, svg, key="poor")

    def _effect_html(self, area: str) -> str:
        extras = self.data.extras
        if "cycles" not in extras or "work_log" not in extras:
            return ""
        return effect_html(extras["cycles"], extras["work_log"], self.data.rounds, self.catalogue, area, dd.ALL,
                           self.lang, lambda title, body, note: self._section(title, body, note, key="effect"))

    def _panel_html(self, year: int | None, area: str) -> str:
        lang, cat = self.lang, self.catalogue
        panel = dd.county_panel(self.data.results, self.data.rounds, cat, self.data.extras.get("filings"))
        if panel.empty:
            return ""
        years = sorted(panel["year"].unique())
        summary = dd.county_summary(panel).set_index("area")
        cells = panel.set_index(["area", "year"])
        status_word = {"completed": t("dash_round_completed", lang), "open": t("dash_round_open", lang)}
        heads = [t("county", lang)] + [t("dash_year_label", lang, year=y) for y in years] + [t("dash_all_years", lang)]
        rows = []
        for a in summary.index:
            tds = [f"<td>{_e(area_name(self.org, a, lang))}</td>"]
            for y in years:
                if (a, y) not in cells.index:
                    tds.append(f'<td class="wb-n">{_e(t("dash_no_round", lang))}</td>')
                    continue
                c = cells.loc[(a, y)]
                status = "" if c["status"] == dd.COMPLETED else f' · {_e(status_word.get(c["status"], c["status"]))}'
                word = t(f"filing_status_{c.get('filing')}", lang)  # a status code in words; other text as is
                filing = (f' · {_e(t("dash_filing", lang))} {_e(c["filing"] if word.startswith("filing_") else word)}'
                          if "filing" in c and isinstance(c["filing"], str) else "")
                tds.append(f'<td class="wb-n">{self._band_span(c["completion_pct"])} · '
                           f'{_e(t("dash_n_matters", lang, n=int(c["matters"])))} · '
                           f'{_e(t("dash_poor_count", lang, n=int(c["poor"])))}{status}{filing}</td>')
            s = summary.loc[a]
            tds.append(f'<td class="wb-n">{self._band_span(s["completion_pct"])} · '
                       f'{_e(t("dash_n_matters", lang, n=int(s["matters"])))}</td>')
            hl = ' class="wb-hl"' if a == area else ""
            rows.append(f"<tr{hl}>{''.join(tds)}</tr>")
        table = ('<table class="wb-table wb-panel"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in heads)
                 + f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')
        return self._section(t("dash_panel_title", lang), table, key="panel")

    def _band_span(self, pct: object) -> str:
        if pct is None or pd.isna(pct):
            return "—"
        order = self.catalogue.band_order
        band = next((b for b, _, lo in self.catalogue.bands if float(pct) >= lo), order[-1])
        return f'<span class="wb-band-{order.index(band)}">{_pct(pct)}</span>'


def show_dashboard(db: str | None = None, lang: str | None = None) -> Dashboard:
    """Open the archive read-only, build the page and display it (the notebook's one call)."""
    from IPython.display import display

    dashboard = Dashboard(Archive(db, read_only=True), lang=lang or "zh")
    display(dashboard.widget)
    return dashboard


"""The thematic evaluation report (专题问效报告) of a round, as one self-contained HTML file.

Filled from an office-editable Jinja2 template (``templates/thematic_report.html.j2``); its charts
are inline SVG from ``charts.to_svg``, so the page has no script and loads nothing from anywhere.
It states the catalogue hash, weights, software version and seal of the results it reports.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jinja2
import jinja2.meta
import pandas as pd

from workbench.archive import Archive
from workbench.core import Catalogue, cycle_change, cycle_trend
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.organisation import area_name
from workbench.paths import TEMPLATES, atomic_write
from workbench.rounds import indicator_detail, read_cycles
from workbench.scoring import rank_units
from workbench.views import charts

from .letters import TemplateError, office_name
from .rectification import items_as_of
from .result_use import decisions_table, read_decisions
from .sealing import seal_of, sealed_results

TEMPLATE = TEMPLATES / "thematic_report.html.j2"
REQUIRED = frozenset({"title", "charts", "units", "items", "decisions", "provenance"})

register({
    "report_version": {"zh": "本轮第 {n} 版结果", "en": "results version {n} of the round"},
    "report_title": {"zh": "{area}{year}年度机构编制事项跟踪问效专题报告",
                     "en": "{area}: follow-up evaluation of staffing matters, {year} — thematic report"},
    "report_overview": {
        "zh": "本轮问效对 {units} 个单位的 {matters} 项机构编制事项进行了综合评定,平均完成情况百分比 {mean}%,"
              "其中“差”等次 {poor} 项;已下达整改事项 {items} 项。",
        "en": "This round assessed {matters} matters of {units} units; mean completion {mean}%, {poor} rated poor; "
              "{items} rectification items were issued."},
    "report_overview_h": {"zh": "总体情况", "en": "Overview"},
    "report_ranking": {"zh": "单位完成情况百分比排名", "en": "Units ranked by completion"},
    "report_bands": {"zh": "等次分布", "en": "Bands"},
    "report_problems": {"zh": "主要问题分布(各指标失分)", "en": "Where points were lost (by indicator)"},
    "report_rectification": {"zh": "整改落实情况", "en": "Rectification"},
    "report_decisions": {"zh": "结果运用", "en": "Result use"},
    "report_provenance": {"zh": "数据来源与版本", "en": "Provenance"},
    "report_no_items": {"zh": "本轮未下达整改事项。", "en": "No rectification items in this round."},
    "report_no_decisions": {"zh": "本轮暂无结果运用决定。", "en": "No result-use decisions for this round."},
    "report_effect": {"zh": "落实效率(批复至科室设置完成)", "en": "How fast matters were carried out"},
    "report_effect_note": {"zh": "{first}年至{last}年,科室设置周期由 {a} 个月变为 {b} 个月,缩短 {pct}%",
                           "en": "From {first} to {last} the section-setup cycle went from {a} to {b} months ({pct}% shorter)"},
    "report_mean_pct": {"zh": "平均完成情况百分比", "en": "Mean completion %"},
    "eval_date": {"zh": "评定日期", "en": "Evaluated"},
    "wl_documents": {"zh": "调阅文件资料", "en": "Documents read"},
    "wl_questions": {"zh": "询问问题", "en": "Questions asked"},
    "wl_items_verified": {"zh": "调查核实事项", "en": "Items verified"},
    "wl_suggestions": {"zh": "征求意见建议", "en": "Suggestions"},
})


def check_html_template(path: Path = TEMPLATE, required: frozenset[str] = REQUIRED) -> jinja2.Template:
    try:
        source = Path(path).read_text(encoding="utf-8")
        env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
        used = jinja2.meta.find_undeclared_variables(env.parse(source))
    except (OSError, jinja2.TemplateError) as exc:
        raise TemplateError(t("err_template_file", template=path) + f" ({exc})") from exc
    missing = sorted(required - used)
    if missing:
        raise TemplateError(t("err_template_missing", template=Path(path).name, missing=", ".join(missing)))
    return env.from_string(source)


def _pct(v) -> str:
    return "—" if pd.isna(v) else f"{v:.1f}"


def report_context(archive: Archive, round_id: str, as_of: date, lang: str = "zh",
                   catalogue: Catalogue | None = None) -> dict:
    catalogue = catalogue or load_catalogue()
    rnd = archive.get_round(round_id)
    res = sealed_results(archive, round_id)
    names = archive.unit_names()
    ranked = rank_units(res, catalogue).assign(unit_name=lambda d: d["unit_id"].map(names))
    detail = indicator_detail(archive, round_id, catalogue).assign(unit_name=lambda d: d["unit_id"].map(names))
    items = items_as_of(archive, as_of, round_id)
    dec = read_decisions(archive)
    dec = dec[dec["round_id"] == round_id]
    shown = decisions_table(dec, lang).assign(unit_name=dec["unit_id"].map(names).fillna(""))
    runs = archive.scoring_runs(round_id)
    seal = seal_of(archive, round_id)
    run = runs[runs["run_id"] == int(res["run_id"].iloc[0])].iloc[0] if len(res) else None
    band_counts = res["band"].value_counts()
    org = archive.organisation()
    area = area_name(org, rnd["area"], lang)
    provenance = "" if run is None else (
        f"{t('report_version', lang, n=archive.run_version(run['run_id']))} · {t('catalogue_hash', lang)} "
        f"{run['catalogue_hash'][:16]} · {t('weights_hash', lang)} {run['weights_hash'][:16]} "
        f"· {t('software_version', lang)} {run['software_version']} · {run['computed_at']}"
        + (f" · {t('seal_hash', lang)} {seal['results_hash'][:16]} ({seal['sealed_at']})" if seal else ""))
    charts.use_offline_renderer()  # the workbench theme: CJK fonts in the SVGs
    return {
        "lang": lang, "title": t("report_title", lang, area=area, year=int(rnd["year"])),
        "office": office_name(org, rnd["area"]) if lang == "zh" else area, "eval_date": rnd["eval_date"],
        "as_of": as_of,
        "overview": t("report_overview", lang, units=len(ranked), matters=len(res), mean=_pct(res["completion_pct"].mean()),
                      poor=int(band_counts.get("差", 0)), items=len(items)),
        "n_units": len(ranked), "n_matters": len(res), "bands": catalogue.band_order,
        "band_names": {b: catalogue.band_name(b, lang) for b in catalogue.band_order},
        "band_counts": {b: int(band_counts.get(b, 0)) for b in catalogue.band_order},
        "mean_pct": _pct(res["completion_pct"].mean()),
        "work_log": {t(f"wl_{k}", lang): v for k, v in archive.work_log(round_id).items()},
        "units": [{"rank": "—" if pd.isna(u["rank"]) else int(u["rank"]), "unit_name": u["unit_name"],
                   "matters": int(u["matters"]), "completion_pct": _pct(u["completion_pct"]), "band": u["band"] or "—"}
                  for u in ranked.to_dict("records")],
        "unit_headers": [t("rank", lang), t("unit_name", lang), t("matters_count", lang),
                         t("completion_pct", lang), t("band", lang)],
        "items": [{"unit_name": names.get(i["unit_id"], i["unit_id"]), "matter_id": i["matter_id"],
                   "indicator": catalogue.name(i["indicator_id"], lang), "deadline": i["deadline"],
                   "state": t(f"state_{i['state']}", lang)} for i in items.to_dict("records")],
        "item_headers": [t("unit_name", lang), t("matter_id", lang), t("indicator", lang), t("deadline", lang),
                         t("state", lang)],
        "decisions": shown.to_dict("records"),
        "decision_headers": [t("rule", lang), t("unit_name", lang), t("status", lang), t("reason_text", lang)],
        "charts": {
            "completion": charts.to_svg(_bands_in(charts.completion_by_unit(ranked, lang), catalogue, lang)),
            "bands": charts.to_svg(_bands_in(charts.band_distribution(res, lang), catalogue, lang)),
            "heatmap": charts.to_svg(charts.points_lost_heatmap(detail[detail["lost"] > 0], lang)),
        },
        "provenance": provenance,
        "effect": _effect(archive, rnd, catalogue, lang),
        "labels": {"eval_date": t("eval_date", lang), "as_of": t("as_of", lang),
                   "overview": t("report_overview_h", lang), "units_count": t("units_count", lang),
                   "matters_count": t("matters_count", lang), "mean_pct": t("report_mean_pct", lang),
                   "ranking": t("report_ranking", lang), "bands": t("report_bands", lang),
                   "problems": t("report_problems", lang), "rectification": t("report_rectification", lang),
                   "decisions": t("report_decisions", lang), "provenance": t("report_provenance", lang),
                   "no_items": t("report_no_items", lang), "no_decisions": t("report_no_decisions", lang)},
    }


def _effect(archive: Archive, rnd: dict, catalogue: Catalogue, lang: str) -> dict:
    """The round's area, year by year up to this round: months from approval to the sections set up
    per category (the source's measure of the evaluation's effect) and registrations recorded."""
    cycles = read_cycles(archive)
    if cycles.empty:
        return {"rows": []}
    cycles = cycles[(cycles["area"] == rnd["area"]) & (cycles["year"] <= int(rnd["year"]))]
    if cycles.empty:
        return {"rows": []}
    wide = cycle_trend(cycles, ["year", "category"]).pivot(index="year", columns="category", values="sections_months")
    cats = [c for c in catalogue.categories if c in wide.columns]
    regs = cycles.groupby("year")["registered_on"].count()
    rows = [[int(y), *(_pct(wide.at[y, c]) for c in cats), int(regs.get(y, 0))] for y in wide.index]
    change = cycle_change(cycle_trend(cycles, ["year"]))
    first, last = wide.index[0], wide.index[-1]
    overall = cycle_trend(cycles, ["year"]).set_index("year")["sections_months"]
    note = "" if change is None else t("report_effect_note", lang, first=first, last=last, a=_pct(overall[first]),
                                       b=_pct(overall[last]), pct=f"{change * 100:.0f}")
    return {"title": t("report_effect", lang), "note": note, "rows": rows,
            "headers": [t("year", lang), *(f"{catalogue.category_name(c, lang)} · {t('sections_months', lang)}"
                                           for c in cats), t("registrations", lang)]}


def _bands_in(chart, catalogue: Catalogue, lang: str):
    return charts.english_bands(chart, catalogue.bands) if lang == "en" else chart


def render_report(archive: Archive, round_id: str, as_of: date, lang: str = "zh",
                  catalogue: Catalogue | None = None, template: Path = TEMPLATE) -> str:
    tpl = check_html_template(template)
    return tpl.render(**report_context(archive, round_id, as_of, lang, catalogue))


def write_report(archive: Archive, round_id: str, path: Path, as_of: date, lang: str = "zh",
                 catalogue: Catalogue | None = None, template: Path = TEMPLATE) -> Path:
    return atomic_write(path, render_report(archive, round_id, as_of, lang, catalogue, template))

"""``reports/<year>/index.html``: every round of the year linked, with the year's overview.

Built from what the batch produced — each successful round's result table — so the overview
says exactly what the reports say: matters by level and category, bands, units under 60%, and
which rounds failed and why. Plain HTML with an inline SVG chart: it opens from a file share on a
closed network.
"""

from __future__ import annotations

import html
from pathlib import Path

import jinja2
import pandas as pd

from workbench import __version__
from workbench.core import CATEGORIES
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.organisation import Organisation, area_name, default_organisation
from workbench.paths import TEMPLATES, atomic_write
from workbench.scoring import rank_units
from workbench.views import band_distribution, to_svg

from .params import YearPlan, round_title

TEMPLATE = "batch_index.html.j2"
BANDS = ("优", "良", "中", "差")

register({
    "bi_title": {"zh": "{year}年度{place}机构编制事项跟踪问效 · 报告索引",
                 "en": "{year} follow-up evaluation, {place} — report index"},
    "bi_rounds": {"zh": "各轮次报告", "en": "Rounds"},
    "bi_overview": {"zh": "年度概况", "en": "Overview of the year"},
    "bi_by_level_category": {"zh": "按层级和类别统计事项数", "en": "Matters by level and category"},
    "bi_bands": {"zh": "等次分布", "en": "Bands"},
    "bi_under_60": {"zh": "完成情况低于60%的单位", "en": "Units under 60%"},
    "bi_none": {"zh": "无", "en": "none"},
    "bi_total": {"zh": "合计", "en": "Total"},
    "bi_report": {"zh": "报告", "en": "Report"},
    "bi_table": {"zh": "结果表", "en": "Result table"},
    "bi_seconds": {"zh": "用时(秒)", "en": "Seconds"},
    "bi_letters": {"zh": "反馈函", "en": "Letters"},
    "bi_failed_rounds": {"zh": "失败的轮次", "en": "Failed rounds"},
    "bi_provenance": {"zh": "指标目录哈希 {catalogue} · 软件版本 workbench {version}",
                      "en": "catalogue hash {catalogue} · software workbench {version}"},
})


def _rounds_in_order(rounds: dict[str, dict], org: Organisation) -> list[tuple[str, str, dict]]:
    """``(round_id, area, manifest entry)``, the office's own area first: every round the year's
    manifest holds, also those an ``--areas`` run left alone."""
    areas = list(org.areas)
    listed = [(rid, e["area"], e) for rid, e in rounds.items() if e.get("area") in areas]
    return sorted(listed, key=lambda r: areas.index(r[1]))


def year_results(plan: YearPlan, rounds: dict[str, dict]) -> pd.DataFrame:
    """The result tables of the year's successful rounds, stacked."""
    frames = []
    for rid, area, entry in _rounds_in_order(rounds, plan.org or default_organisation()):
        csv = plan.output / area / f"{rid}.csv"
        if entry.get("status") == "ok" and csv.is_file():
            frames.append(pd.read_csv(csv, encoding="utf-8-sig", dtype={"area": str, "unit_id": str}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["round_id", "area", "level", "unit_id", "unit_name", "category", "band",
                 "completion_pct", "status", "matter_id"])


def overview(results: pd.DataFrame, lang: str = "zh", org: Organisation | None = None) -> dict:
    """Counts by level × category, by band, and the units under 60% (a unit's mean over its
    complete matters, as in the round reports)."""
    org = org or default_organisation()
    levels = [org.level] + ([org.subordinate_level] if org.subordinate_level else [])
    table = (results.groupby(["level", "category"]).size().unstack(fill_value=0)
             .reindex(index=levels, columns=list(CATEGORIES), fill_value=0))
    table.index.name = table.columns.name = None
    table[t("bi_total", lang)] = table.sum(axis=1)
    table.loc[t("bi_total", lang)] = table.sum()
    table = table.rename(index=lambda x: t(x, lang), columns=lambda c: t(c, lang) if c in CATEGORIES else c)
    bands = results["band"].value_counts().reindex(list(BANDS), fill_value=0)
    units = []
    if len(results):
        catalogue = load_catalogue()
        for (rid, area), part in results.groupby(["round_id", "area"], sort=False):
            ranked = rank_units(part, catalogue)
            names = part.drop_duplicates("unit_id").set_index("unit_id")["unit_name"]
            low = ranked[ranked["completion_pct"] < 60]
            units += [{"area": area_name(org, area, lang), "round_id": rid, "unit": names[u],
                       "pct": p, "matters": m}
                      for u, p, m in zip(low["unit_id"], low["completion_pct"], low["matters"])]
    return {"level_category": table, "bands": bands, "under_60": units}


def write_index(plan: YearPlan, rounds: dict[str, dict], lang: str | None = None) -> Path:

    lang = lang or "zh"
    results = year_results(plan, rounds)
    org = plan.org or default_organisation()
    view = overview(results, lang, org)
    rows = []
    for rid, area, entry in _rounds_in_order(rounds, org):
        part = results[results["round_id"] == rid]
        rows.append({
            "round_id": rid, "area": area_name(org, area, lang), "status": entry.get("status"),
            "title": round_title(org, plan.year, area, lang), "href": f"{area}/{rid}", "area_dir": area,
            "units": part["unit_id"].nunique(), "matters": len(part), "seconds": entry.get("seconds"),
            "bands": {b: int((part["band"] == b).sum()) for b in BANDS},
            "error": entry.get("error"),
            "letters": sum(n.startswith("letters/") for n in entry.get("outputs", {})),
        })
    chart = to_svg(band_distribution(results, lang, title=t("bi_bands", lang))) if len(results) else ""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=True)
    page = env.get_template(TEMPLATE).render(
        t=lambda key, **kw: t(key, lang, **kw), lang=lang, year=plan.year, rows=rows,
        bands=BANDS, level_category=view["level_category"].to_html(border=0, classes="wb-table"),
        band_counts=view["bands"], under_60=view["under_60"], chart=chart,
        catalogue=plan.catalogue_hash, version=__version__, escape=html.escape, place=org.place(org.own, lang),
    )
    return atomic_write(plan.output / "index.html", page)

"""What the evaluation changed, as the source measured it: how many months matters took to be
carried out (组建到位、科室设置完成、法人登记), by year and category, beside the on-site work
(documents read, questions asked, facts checked, opinions collected) of each year's rounds."""

from __future__ import annotations

import html

import pandas as pd

from workbench.core import Catalogue, cycle_change, cycle_trend
from workbench.labels import register, t
from workbench.views import charts

register({
    "dash_effect_title": {"zh": "落实效率与现场核查工作量", "en": "How fast matters were carried out, and the on-site work"},
    "dash_effect_cycle": {"zh": "市级单位科室设置周期由 {first} 个月缩短为 {last} 个月,组建效率提升 {pct}%",
                          "en": "City units' section-setup cycle fell from {first} to {last} months ({pct}% faster)"},
    "dash_effect_city": {"zh": "市级科室设置周期(月)", "en": "City: section setup (months)"},
    "dash_effect_county": {"zh": "县级科室设置周期(月)", "en": "Counties: section setup (months)"},
})

WORK = ("documents", "questions", "items_verified", "suggestions")


def _area(df: pd.DataFrame, area: str, everything: str) -> pd.DataFrame:
    return df if area == everything or df.empty else df[df["area"] == area]


def cycle_by_category(cycles: pd.DataFrame, catalogue: Catalogue, lang: str) -> pd.DataFrame:
    """Mean section-setup months per year and category, the categories in the catalogue's order."""
    trend = cycle_trend(cycles, ["year", "category"])
    order = {c: i for i, c in enumerate(catalogue.categories)}
    trend = trend.assign(_o=trend["category"].map(order)).sort_values(["year", "_o"]).drop(columns="_o")
    return trend.assign(category_name=[catalogue.category_name(c, lang) for c in trend["category"]])


def effect_by_year(cycles: pd.DataFrame, work_log: pd.DataFrame, rounds: pd.DataFrame) -> pd.DataFrame:
    """Per year: the section-setup cycle of city and of county units, registrations recorded, and
    the on-site work of that year's rounds."""
    by_level = cycle_trend(cycles, ["year", "level"]).pivot(index="year", columns="level", values="sections_months")
    out = pd.DataFrame({"year": sorted(set(cycles["year"]) | set(rounds.loc[rounds["round_id"].isin(work_log["round_id"]), "year"]))})
    for level, col in (("city", "dash_effect_city"), ("county", "dash_effect_county")):
        out[col] = out["year"].map(by_level[level]) if level in by_level else None
    out["registrations"] = out["year"].map(cycles.groupby("year")["registered_on"].count()).fillna(0).astype(int)
    work = work_log.merge(rounds[["round_id", "year"]], on="round_id").groupby("year")[list(WORK)].sum()
    for k in WORK:
        out[k] = out["year"].map(work[k]).fillna(0).astype(int)
    return out


def effect_html(cycles: pd.DataFrame, work_log: pd.DataFrame, rounds: pd.DataFrame, catalogue: Catalogue,
                area: str, everything: str, lang: str, section) -> str:
    """The section of the scope: the cycle chart and the table by year; ``section(title, body,
    note)`` wraps them. Nothing recorded: nothing shown."""
    cycles = _area(cycles, area, everything)
    work_log = work_log[work_log["round_id"].isin(_area(rounds, area, everything)["round_id"])]
    if cycles.empty and work_log.empty:
        return ""
    table = effect_by_year(cycles, work_log, rounds) if len(cycles) else pd.DataFrame()
    heads = [t("year", lang), t("dash_effect_city", lang), t("dash_effect_county", lang), t("registrations", lang),
             *(t(k, lang) for k in WORK)]
    rows = "".join("<tr>" + "".join(
        f'<td class="wb-n">{"—" if pd.isna(v) else html.escape(f"{v:.1f}" if isinstance(v, float) else str(v))}</td>'
        for v in rec) + "</tr>" for rec in table.itertuples(index=False))
    body = ('<table class="wb-table wb-effect"><thead><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in heads)
            + f"</tr></thead><tbody>{rows}</tbody></table>")
    city = cycle_trend(cycles[cycles["level"] == "city"], ["year"]) if len(cycles) else pd.DataFrame()
    change = cycle_change(city) if len(city) else None
    note = "" if change is None else t("dash_effect_cycle", lang, first=f"{city['sections_months'].iloc[0]:.0f}",
                                       last=f"{city['sections_months'].iloc[-1]:.0f}", pct=f"{change * 100:.0f}")
    chart = (charts.to_svg(charts.completion_by_year_and_category(cycle_by_category(cycles, catalogue, lang), lang,
                                                                  value="sections_months"))
             if len(cycles) else "")
    return section(t("dash_effect_title", lang), f'<div class="wb-chart" data-chart="effect">{chart}</div>' + body,
                   note)

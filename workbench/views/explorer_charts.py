"""Charts of the weight explorer, as functions of data (tested on ``to_dict()``).

- ``slope_chart``: each unit's (or matter's) rank under the official weights and the scenario;
- ``rank_interval_chart``: the 5–95% rank interval of a Monte Carlo run, median as a dot,
  nominal rank as a tick;
- ``overtaking_chart``: the overtaking matrix (can the column outscore the row within ±spread);
- ``weights_chart``: official vs scenario weights per indicator;
- ``sobol_chart``: Sobol indices of the units' rank shift, with bootstrap intervals.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.labels import t

from .charts import CJK_FONT


def _label(df: pd.DataFrame) -> str:
    return "name" if "name" in df else ("unit_name" if "unit_name" in df else df.columns[0])


def slope_chart(table: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """``table``: a name column (name / unit_name / first column), rank_official, rank_scenario."""
    name = _label(table)
    off, scn = t("wx_official", lang), t("wx_scenario", lang)
    long = pd.concat([
        pd.DataFrame({"who": table[name].astype(str), "side": off, "rank": table["rank_official"]}),
        pd.DataFrame({"who": table[name].astype(str), "side": scn, "rank": table["rank_scenario"]}),
    ]).dropna(subset=["rank"])
    long["rank"] = long["rank"].astype(int)
    moved = table.set_index(table[name].astype(str))
    long["moved"] = long["who"].map(moved["rank_official"] != moved["rank_scenario"])
    base = alt.Chart(long, title=t("slope_title", lang)).encode(
        x=alt.X("side:N", sort=[off, scn], title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rank:Q", scale=alt.Scale(reverse=True, zero=False, nice=False), title=t("rank", lang)),
        detail="who:N",
        color=alt.Color("moved:N", scale=alt.Scale(domain=[False, True], range=["#9e9e9e", "#c62828"]),
                        legend=None),
    )
    lines = base.mark_line(point=True)
    labels = base.transform_filter(alt.datum.side == scn).mark_text(
        align="left", dx=6, fontSize=10, font=CJK_FONT).encode(text="who:N")
    return (lines + labels).properties(width=220, height=max(160, 18 * len(table)))


def rank_interval_chart(table: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """``table``: name column, rank_p05, median_rank, rank_p95, nominal_rank (robustness output)."""
    name = _label(table)
    data = table[[name, "rank_p05", "median_rank", "rank_p95", "nominal_rank"]].copy()
    data[name] = data[name].astype(str)
    for c in ("rank_p05", "median_rank", "rank_p95", "nominal_rank"):
        data[c] = pd.to_numeric(data[c], errors="coerce")
    order = list(data.sort_values("median_rank")[name])
    y = alt.Y(f"{name}:N", sort=order, title=None)
    base = alt.Chart(data, title=t("rank_interval_title", lang))
    bars = base.mark_rule(strokeWidth=3, color="#90caf9").encode(
        y=y, x=alt.X("rank_p05:Q", title=t("rank", lang), scale=alt.Scale(zero=False)), x2="rank_p95:Q")
    dots = base.mark_point(filled=True, size=60, color="#1565c0").encode(
        y=y, x="median_rank:Q",
        tooltip=[name, alt.Tooltip("nominal_rank:Q", title=t("nominal_rank", lang)),
                 alt.Tooltip("median_rank:Q", title=t("median_rank", lang)),
                 alt.Tooltip("rank_p05:Q", title=t("rank_p05", lang)),
                 alt.Tooltip("rank_p95:Q", title=t("rank_p95", lang))])
    ticks = base.mark_tick(color="#c62828", thickness=2).encode(y=y, x="nominal_rank:Q")
    return (bars + dots + ticks).properties(width=360, height=alt.Step(18))


def overtaking_chart(pairs: pd.DataFrame, spread: float, lang: str = "zh",
                     names: dict[str, str] | None = None) -> alt.Chart:
    """``pairs``: overtaking.unit_pairs/matter_pairs output (ahead, behind, can_overtake, pcts)."""
    names = names or {}
    d = pairs.copy()
    d["row"] = d["ahead"].map(lambda x: names.get(x, x))
    d["col"] = d["behind"].map(lambda x: names.get(x, x))
    d["answer"] = d["can_overtake"].map({True: t("ot_yes", lang), False: t("ot_no", lang)})
    d.loc[d["behind_pct"] > d["ahead_pct"], "answer"] = t("ot_already_ahead", lang)
    order = list(d.sort_values("ahead_pct", ascending=False)["row"].drop_duplicates())
    domain = [t("ot_no", lang), t("ot_yes", lang), t("ot_already_ahead", lang)]
    return alt.Chart(d, title=t("overtaking_title", lang, spread=spread)).mark_rect(stroke="white").encode(
        x=alt.X("col:N", sort=order, title=t("behind", lang), axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("row:N", sort=order, title=t("ahead", lang)),
        color=alt.Color("answer:N", scale=alt.Scale(domain=domain, range=["#2e7d32", "#f9a825", "#bdbdbd"]),
                        title=t("can_overtake", lang)),
        tooltip=["row", "col", "answer"],
    ).properties(width=alt.Step(20), height=alt.Step(20))


def weights_chart(weights: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """``weights``: indicator_id, category, official, scenario."""
    off, scn = t("wx_official", lang), t("wx_scenario", lang)
    long = weights.melt(id_vars=["indicator_id", "category"], value_vars=["official", "scenario"],
                        var_name="which", value_name="weight")
    long["which"] = long["which"].map({"official": off, "scenario": scn})
    return alt.Chart(long, title=t("weights_title", lang)).mark_bar().encode(
        x=alt.X("indicator_id:N", title=t("indicator", lang), sort=list(weights["indicator_id"])),
        xOffset=alt.XOffset("which:N", sort=[off, scn]),
        y=alt.Y("weight:Q", title=t("weight", lang)),
        color=alt.Color("which:N", sort=[off, scn], scale=alt.Scale(range=["#9e9e9e", "#1565c0"]), title=None),
    ).properties(width=alt.Step(9), height=160)


def sobol_chart(table: pd.DataFrame, lang: str = "zh") -> alt.Chart:
    """``table``: sensitivity.sobol_indices output — ST as bars with their interval, S as dots."""
    d = table.copy()
    base = alt.Chart(d, title=t("wx_sobol_title", lang)).encode(
        y=alt.Y("sobol_factor:N", sort=list(d["sobol_factor"]), title=None))
    bars = base.mark_bar(color="#90caf9").encode(
        x=alt.X("sobol_total:Q", title=t("sobol_total", lang), scale=alt.Scale(domain=[0, 1], clamp=True)))
    rule = base.mark_rule(color="#1565c0").encode(x="total_low:Q", x2="total_high:Q")
    dots = base.mark_point(filled=True, color="#c62828").encode(
        x="sobol_first:Q", tooltip=["sobol_factor", alt.Tooltip("sobol_first:Q", format=".2f"),
                                    alt.Tooltip("sobol_total:Q", format=".2f")])
    return (bars + rule + dots).properties(width=320, height=alt.Step(18))

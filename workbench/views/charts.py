"""Charts as functions of data: ``chart_x(df, lang) -> alt.Chart``, tested on ``to_dict()``.

Offline first: ``use_offline_renderer()`` makes Altair render static SVG through vl-convert, so
notebooks, nbconvert HTML and Voilà pages embed the drawing itself and never ask a CDN for
Vega's JavaScript. CJK labels use Noto Sans CJK (Debian's fonts-noto-cjk), which vl-convert and
browsers find on the system.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from workbench.labels import t

CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
BAND_COLOURS = {"优": "#2e7d32", "良": "#66bb6a", "中": "#f9a825", "差": "#c62828"}
BAND_ORDER = list(BAND_COLOURS)


def use_offline_renderer() -> None:
    """Render every chart as inline SVG (no scripts, no CDN) and use a CJK-capable font."""
    alt.renderers.enable("svg")
    alt.theme.enable("workbench")


@alt.theme.register("workbench", enable=False)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": CJK_FONT,
            "title": {"font": CJK_FONT, "fontSize": 15, "anchor": "start"},
            "axis": {"labelFont": CJK_FONT, "titleFont": CJK_FONT, "labelFontSize": 11},
            "legend": {"labelFont": CJK_FONT, "titleFont": CJK_FONT},
            "header": {"labelFont": CJK_FONT, "titleFont": CJK_FONT},
            "view": {"stroke": None},
        }
    }


def english_bands(chart, bands) -> alt.TopLevelMixin:
    """Band legends read 优/良/中/差 (the data's codes); in English, label them with the catalogue's
    words (``bands``: (code, English, lower bound) as ``Catalogue.bands``)."""
    cases = " : ".join(f"datum.label === {json.dumps(b)} ? {json.dumps(en)}" for b, en, _ in bands)
    expr = f"{cases} : datum.label"
    for layer in getattr(chart, "layer", None) or [chart]:
        enc = getattr(layer, "encoding", alt.Undefined)
        for channel in ("color", "x", "y"):
            c = getattr(enc, channel, alt.Undefined) if enc is not alt.Undefined else alt.Undefined
            if c is alt.Undefined or c.to_dict().get("field") != "band":
                continue
            if channel == "color":
                if c.to_dict().get("legend", {}) is not None:  # a legend left out stays out
                    c.legend = alt.Legend(labelExpr=expr)
            else:
                c.axis = alt.Axis(labelExpr=expr, labelAngle=0)
    return chart


def band_scale(lang: str = "zh") -> alt.Scale:
    return alt.Scale(domain=BAND_ORDER, range=list(BAND_COLOURS.values()))


def completion_by_unit(units: pd.DataFrame, lang: str = "zh", title: str | None = None) -> alt.Chart:
    """Horizontal bars of each unit's completion %, coloured by band, value printed on the bar.

    ``units`` has unit_name (or unit_id), completion_pct, band."""
    name = "unit_name" if "unit_name" in units else "unit_id"
    data = units[[name, "completion_pct", "band"]].dropna(subset=["completion_pct"])
    base = alt.Chart(data, title=title or t("completion_pct", lang)).encode(
        y=alt.Y(f"{name}:N", title=None,
                sort=alt.EncodingSortField("completion_pct", op="max", order="descending")),
        # Room past 100 for the printed value; ticks stop at 100.
        x=alt.X("completion_pct:Q", title=t("completion_pct", lang), scale=alt.Scale(domain=[0, 112]),
                axis=alt.Axis(values=list(range(0, 101, 20)))),
    )
    bars = base.mark_bar().encode(color=alt.Color("band:N", scale=band_scale(lang), title=t("band", lang)))
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(text=alt.Text("completion_pct:Q", format=".1f"))
    return (bars + text).properties(width=420, height=alt.Step(16))


def band_distribution(results: pd.DataFrame, lang: str = "zh", title: str | None = None) -> alt.Chart:
    """Count of matters per band, with the count on each bar."""
    counts = (results.dropna(subset=["band"]).groupby("band").size()
              .reindex(BAND_ORDER, fill_value=0).rename("n").reset_index())
    base = alt.Chart(counts, title=title or t("band", lang)).encode(
        x=alt.X("band:N", sort=BAND_ORDER, title=t("band", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("n:Q", title=t("matters_count", lang)),
    )
    bars = base.mark_bar().encode(color=alt.Color("band:N", scale=band_scale(lang), legend=None))
    return (bars + base.mark_text(dy=-6).encode(text="n:Q")).properties(width=260, height=200)


def points_lost_heatmap(detail: pd.DataFrame, lang: str = "zh", title: str | None = None) -> alt.Chart:
    """Indicator × unit heat map of the mean share of weight lost (where points were lost).

    ``detail`` is ``scoring.score_indicators`` output, optionally with unit_name."""
    name = "unit_name" if "unit_name" in detail else "unit_id"
    d = detail.dropna(subset=["fraction"]).assign(lost_share=lambda x: 1 - x["fraction"])
    agg = d.groupby([name, "indicator_id"], as_index=False)["lost_share"].mean()
    return alt.Chart(agg, title=title or t("indicator", lang)).mark_rect().encode(
        x=alt.X("indicator_id:N", title=t("indicator", lang)),
        y=alt.Y(f"{name}:N", title=None),
        color=alt.Color("lost_share:Q", scale=alt.Scale(scheme="orangered", domain=[0, 1]),
                        title=t("lost_share", lang)),
        tooltip=[name, "indicator_id", alt.Tooltip("lost_share:Q", format=".0%")],
    ).properties(width=alt.Step(22), height=alt.Step(16))


def to_svg(chart: alt.TopLevelMixin) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict(), vl_version=_vl_version())


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_dict(), scale=scale, vl_version=_vl_version())


def _vl_version() -> str:
    return "v" + alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0].replace(".", "_")


def completion_by_year_and_category(trend: pd.DataFrame, lang: str = "zh",
                                    title: str | None = None, value: str = "completion_pct") -> alt.Chart:
    """Grouped bars: a mean per year, one bar per category, value printed on each — completion %
    by default, or another measure of the same shape (``value="sections_months"``: the cycle).

    ``trend`` has year, category_name and ``value`` (``dashboard.data.trend_by_category`` with the
    category translated)."""
    order = list(dict.fromkeys(trend["category_name"]))  # as given: the catalogue's order
    pct = value == "completion_pct"
    y_scale = alt.Scale(domain=[0, 105]) if pct else alt.Scale(nice=True)
    base = alt.Chart(trend, title=title or t(value, lang)).encode(
        x=alt.X("year:O", title=t("year", lang), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("category_name:N", sort=order),
        y=alt.Y(f"{value}:Q", title=t(value, lang), scale=y_scale,
                axis=alt.Axis(values=list(range(0, 101, 20))) if pct else alt.Axis()),
    )
    bars = base.mark_bar().encode(color=alt.Color("category_name:N", title=t("category", lang), sort=order,
                                                  legend=alt.Legend(orient="bottom")))
    text = base.mark_text(dy=-5, fontSize=10).encode(text=alt.Text(f"{value}:Q", format=".1f"))
    return (bars + text).properties(width=alt.Step(34), height=200)


def share_by_year(shares: pd.DataFrame, lang: str = "zh", title: str | None = None,
                  colour: str = BAND_COLOURS["差"]) -> alt.Chart:
    """Bars of a share per year (e.g. matters in the lowest band), labelled "12.5% (23/184)".

    ``shares`` has year, share (0–1), count, of."""
    data = shares.assign(label=[f"{s:.1%} ({c}/{n})" for s, c, n in
                                zip(shares["share"], shares["count"], shares["of"], strict=True)])
    top = max(0.05, float(data["share"].max()) * 1.3) if len(data) else 0.05
    base = alt.Chart(data, title=title or t("band", lang)).encode(
        x=alt.X("year:O", title=t("year", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title=None, scale=alt.Scale(domain=[0, top]), axis=alt.Axis(format="%")),
    )
    bars = base.mark_bar(color=colour, size=36)
    text = base.mark_text(dy=-6, fontSize=11).encode(text="label:N")
    return (bars + text).properties(width=alt.Step(90), height=200)


def year_comparison_chart(series: pd.DataFrame, lang: str = "zh", title: str | None = None):
    """Grouped bars: mean completion % per category, this round beside the previous year's.

    ``series`` is ``year_series`` output."""
    import altair as alt

    base = alt.Chart(series, title=title or t("wt_prev_round", lang)).encode(
        x=alt.X("category_name:N", title=t("category", lang), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("round:N"),
        y=alt.Y("completion_pct:Q", title=t("completion_pct", lang), scale=alt.Scale(domain=[0, 105])),
    )
    bars = base.mark_bar().encode(color=alt.Color("round:N", title=t("round", lang),
                                                  legend=alt.Legend(orient="bottom")))
    text = base.mark_text(dy=-5, fontSize=10).encode(text=alt.Text("completion_pct:Q", format=".1f"))
    return (bars + text).properties(width=alt.Step(30), height=200)

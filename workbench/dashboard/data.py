"""The leaders' dashboard's figures: pure functions, DataFrames in, DataFrames out.

The one edge, ``fetch`` (in ``fetch.py``), reads the archive (opened read-only by the caller)
into a ``DashboardData``. Everything here takes those frames and a scope — a year and an area — and
returns the numbers the page shows: headline figures, unit and county rankings, red flags, trends
and the county panel. The area is ``all`` (the whole city: city level and every county), ``city``
(city-level units only) or a county's 6-digit division code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from workbench.core import Catalogue, reasons_in
from workbench.labels import register, t
from workbench.organisation import Organisation, is_subordinate, subordinate_mask
from workbench.scoring import COMPLETE, assign_bands, rank_desc, rank_units

ALL = "all"
ESTABLISH = "establish"  # the category whose matters under the pass mark are a red flag
COMPLETED = "completed"
#: red-flag kinds — what a leader must act on — most serious first. A matter's age (evaluated more
#: than 12 months after approval, ``late``) is information (a column and a filter), not a flag.
FLAG_KINDS = ("overdue_rectification", "poor", "suspension", "missing_filing", "unfinished")
FLAG_COLUMNS = ["kind", "round_id", "year", "area", "matter_id", "unit_name", "category", "completion_pct",
                "detail", "late"]

register({"dash_flag_item": {"zh": "“{indicator}”未按期整改", "en": "“{indicator}” not rectified by the deadline"}})


@dataclass(frozen=True)
class DashboardData:
    """What the dashboard reads, once per page (or per reload)."""

    results: pd.DataFrame  # one row per matter × round: result + unit name, level, county, late
    rounds: pd.DataFrame
    #: optional: "rectifications" (item states), "decisions", "filings" — see ``fetch``
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)
    as_of: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    org: Organisation | None = None  # the archive's organisation: area names, the office's place


def prepare_results(results: pd.DataFrame, units: pd.DataFrame, selection: pd.DataFrame) -> pd.DataFrame:
    """Current results with the unit's name, level and county and the matter's late flag."""
    u = units[["unit_id", "name", "level", "county"]].rename(columns={"name": "unit_name"})
    late = selection[["round_id", "matter_id", "late"]]
    out = results.merge(u, on="unit_id", how="left").merge(late, on=["round_id", "matter_id"], how="left")
    out["late"] = out["late"].fillna(False).astype(bool)
    out["year"] = out["year"].astype(int)
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------ scope
def year_options(rounds: pd.DataFrame) -> list[int]:
    """Every year with a round, latest first."""
    return sorted({int(y) for y in rounds["year"]}, reverse=True)


def default_year(rounds: pd.DataFrame) -> int | None:
    """The latest year with a completed round (else the latest year of any round)."""
    done = rounds[rounds["status"] == COMPLETED]
    pool = done if not done.empty else rounds
    return None if pool.empty else int(pool["year"].max())


def area_options(rounds: pd.DataFrame, order: tuple[str, ...] = ()) -> list[str]:
    """``all``, the office's own area when it has rounds, then the subordinates that have rounds,
    in ``order`` (the organisation's areas) and then code order."""
    areas = set(rounds["area"])
    known = [a for a in order if a in areas]
    rest = sorted(areas - set(known), key=lambda a: (is_subordinate(a), a))
    own = [a for a in known + rest if not is_subordinate(a)]
    return [ALL] + own + [a for a in known + rest if is_subordinate(a)]


def in_scope(results: pd.DataFrame, year: int | None = None, area: str = ALL) -> pd.DataFrame:
    """Results of one year (None: every year) and one area."""
    keep = pd.Series(True, index=results.index)
    if year is not None:
        keep &= results["year"] == int(year)
    if area != ALL:
        keep &= results["area"] == area
    return results[keep]


def poor_threshold(catalogue: Catalogue) -> float:
    """The completion % under which a matter is in the lowest band (60 with the official bands)."""
    return float(catalogue.bands[-2][2]) if len(catalogue.bands) > 1 else 0.0


# ------------------------------------------------------------------------------------ figures
def headline(results: pd.DataFrame, catalogue: Catalogue, year: int | None, area: str = ALL,
             extras: dict[str, pd.DataFrame] | None = None) -> dict[str, float | int | None]:
    """The headline figures of a scope, plus the running total over every completed round."""
    scope = in_scope(results, year, area)
    done = scope[scope["status"] == COMPLETE]
    limit = poor_threshold(catalogue)
    units = rank_units(done, catalogue) if not done.empty else pd.DataFrame(columns=["completion_pct"])
    everything = in_scope(results, None, area)
    closed = everything[(everything["round_status"] == COMPLETED) & (everything["status"] == COMPLETE)]
    years = sorted(closed["year"].unique())
    out: dict[str, float | int | None] = {
        "matters": len(done),
        "city_matters": int((~subordinate_mask(done["area"])).sum()),
        "county_matters": int(subordinate_mask(done["area"]).sum()),
        "unfinished": int((scope["status"] != COMPLETE).sum()),
        "avg_pct": round(float(done["completion_pct"].mean()), 1) if len(done) else None,
        "units": len(units),
        "units_under": int((units["completion_pct"] < limit).sum()),
        "matters_under": int((done["completion_pct"] < limit).sum()),
        "late": int(scope["late"].sum()),
        "total_matters": len(closed),
        "total_city": int((~subordinate_mask(closed["area"])).sum()),
        "total_county": int(subordinate_mask(closed["area"]).sum()),
        "first_year": int(years[0]) if years else None,
        "last_year": int(years[-1]) if years else None,
    }
    out.update(follow_through_counts(extras or {}, scope))
    return out


def follow_through_counts(extras: dict[str, pd.DataFrame], scope: pd.DataFrame) -> dict[str, int]:
    """Rectifications not yet passed (and how many are past their deadline), proposals and
    suspensions in force, for the scope's rounds — only when the archive has the follow-through
    tables. ``extras["rectifications"]`` is ``rules.item_states`` output; ``extras["decisions"]``
    the decisions table."""
    rounds = set(scope["round_id"])
    out: dict[str, int] = {}
    states = extras.get("rectifications")
    if states is not None:
        mine = states[states["round_id"].isin(rounds)]
        out["open_rectifications"] = int((mine["state"] != "passed").sum())
        out["overdue_rectifications"] = int((mine["state"] == "overdue").sum())
    decisions = extras.get("decisions")
    if decisions is not None:
        mine = decisions[decisions["round_id"].isin(rounds)]
        signed = mine[mine["status"] == "signed"]
        # a suspension is in force until a signed lift for the same round and unit follows it
        sus = signed[signed["rule"].isin(["suspension", "lift"])].sort_values(["decided_at", "decision_id"])
        last = sus.drop_duplicates(["round_id", "unit_id"], keep="last")
        drafts = mine[mine["status"] == "draft"]
        out["proposals"] = int((signed["rule"] == "proposal").sum())
        out["proposals_draft"] = int((drafts["rule"] == "proposal").sum())
        out["suspensions"] = int((last["rule"] == "suspension").sum())
        out["suspensions_draft"] = int((drafts["rule"] == "suspension").sum())
    return out


def unit_ranking(scope: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Every unit of the scope ranked by its mean completion %, with name, level and county."""
    done = scope[scope["status"] == COMPLETE]
    if done.empty:
        return pd.DataFrame(columns=["rank", "unit_id", "unit_name", "level", "county", "matters",
                                     "completion_pct", "lowest_pct", "band"])
    ranked = rank_units(done, catalogue)
    names = done[["unit_id", "unit_name", "level", "county"]].drop_duplicates("unit_id")
    out = ranked.merge(names, on="unit_id", how="left")
    return out[["rank", "unit_id", "unit_name", "level", "county", "matters", "completion_pct",
                "lowest_pct", "band"]]


def top_and_bottom(ranking: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """All rows when there are at most 2n, else the best n and the worst n."""
    if len(ranking) <= 2 * n:
        return ranking
    return pd.concat([ranking.head(n), ranking.tail(n)])


def county_ranking(scope: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Counties of the scope ranked by the mean completion % of their matters."""
    limit = poor_threshold(catalogue)
    done = scope[(scope["status"] == COMPLETE) & subordinate_mask(scope["area"])]
    agg = done.assign(poor=done["completion_pct"] < limit).groupby("area").agg(
        matters=("matter_id", "size"),
        completion_pct=("completion_pct", "mean"),
        poor=("poor", "sum"),
    ).reset_index()
    agg["completion_pct"] = agg["completion_pct"].round(1)
    agg["poor_share"] = (agg["poor"] / agg["matters"]).round(3)
    agg["band"] = assign_bands(agg["completion_pct"], catalogue)
    agg["rank"] = rank_desc(agg["completion_pct"])
    return agg.sort_values(["rank", "area"]).reset_index(drop=True)[
        ["rank", "area", "matters", "completion_pct", "poor", "poor_share", "band"]]


def suspensions_in_force(decisions: pd.DataFrame) -> pd.DataFrame:
    """Signed suspensions not (yet) lifted by a later signed lift for the same round and unit."""
    signed = decisions[(decisions["status"] == "signed") & decisions["rule"].isin(["suspension", "lift"])]
    last = signed.sort_values(["decided_at", "decision_id"]).drop_duplicates(["round_id", "unit_id"], keep="last")
    return last[last["rule"] == "suspension"]


def red_flags(scope: pd.DataFrame, catalogue: Catalogue, extras: dict[str, pd.DataFrame] | None = None,
              lang: str = "zh") -> pd.DataFrame:
    """What a leader must act on, most serious first (``FLAG_KINDS``): rectifications past their
    deadline (deadline and problem in ``detail``), establishment matters under the pass mark, suspensions in force,
    county rounds never filed with the city (deadline in ``detail``), then matters still unscored.
    The follow-through kinds appear when the archive has their tables. ``late`` (the matter was
    evaluated more than 12 months after approval) rides along as information on each matter row.
    ``detail`` is in ``lang``: a problem's stored words are Chinese, so in English the indicator's
    English name stands for it, and a suspension's reasons are re-worded from their facts."""
    extras = extras or {}
    limit = poor_threshold(catalogue)
    base = scope.assign(detail="")
    rounds = set(scope["round_id"])
    info = scope.drop_duplicates(["round_id", "matter_id"])
    parts = []
    states = extras.get("rectifications")
    if states is not None and not states.empty:
        overdue = states[(states["state"] == "overdue") & states["round_id"].isin(rounds)]
        if not overdue.empty:
            o = overdue[["round_id", "matter_id", "indicator_id", "deadline", "problem"]].merge(
                info.drop(columns=["unit_id"]), on=["round_id", "matter_id"], how="left")
            what = (o["problem"].astype(str) if lang == "zh" else
                    o["indicator_id"].map(lambda i: t("dash_flag_item", lang, indicator=catalogue.name(i, lang))))
            o["detail"] = o["deadline"].astype(str) + " · " + what
            parts.append(o.assign(kind="overdue_rectification"))
    # establishment (设立) matters under the pass mark: those the rules turn into a merge or cut-quota
    # proposal if not rectified in time; the other categories' low scores are in the rankings
    parts.append(base[(base["status"] == COMPLETE) & (base["category"] == ESTABLISH)
                      & (base["completion_pct"] < limit)].assign(kind="poor"))
    decisions = extras.get("decisions")
    if decisions is not None and not decisions.empty:
        sus = suspensions_in_force(decisions[decisions["round_id"].isin(rounds)])
        if not sus.empty:
            names = info.drop_duplicates("unit_id").set_index("unit_id")
            meta = info.drop_duplicates("round_id").set_index("round_id")
            parts.append(pd.DataFrame({
                "kind": "suspension", "round_id": sus["round_id"].to_numpy(),
                "year": sus["round_id"].map(meta["year"]).to_numpy(),
                "area": sus["round_id"].map(meta["area"]).to_numpy(),
                "matter_id": sus["matter_id"].to_numpy(),
                "unit_name": sus["unit_id"].map(names["unit_name"]).fillna(sus["unit_id"]).to_numpy(),
                "detail": (pd.to_datetime(sus["decided_at"]).dt.strftime("%Y-%m-%d").fillna("") + " · "
                           + reasons_in(sus, lang).fillna("").astype(str)).to_numpy()}))
    filings = extras.get("filings")
    if filings is not None and not filings.empty:
        missing = filings[(filings["status"] == "missing") & filings["round_id"].isin(rounds)]
        if not missing.empty:
            meta = info.drop_duplicates("round_id").set_index("round_id")
            deadline = missing["deadline"].astype(str) if "deadline" in missing else ""
            parts.append(pd.DataFrame({
                "kind": "missing_filing", "round_id": missing["round_id"].to_numpy(),
                "year": missing["round_id"].map(meta["year"]).to_numpy(),
                "area": missing["round_id"].map(meta["area"]).to_numpy(), "unit_name": "",
                "detail": pd.Series(deadline, index=missing.index).to_numpy()}))
    parts.append(base[base["status"] != COMPLETE].assign(kind="unfinished"))
    flags = pd.concat([p.reindex(columns=FLAG_COLUMNS) for p in parts if len(p)], ignore_index=True) \
        if any(len(p) for p in parts) else pd.DataFrame(columns=FLAG_COLUMNS)
    flags["late"] = flags["late"].astype("boolean").fillna(False).astype(bool)
    order = {k: i for i, k in enumerate(FLAG_KINDS)}
    flags["_order"] = flags["kind"].map(order)
    flags = flags.sort_values(["_order", "completion_pct", "round_id", "matter_id"], na_position="last")
    return flags.drop(columns="_order").reset_index(drop=True)


def trend_by_category(results: pd.DataFrame, area: str = ALL) -> pd.DataFrame:
    """Mean completion % per year × category over the completed rounds of an area."""
    d = _closed(results, area)
    out = d.groupby(["year", "category"]).agg(matters=("matter_id", "size"),
                                               completion_pct=("completion_pct", "mean")).reset_index()
    out["completion_pct"] = out["completion_pct"].round(1)
    return out


def poor_share_by_year(results: pd.DataFrame, catalogue: Catalogue, area: str = ALL) -> pd.DataFrame:
    """Per year: matters evaluated, how many fell under the pass mark, and their share."""
    d = _closed(results, area)
    d = d.assign(poor=d["completion_pct"] < poor_threshold(catalogue))
    out = d.groupby("year").agg(matters=("matter_id", "size"), poor=("poor", "sum")).reset_index()
    out["poor_share"] = (out["poor"] / out["matters"]).round(3)
    return out


def _closed(results: pd.DataFrame, area: str) -> pd.DataFrame:
    d = in_scope(results, None, area)
    return d[(d["round_status"] == COMPLETED) & (d["status"] == COMPLETE)]


def county_panel(results: pd.DataFrame, rounds: pd.DataFrame, catalogue: Catalogue,
                 filings: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per county × year with a round: its status, matters, average, matters under the
    pass mark and — when the archive records filings — the filing status."""
    limit = poor_threshold(catalogue)
    r = rounds[subordinate_mask(rounds["area"])][["round_id", "year", "area", "status"]]
    done = results[subordinate_mask(results["area"]) & (results["status"] == COMPLETE)]
    agg = done.assign(poor=done["completion_pct"] < limit).groupby("round_id").agg(
        matters=("matter_id", "size"), completion_pct=("completion_pct", "mean"), poor=("poor", "sum"),
    ).reset_index()
    out = r.merge(agg, on="round_id", how="left")
    out["matters"] = out["matters"].fillna(0).astype(int)
    out["poor"] = out["poor"].fillna(0).astype(int)
    out["completion_pct"] = out["completion_pct"].round(1)
    out["year"] = out["year"].astype(int)
    if filings is not None and {"round_id", "status"} <= set(filings.columns):
        latest = filings.drop_duplicates("round_id", keep="last")[["round_id", "status"]]
        out = out.merge(latest.rename(columns={"status": "filing"}), on="round_id", how="left")
    return out.sort_values(["area", "year"]).reset_index(drop=True)


def county_summary(panel: pd.DataFrame) -> pd.DataFrame:
    """Per county over its years: rounds, matters and the matter-weighted average."""
    p = panel.assign(points=panel["completion_pct"].fillna(0) * panel["matters"])
    out = p.groupby("area").agg(rounds=("round_id", "size"), matters=("matters", "sum"),
                                points=("points", "sum"), poor=("poor", "sum")).reset_index()
    out["completion_pct"] = (out["points"] / out["matters"].where(out["matters"] > 0)).round(1)
    return out.drop(columns="points")





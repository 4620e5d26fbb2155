"""Pure rules of county filing: which county rounds were filed on time, late or not at all, and
the counties' performance points. DataFrames in, DataFrames out; the archive reads live in
``status``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from workbench.dates import as_date
from workbench.labels import register, t
from workbench.organisation import subordinate_mask

BANDS = ("on_time", "late", "missing")

register({"filing_flag_gap": {
    "zh": "接收日期 {received_on} 比报备函日期 {filed_on} 晚 {days} 天(超过 {limit} 天)",
    "en": "received on {received_on}, {days} days after the letter's date {filed_on} (more than {limit})"}})



CRITERIA = {"matters": {"points", "target"}, "filing": {"points", "late_factor"}, "rectification": {"points"},
            "decisions": {"points"}, "completion": {"points"}}



FILING_KEYS = {"deadline_days", "counted_from", "receipt_gap_days"}



STATUS_ORDER = ("on_time", "late", "missing", "rejected", "due", "in_progress")



STATUS_COLUMNS = ["round_id", "year", "area", "eval_date", "feedback_on", "deadline", "filing_id", "filed_on",
                  "received_on", "receipt_gap_days", "days_after_eval", "days_after_feedback", "days_late", "status",
                  "filings", "problems"]



FACT_COLUMNS = ["rounds", "on_time", "late", "missing", "matters", "completion_pct", "items", "items_passed",
                "decisions", "decisions_signed"]



# --------------------------------------------------------------------------- pure core



def judge_filings(rounds: pd.DataFrame, seals: pd.DataFrame, filings: pd.DataFrame, as_of: date,
                  deadline_days: int = 30, counted_from: str = "feedback",
                  receipt_gap_days: int | None = None) -> pd.DataFrame:
    """One row per county round: deadline, first valid filing, days, status (see the module doc).

    Timeliness is judged on the date the city received the package (``received_on``, recorded by
    the city), never on the date the county wrote in its letter (``filed_on``, kept beside it): a
    gap of more than ``receipt_gap_days`` between them is added to the round's problems.

    ``rounds``: round_id, year, area, eval_date, status; ``seals``: round_id, feedback_issued_on;
    ``filings``: the ``filings`` table. Rounds known only from a filing are included."""
    r = rounds[subordinate_mask(rounds["area"])][["round_id", "year", "area", "eval_date", "status"]]
    only_filed = filings[~filings["round_id"].isin(set(r["round_id"]))].drop_duplicates("round_id")
    r = pd.concat([r, only_filed[["round_id", "year", "area", "eval_date"]].assign(status="completed")],
                  ignore_index=True)
    fed = dict(zip(seals["round_id"], seals["feedback_issued_on"]))
    fed.update({k: v for k, v in zip(filings["round_id"], filings["feedback_on"]) if k not in fed})
    valid = filings[filings["status"] != "rejected"].sort_values(["received_on", "filing_id"])
    first = valid.drop_duplicates("round_id").set_index("round_id")
    n = filings.groupby("round_id").size()
    rows = []
    for rec in r.to_dict("records"):
        rid, ev = rec["round_id"], as_date(rec["eval_date"])
        fb = as_date(fed.get(rid))
        ref = ev if counted_from == "eval_date" else fb
        deadline = ref + timedelta(days=deadline_days) if ref else None
        f = first.loc[rid].to_dict() if rid in first.index else None
        filed = as_date(f["received_on"]) if f else None
        letter = as_date(f["filed_on"]) if f else None
        gap = (filed - letter).days if f else None
        problems = [(f["problems"] or "")] if f and f["problems"] else []
        if gap is not None and receipt_gap_days is not None and gap > receipt_gap_days:
            problems.append(t("filing_flag_gap", "zh", received_on=filed, filed_on=letter, days=gap,
                              limit=receipt_gap_days))
        if f:
            status = "late" if deadline and filed > deadline else "on_time"
        elif rid in n.index:
            status = "rejected"
        elif deadline is None:
            status = "in_progress"
        else:
            status = "missing" if as_of > deadline else "due"
        rows.append({"round_id": rid, "year": int(rec["year"]), "area": rec["area"], "eval_date": ev,
                     "feedback_on": fb, "deadline": deadline, "filing_id": int(f["filing_id"]) if f else None,
                     "filed_on": letter, "received_on": filed, "receipt_gap_days": gap,
                     "days_after_eval": (filed - ev).days if filed else None,
                     "days_after_feedback": (filed - fb).days if filed and fb else None,
                     "days_late": max(0, (filed - deadline).days) if filed and deadline else None,
                     "status": status, "filings": int(n.get(rid, 0)),
                     "problems": "\n".join(problems)})
    out = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    for c in ("filing_id", "receipt_gap_days", "days_after_eval", "days_after_feedback", "days_late"):
        out[c] = out[c].astype("Int64")
    return out.sort_values(["year", "area"]).reset_index(drop=True)



def filing_class(facts: pd.DataFrame) -> pd.Series:
    """Per county, its filing record for the year: ``missing`` if any round due was not filed (or only
    sent back), else ``late`` if any was filed late, else ``on_time``; ``none`` without a completed round."""
    cls = pd.Series("on_time", index=facts.index)
    cls[facts["late"] > 0] = "late"
    cls[facts["missing"] > 0] = "missing"
    cls[facts["rounds"] <= 0] = "none"
    return cls


def performance_points(facts: pd.DataFrame, rule: dict) -> pd.DataFrame:
    """Pure: per county, the share earned on each criterion that applies, the work score and the points.

    1. Each criterion gives ``share × points``; a criterion with nothing due (no rounds to file, no
       rectification items, no decisions, no matter scored) is *left out*: its ``pts_`` is empty and
       the work score is rescaled over the criteria that apply (``work`` = earned ÷ applicable × 100).
    2. Filing timeliness is a gate: the county's filing class (``filing_class``) places it in a band of
       ``rule["bands"]`` and ``points = low + (high − low) × work ÷ 100``. The bands do not overlap, so a
       county that left a round unfiled always ranks below one that filed late, and that one below one
       that filed every round on time, whatever else it did.
    A county without a completed round has nothing to rate: points 0, ranked last. An empty table in,
    an empty table out (a year without rounds has no ranking)."""
    c, bands = rule["criteria"], rule["bands"]
    out = facts.copy()
    due = out["on_time"] + out["late"] + out["missing"]
    share = {
        "matters": (out["matters"] / c["matters"]["target"]).clip(upper=1).where(out["rounds"] > 0),
        "filing": (out["on_time"] + out["late"] * c["filing"]["late_factor"]) / due.where(due > 0),
        "rectification": out["items_passed"] / out["items"].where(out["items"] > 0),
        "decisions": out["decisions_signed"] / out["decisions"].where(out["decisions"] > 0),
        "completion": (out["completion_pct"].astype(float) / 100).where(out["matters"] > 0),
    }
    earned = pd.Series(0.0, index=out.index)
    possible = pd.Series(0.0, index=out.index)
    for name, s in share.items():
        s = s.astype(float)
        out[f"pts_{name}"] = (s * c[name]["points"]).round(2)
        earned += (s * c[name]["points"]).fillna(0)
        possible += s.notna() * c[name]["points"]
    out["work"] = (earned / possible.where(possible > 0) * 100).fillna(0).round(2)
    out["filing_class"] = filing_class(out)
    low = out["filing_class"].map(lambda k: bands[k][0] if k in bands else 0).astype(float)
    high = out["filing_class"].map(lambda k: bands[k][1] if k in bands else 0).astype(float)
    out["points"] = (low + (high - low) * out["work"] / 100).round(2)
    out["rank"] = out["points"].rank(method="min", ascending=False).astype(int) if len(out) else []
    return out.sort_values(["rank", "area"]).reset_index(drop=True)

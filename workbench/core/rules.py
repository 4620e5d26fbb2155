"""Result use, the "three handles" (结果运用"三个抓手"), as pure functions of tables and a date.

DESIGN.md §2: (a) every result goes into the electronic archive with its provenance; (b) an
**establishment** matter under 60% whose rectification is not completed by its deadline → a
proposal to merge/abolish the institution or cut its quota (机构撤并或核减编制); (c) a matter not
carried out and not rectified by the deadline, or still failing after rectification → suspend
accepting the unit's staffing applications (暂停受理机构编制事项申请), lifted when a later
re-check passes.

Nothing here reads the archive or writes anything: ``evaluate(results, items, events, runs,
as_of)`` returns the decisions the rules would take on that day, each with its reasons (matter,
score, deadline, dates) as data and as words. ``result_use`` records them as drafts.

An item's state on a day is replayed from its events up to that day, so the same call answers
"what would the rules have said on 31 August?" as well as "what do they say today?":

- the deadline is the original one, moved by every extension *approved* on or before the day;
- an item is *completed by its deadline* when the report of completion (``done``) that a passing
  re-check confirmed is dated on or before the deadline — rectifying on the deadline day counts;
- an item reported done on time but not yet re-checked is *pending*: no decision yet;
- an item is *overdue* when the day is after its deadline and it is still open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pandas as pd

from workbench.dates import as_date
from workbench.errors import WorkbenchError
from workbench.labels import register, t

PROPOSAL_THRESHOLD = 60.0
RULES = ("proposal", "suspension", "lift", "provenance")
DECISION_COLUMNS = ["key", "rule", "round_id", "unit_id", "matter_id", "as_of", "reasons", "reason_text"]
#: the shapes the rules read (checked at the boundary: every missing column named at once)
INPUT_COLUMNS = {
    "results": ["matter_id", "unit_id", "category", "completion_pct"],
    "items": ["item_id", "round_id", "matter_id", "unit_id", "indicator_id", "original_deadline", "created_on"],
    "events": ["event_id", "item_id", "action", "on_date", "new_deadline"],
}
STATE_COLUMNS = ["state", "deadline", "done_on", "passed_on", "failed_on", "completed_on_time",
                 "pending", "missed", "failing", "active", "was_suspended"]

register({
    "rule_proposal": {"zh": "提出机构撤并或核减编制的处理意见",
                      "en": "proposal to merge/abolish the institution or cut its quota"},
    "rule_suspension": {"zh": "暂停受理机构编制事项申请",
                        "en": "suspend accepting the unit's staffing applications"},
    "rule_lift": {"zh": "恢复受理机构编制事项申请", "en": "lift the suspension of staffing applications"},
    "rule_provenance": {"zh": "问效结果缺少来源信息,须补录电子档案",
                        "en": "result lacks provenance; complete the electronic archive"},
    "state_open": {"zh": "整改中", "en": "open"},
    "state_overdue": {"zh": "已逾期", "en": "overdue"},
    "state_done": {"zh": "已整改待复查", "en": "done, awaiting re-check"},
    "state_passed": {"zh": "复查通过", "en": "re-check passed"},
    "state_failed": {"zh": "复查未通过", "en": "re-check failed"},
    "why_low_score": {"zh": "事项 {matter_id}(设立类)完成情况百分比 {pct:.1f}%,低于{threshold:.0f}%",
                      "en": "matter {matter_id} (establishment) scored {pct:.1f}%, under {threshold:.0f}%"},
    "why_not_done": {"zh": "整改事项 #{item_id}({indicator_id})期限 {deadline},截至 {as_of} 未完成整改",
                     "en": "item #{item_id} ({indicator_id}) due {deadline}: not rectified as of {as_of}"},
    "why_done_late": {"zh": "整改事项 #{item_id}({indicator_id})期限 {deadline},{done_on} 才报整改完成",
                      "en": "item #{item_id} ({indicator_id}) due {deadline}: reported done only on {done_on}"},
    "why_failed": {"zh": "整改事项 #{item_id}({indicator_id})于 {failed_on} 复查仍不符合要求",
                   "en": "item #{item_id} ({indicator_id}) still failing at the re-check of {failed_on}"},
    "why_passed": {"zh": "整改事项 #{item_id}({indicator_id})于 {passed_on} 复查通过",
                   "en": "item #{item_id} ({indicator_id}) passed its re-check on {passed_on}"},
    "why_no_provenance": {"zh": "本轮第 {run_id} 版评分缺少:{missing}",
                          "en": "scoring version {run_id} of the round lacks: {missing}"},
})


@dataclass
class _Walk:
    deadline: date
    state: str = "open"
    done_on: date | None = None
    first_done: date | None = None
    passed_on: date | None = None
    failed_on: date | None = None
    confirmed_done: date | None = None  # the done that the last passing re-check confirmed
    ever_failed: bool = False


def item_states(items: pd.DataFrame, events: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Each item's state on ``as_of``, replayed from its events dated on or before that day.

    Items created after ``as_of`` are left out. Adds the columns of ``STATE_COLUMNS``:
    ``missed`` (past the deadline and not completed by it), ``failing`` (the last re-check
    failed), ``active`` (either, and not since passed: the unit is suspended for it),
    ``was_suspended`` (passed now, but missed or failed on the way: a lift is due)."""
    as_of = as_date(as_of)
    its = items[pd.to_datetime(items["created_on"]).dt.date <= as_of].copy()
    by_item: dict[int, list[dict]] = {}
    if len(events):
        ev = events.assign(on_date=pd.to_datetime(events["on_date"]).dt.date)
        ev = ev[ev["on_date"] <= as_of].sort_values(["on_date", "event_id"])
        for e in ev[["item_id", "action", "on_date", "new_deadline"]].to_dict("records"):
            by_item.setdefault(int(e["item_id"]), []).append(e)
    rows = []
    for rec in its.to_dict("records"):
        w = _Walk(deadline=as_date(rec["original_deadline"]))
        for e in by_item.get(int(rec["item_id"]), []):
            on, action = e["on_date"], e["action"]
            if action == "extension_approved":
                w.deadline = as_date(e["new_deadline"])
            elif action == "done":
                w.state, w.done_on = "done", on
                w.first_done = w.first_done or on
            elif action == "recheck_passed":
                w.state, w.passed_on, w.confirmed_done = "passed", on, w.done_on
            elif action == "recheck_failed":
                w.state, w.failed_on, w.ever_failed = "failed", on, True
        past = as_of > w.deadline
        completed = w.state == "passed" and w.confirmed_done is not None and w.confirmed_done <= w.deadline
        pending = w.state == "done" and w.done_on <= w.deadline and not w.ever_failed
        missed = past and not completed and not pending
        failing = w.ever_failed and w.state != "passed"
        active = (missed or failing) and w.state != "passed"
        late_pass = w.state == "passed" and w.confirmed_done is not None and w.confirmed_done > w.deadline
        was_suspended = w.state == "passed" and (w.ever_failed or late_pass)
        state = "overdue" if w.state == "open" and past else w.state
        rows.append({**rec, "state": state, "deadline": w.deadline, "done_on": w.done_on,
                     "passed_on": w.passed_on, "failed_on": w.failed_on, "completed_on_time": completed,
                     "pending": pending, "missed": missed, "failing": failing, "active": active,
                     "was_suspended": was_suspended})
    cols = list(items.columns) + [c for c in STATE_COLUMNS if c not in items.columns]
    return pd.DataFrame(rows, columns=cols)


def check_inputs(**tables: pd.DataFrame) -> None:
    """Raise one error naming every missing column of every table given (see ``INPUT_COLUMNS``)."""
    missing = [f"{name}.{c}" for name, df in tables.items() for c in INPUT_COLUMNS[name] if c not in df.columns]
    if missing:
        raise WorkbenchError(f"结果运用规则缺少列 / the rules need columns: {', '.join(missing)}")


def _why_item(r: dict, as_of: date, lang: str) -> str:
    base = {"item_id": r["item_id"], "indicator_id": r["indicator_id"], "deadline": r["deadline"]}
    if r["failing"]:
        return t("why_failed", lang, failed_on=r["failed_on"], **base)
    if r["done_on"] is not None and r["done_on"] > r["deadline"]:
        return t("why_done_late", lang, done_on=r["done_on"], **base)
    return t("why_not_done", lang, as_of=as_of, **base)


def _item_fact(r: dict) -> dict:
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    return {"item_id": int(r["item_id"]), "matter_id": r["matter_id"], "indicator_id": r["indicator_id"],
            "deadline": iso(r["deadline"]), "done_on": iso(r["done_on"]), "passed_on": iso(r["passed_on"]),
            "failed_on": iso(r["failed_on"]), "state": r["state"], "failing": bool(r["failing"])}


def _decision(rule: str, round_id, unit_id, matter_id, as_of: date, facts: dict, text: list[str]) -> dict:
    key = "|".join(str(x or "") for x in (rule, round_id, unit_id, matter_id))
    return {"key": key, "rule": rule, "round_id": round_id, "unit_id": unit_id, "matter_id": matter_id,
            "as_of": as_of, "reasons": json.dumps(facts, ensure_ascii=False, sort_keys=True),
            "reason_text": ";".join(text)}


def evaluate(
    results: pd.DataFrame,
    items: pd.DataFrame,
    events: pd.DataFrame,
    as_of: date,
    runs: pd.DataFrame | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """What the rules decide on ``as_of``. One row per decision (``DECISION_COLUMNS``).

    ``results``: the assessment result per matter (matter_id, unit_id, round_id, category,
    completion_pct, run_id); ``items``/``events``: rectification items and their history;
    ``runs``: scoring runs with their provenance, for rule (a)."""
    as_of = as_date(as_of)
    check_inputs(results=results, items=items, events=events)
    out: list[dict] = []
    if runs is not None and len(results):
        out += _provenance(results, runs, as_of, lang)
    states = item_states(items, events, as_of) if len(items) else item_states(
        pd.DataFrame(columns=["item_id", "round_id", "matter_id", "unit_id", "indicator_id",
                              "original_deadline", "created_on"]), events, as_of)
    res = results.drop_duplicates("matter_id", keep="last").set_index("matter_id")
    low = res.index[(res["category"] == "establish") & (res["completion_pct"] < PROPOSAL_THRESHOLD)]
    # (b) only establishment matters under 60% with an item not rectified by its deadline
    for matter_id, late in states[states["missed"] & states["matter_id"].isin(low)].groupby("matter_id", sort=True):
        r = res.loc[matter_id]
        pct = float(r["completion_pct"])
        recs = late.to_dict("records")
        facts = {"matter_id": matter_id, "category": "establish", "completion_pct": pct,
                 "threshold": PROPOSAL_THRESHOLD, "as_of": as_of.isoformat(), "items": [_item_fact(x) for x in recs]}
        text = [t("why_low_score", lang, matter_id=matter_id, pct=pct, threshold=PROPOSAL_THRESHOLD)]
        text += [_why_item(x, as_of, lang) for x in recs]
        out.append(_decision("proposal", late["round_id"].iloc[0], r["unit_id"], matter_id, as_of, facts, text))
    # (c) units with an item active (suspend) or, failing that, one lifted by a passing re-check
    touched = states[states["active"] | states["was_suspended"]]
    for (round_id, unit_id), g in touched.groupby(["round_id", "unit_id"], sort=True):
        active, lifted = g[g["active"]], g[g["was_suspended"]]
        if len(active):
            recs = active.to_dict("records")
            facts = {"unit_id": unit_id, "round_id": round_id, "as_of": as_of.isoformat(),
                     "items": [_item_fact(x) for x in recs],
                     "completion_pct": _pcts(res, active["matter_id"])}
            text = [_pct_text(res, x["matter_id"], lang) + _why_item(x, as_of, lang) for x in recs]
            out.append(_decision("suspension", round_id, unit_id, None, as_of, facts, text))
        elif len(lifted):
            recs = lifted.to_dict("records")
            facts = {"unit_id": unit_id, "round_id": round_id, "as_of": as_of.isoformat(),
                     "items": [_item_fact(x) for x in recs],
                     "lifted_on": max(x["passed_on"] for x in recs).isoformat()}
            text = [t("why_passed", lang, item_id=x["item_id"], indicator_id=x["indicator_id"],
                      passed_on=x["passed_on"]) for x in recs]
            out.append(_decision("lift", round_id, unit_id, None, as_of, facts, text))
    return pd.DataFrame(out, columns=DECISION_COLUMNS)


def _pcts(res: pd.DataFrame, matter_ids) -> dict:
    return {m: (None if pd.isna(res.at[m, "completion_pct"]) else float(res.at[m, "completion_pct"]))
            for m in sorted(set(matter_ids)) if m in res.index}


def _pct_text(res: pd.DataFrame, matter_id: str, lang: str) -> str:
    if matter_id not in res.index or pd.isna(res.at[matter_id, "completion_pct"]):
        return f"{matter_id}: "
    return f"{matter_id} {res.at[matter_id, 'completion_pct']:.1f}% — "


PROVENANCE_FIELDS = ("catalogue_hash", "weights_hash", "weights", "software_version", "computed_at")


def _provenance(results: pd.DataFrame, runs: pd.DataFrame, as_of: date, lang: str) -> list[dict]:
    """Rule (a): every archived result must name the scoring run that made it, with the
    catalogue hash, weights and software version of that run."""
    out = []
    merged = results.merge(runs, on="run_id", how="left", suffixes=("", "_run"))
    ordered = runs.sort_values("run_id")
    version = dict(zip(ordered["run_id"].astype(int), ordered.groupby("round_id").cumcount() + 1)) \
        if "round_id" in runs else {}
    for run_id, g in merged.groupby("run_id", sort=True):
        first = g.iloc[0]
        missing = [f for f in PROVENANCE_FIELDS if f not in g or pd.isna(first.get(f)) or first.get(f) == ""]
        if missing:
            shown = int(version.get(int(run_id), run_id))  # the version within the round, as people see it
            facts = {"run_id": int(run_id), "version": shown, "missing": missing, "matters": sorted(g["matter_id"])}
            out.append(_decision("provenance", g["round_id"].iloc[0], None, f"run{int(run_id)}", as_of, facts,
                                 [t("why_no_provenance", lang, run_id=shown, missing=", ".join(missing))]))
    return out


def reasons_in(decisions: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """Re-word stored decisions' reasons in ``lang`` from their JSON facts (for display)."""
    return decisions["reason_text"] if lang == "zh" else decisions.apply(lambda r: _reword(r, lang), axis=1)


def _reword(row: pd.Series, lang: str) -> str:
    facts = json.loads(row["reasons"])
    as_of = facts.get("as_of", "")
    items = [{**x, "as_of": as_of} for x in facts.get("items", [])]
    parts = []
    if row["rule"] == "proposal":
        parts.append(t("why_low_score", lang, matter_id=facts["matter_id"], pct=facts["completion_pct"],
                       threshold=facts["threshold"]))
    for x in items:
        key = "why_passed" if row["rule"] == "lift" else (
            "why_failed" if x["failing"] else
            "why_done_late" if x["done_on"] and x["done_on"] > x["deadline"] else "why_not_done")
        parts.append(t(key, lang, **x))
    if row["rule"] == "provenance":
        parts.append(t("why_no_provenance", lang, run_id=facts.get("version", facts["run_id"]),
                       missing=", ".join(facts["missing"])))
    return "; ".join(parts)


def summarise(decisions: pd.DataFrame, units: pd.DataFrame) -> dict[str, int]:
    """How many units face each rule, and how many are clean."""
    touched = set(decisions.loc[decisions["rule"].isin(["proposal", "suspension"]), "unit_id"])
    return {
        "proposal": int((decisions["rule"] == "proposal").sum()),
        "suspension": int((decisions["rule"] == "suspension").sum()),
        "lift": int((decisions["rule"] == "lift").sum()),
        "provenance": int((decisions["rule"] == "provenance").sum()),
        "units": len(units),
        "clean_units": len(set(units["unit_id"]) - touched),
    }

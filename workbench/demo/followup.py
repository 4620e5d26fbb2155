"""The demo's follow-through: feedback, rectification items, re-checks, seals and rule decisions.

For every completed round: feedback issued on 20 May, rectification items for the matters under
80% (the indicators that lost most, up to three a matter) due on 31 August, then what units do in
real life — most rectify on time and pass the re-check, some ask for (and get) more time, some are
late, a few fail the re-check (and some of those pass a later one), a few never report. The round
is sealed at feedback, its letters issued (numbered from the 文号 register and stored) as a
real feedback issues them. The demo keeps the re-checks in the items' history only: it does not
re-score (``rectification.recheck`` does, in real use), so every view of the demo still shows the
assessment as it was — the 差 matters, the spread of bands. The rules are then run as of
30 September and 31 December of each year; the decisions of 2018 and 2019 are signed off, those of 2020 are left
as drafts for the officer. Deterministic: a fixed seed and fixed dates.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from workbench.archive import Archive, extension_requests, rectification_events, rectification_items
from workbench.core import Catalogue
from workbench.files import load_catalogue
from workbench.followup import (
    draft_items,
    read_decisions,
    record_decisions,
    record_letters,
    seal_round,
    sign_off,
)
from workbench.scoring import score_indicators

ITEM_BELOW_PCT = 80.0
MAX_ITEMS_PER_MATTER = 3
LEADER = "赵明远"
# outcome → probability, for a matter that scored ≥ 60% and for one under 60%
OUTCOMES = ("on_time", "extended", "late", "failed_then_passed", "failed", "never")
P_FAIR = (0.80, 0.06, 0.06, 0.04, 0.02, 0.02)
P_POOR = (0.40, 0.05, 0.20, 0.10, 0.10, 0.15)


def _at(d: date) -> datetime:
    return datetime.combine(d, time(10))


def build_followup_demo(archive: Archive, catalogue: Catalogue | None = None, seed: int = 4) -> dict[str, int]:
    catalogue = catalogue or load_catalogue()
    rng = np.random.default_rng(seed)
    rounds = archive.rounds()
    done = rounds[rounds["status"] == "completed"].sort_values("round_id")
    item_rows, event_rows, ext_rows = [], [], []
    item_id = ext_id = 0
    results = archive.all_latest_results("verified").set_index("matter_id")["completion_pct"]
    scope, current = _scope(archive, done["round_id"])
    detail = score_indicators(scope, current, catalogue).merge(scope[["matter_id", "round_id"]], on="matter_id")
    for rnd in done.to_dict("records"):
        rid, year = rnd["round_id"], int(rnd["year"])
        issued, deadline = date(year, 5, 20), date(year, 8, 31)
        officer = rnd["created_by"]
        props = draft_items(detail[detail["round_id"] == rid], catalogue, issued)
        pct = props["matter_id"].map(results)
        props = props[pct < ITEM_BELOW_PCT]
        props = props.sort_values(["matter_id", "lost"], ascending=[True, False]).groupby("matter_id").head(
            MAX_ITEMS_PER_MATTER)
        for p in props.to_dict("records"):
            item_id += 1
            poor = results[p["matter_id"]] < 60
            outcome = OUTCOMES[rng.choice(len(OUTCOMES), p=P_POOR if poor else P_FAIR)]
            item_rows.append({"item_id": item_id, "round_id": rid, "matter_id": p["matter_id"],
                              "unit_id": p["unit_id"], "indicator_id": p["indicator_id"], "problem": p["problem"],
                              "requirement": p["requirement"], "original_deadline": deadline,
                              "deadline": deadline, "status": "open", "created_by": officer, "created_on": issued})
            ev = [("created", issued, deadline, "", officer)]
            day = lambda lo, hi: date(year, 1, 1) + timedelta(days=int(rng.integers(lo, hi)))  # noqa: E731, B023
            if outcome == "extended":
                ext_id += 1
                new = deadline + timedelta(days=30)
                asked, approved = date(year, 8, 10), date(year, 8, 15)
                ext_rows.append({"request_id": ext_id, "item_id": item_id, "requested_deadline": new,
                                 "reason": "涉及人员调配,需待公开招聘完成", "requested_by": p["unit_id"],
                                 "requested_on": asked, "status": "approved", "decided_by": officer,
                                 "decided_on": approved, "note": ""})
                ev += [("extension_requested", asked, new, "涉及人员调配,需待公开招聘完成", p["unit_id"]),
                       ("extension_approved", approved, new, "", officer)]
                ev += [("done", day(250, 270), None, "", p["unit_id"]), ("recheck_passed", day(285, 300), None, "", officer)]
            elif outcome == "on_time":
                ev += [("done", day(160, 243), None, "", p["unit_id"]), ("recheck_passed", day(255, 275), None, "", officer)]
            elif outcome == "late":
                ev += [("done", day(250, 290), None, "", p["unit_id"]), ("recheck_passed", day(300, 320), None, "", officer)]
            elif outcome == "failed_then_passed":
                ev += [("done", day(200, 240), None, "", p["unit_id"]), ("recheck_failed", day(255, 265), None, "", officer),
                       ("done", day(290, 305), None, "", p["unit_id"]), ("recheck_passed", day(320, 335), None, "", officer)]
            elif outcome == "failed":
                ev += [("done", day(200, 240), None, "", p["unit_id"]), ("recheck_failed", day(255, 265), None, "", officer)]
            final = {"recheck_passed": "passed", "recheck_failed": "failed", "done": "done"}.get(ev[-1][0], "open")
            item_rows[-1]["status"] = final
            if outcome == "extended":
                item_rows[-1]["deadline"] = deadline + timedelta(days=30)
            for action, on, new_dl, note, by in ev:
                event_rows.append({"item_id": item_id, "action": action, "on_date": on, "new_deadline": new_dl,
                                   "detail": note, "by": by, "at": _at(on)})
    archive.write_many([
        (rectification_items, pd.DataFrame(item_rows)),
        (rectification_events, pd.DataFrame(event_rows).sort_values(["on_date", "item_id"], kind="stable")),
        (extension_requests, pd.DataFrame(ext_rows)),
    ])
    for rnd in done.to_dict("records"):  # feedback day: letters issued the way an officer issues them, then sealed
        issued = date(int(rnd["year"]), 5, 20)
        record_letters(archive, rnd["round_id"], issued, rnd["created_by"], catalogue=catalogue, at=_at(issued))
        seal_round(archive, rnd["round_id"], rnd["created_by"], issued, at=_at(issued))
    for year in sorted(done["year"].unique()):
        for as_of in (date(int(year), 9, 30), date(int(year), 12, 31)):
            drafted = record_decisions(archive, as_of, "demo", at=_at(as_of))
            if int(year) < 2020 and len(drafted):
                sign_off(archive, [int(i) for i in drafted["decision_id"]], LEADER,
                         at=_at(as_of + timedelta(days=5)))
    decided = read_decisions(archive)
    return {"items": len(item_rows), "decisions": len(decided)}


def _scope(archive: Archive, round_ids) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matters in scope of the given rounds (with unit_id, category) and their current entries,
    read once for all rounds (the per-round helpers would read the archive 39 times)."""
    sel = archive.read("round_matters")
    sel = sel[sel["included"].astype(bool) & sel["round_id"].isin(set(round_ids))]
    scope = sel[["round_id", "matter_id"]].merge(archive.matters(), on="matter_id").sort_values("matter_id")
    hist = archive.entry_history()
    current = hist[hist["round_id"].isin(set(round_ids))].drop_duplicates(
        ["round_id", "matter_id", "indicator_id", "source"], keep="last")
    return scope.reset_index(drop=True), current

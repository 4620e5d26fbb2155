"""The 7-step tracker of a round and the rules for closing a step.

部署安排 → 调查摸底 → 自评自查 → 现场核查 → 综合评定 → 情况反馈 → 督促整改. Each move of a step is an
event (who, when, why) in the append-only ``step_events`` table; a step's status is its latest
event. A step closes only in order and only when what it needs is there — the rules are a pure
function of a few round facts (``blockers``), so the form can say exactly why it refused.
The last two steps close on the follow-through's facts (results sealed, items settled), read
from its tables here, so this module needs nothing from the follow-through's code.

The round team (``round_team``) names the officers and the unit each belongs to (none = the
staffing office itself; a joint team may borrow an auditor from another unit), so verification
can refuse an officer who belongs to the unit being evaluated.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from workbench.archive import Archive, now, rectification_items, round_team, seals, step_events
from workbench.archive import rounds as rounds_table
from workbench.core import Catalogue
from workbench.errors import StateError, WorkbenchError
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.scoring import COMPLETE, score_round

STEPS = ("deploy", "survey", "self", "verify", "assess", "feedback", "rectify")
CLOSED, CURRENT, PENDING = "closed", "current", "pending"



register({
    "wt_step": {"zh": "工作步骤", "en": "Step"},
    "wt_status_closed": {"zh": "已完成", "en": "closed"},
    "wt_status_current": {"zh": "进行中", "en": "in progress"},
    "wt_status_pending": {"zh": "未开始", "en": "not started"},
    "wt_moved_by": {"zh": "操作人", "en": "By"},
    "wt_moved_at": {"zh": "日期", "en": "Date"},
    "wt_round_completed": {"zh": "本轮已办结", "en": "round completed"},
    "wt_block_order": {"zh": "须先完成“{step}”", "en": "close “{step}” first"},
    "wt_block_team": {"zh": "尚未确定问效工作组成员", "en": "no team members named yet"},
    "wt_block_scope": {"zh": "尚未确定问效事项(先保存问效范围)", "en": "no matters in scope yet (save the selection first)"},
    "wt_block_self": {
        "zh": "{n} 个事项的自评尚未填报完整(如 {examples})",
        "en": "{n} matter(s) lack a complete self-assessment (e.g. {examples})",
    },
    "wt_block_verified": {
        "zh": "{n} 个事项的现场核查结果尚不完整(如 {examples})",
        "en": "{n} matter(s) are not completely verified (e.g. {examples})",
    },
    "wt_block_unscored": {
        "zh": "核查结果尚未评分存档(在综合评定中点击“评分并存档”)",
        "en": "the verified results are not scored and archived yet (use “Score and archive”)",
    },
    "wt_already_closed": {"zh": "“{step}”已完成", "en": "“{step}” is already closed"},
    "wt_cannot_close": {"zh": "不能完成“{step}”:{why}", "en": "cannot close “{step}”: {why}"},
    "wt_reopen_last": {
        "zh": "只能重新打开最后完成的步骤“{step}”",
        "en": "only the last closed step (“{step}”) can be reopened",
    },
    "wt_officer_unknown": {
        "zh": "{officer} 不是本轮工作组成员;请先在“部署安排”中加入",
        "en": "{officer} is not on this round's team; add them in Deployment first",
    },
    "wt_officer_conflict": {
        "zh": "{officer} 属于被问效单位({unit}),须回避,不能核查该事项",
        "en": "{officer} belongs to the unit under evaluation ({unit}) and may not verify this matter",
    },
    "wt_officer_required": {"zh": "请填写核查人员姓名", "en": "enter the verifying officer's name"},
    "wt_staffing_office": {"zh": "编办", "en": "staffing office"},
})


register({
    "wt_block_feedback": {
        "zh": "尚未出具情况反馈并封存结果(先运行 workbench feedback)",
        "en": "feedback not issued and results not sealed yet (run `workbench feedback` first)",
    },
    "wt_block_rectify": {
        "zh": "{n} 项整改仍在期限内未复查(如 #{first})",
        "en": "{n} rectification item(s) still within their deadline and not re-checked (e.g. #{first})",
    },
})


def _feedback_issued(archive: Archive, round_id: str, lang: str) -> list[str]:
    """Feedback is over once the round's results are sealed (``workbench feedback`` seals them)."""
    sealed = archive.read(seals, seals.c.round_id == round_id)
    return [] if len(sealed) else [t("wt_block_feedback", lang)]


def _rectification_settled(archive: Archive, round_id: str, lang: str, today: date | None = None) -> list[str]:
    """Rectification is over when every item is re-checked (passed or failed) or its deadline has
    passed — from then on the result-use rules, not the officer, decide what follows."""
    items = archive.read(rectification_items, rectification_items.c.round_id == round_id)
    deadline = pd.to_datetime(items["deadline"]).dt.date
    pending = items[(items["status"] == "done") | ((items["status"] == "open") & (deadline >= (today or date.today())))]
    if pending.empty:
        return []
    return [t("wt_block_rectify", lang, n=len(pending), first=int(pending["item_id"].iloc[0]))]


#: the last two steps close on facts of the follow-through, read from its tables
FOLLOW_THROUGH_CHECKS = {"feedback": _feedback_issued, "rectify": _rectification_settled}


def step_label(step: str, lang: str | None = None) -> str:
    return t("step_" + step, lang)


# ------------------------------------------------------------------------------------- team
def team(archive: Archive, round_id: str) -> pd.DataFrame:
    """officer, unit_id, role: the round's team table, plus names listed in ``rounds.team``."""
    rows = archive.read(round_team, round_team.c.round_id == round_id)[["officer", "unit_id", "role"]]
    listed = [n.strip() for n in str(archive.get_round(round_id).get("team") or "").replace(",", "、")
              .replace(",", "、").split("、") if n.strip()]
    extra = pd.DataFrame({"officer": [n for n in listed if n not in set(rows["officer"])]})
    out = pd.concat([rows, extra.assign(unit_id=None, role="")], ignore_index=True)
    return out.drop_duplicates("officer").reset_index(drop=True)


def set_team(archive: Archive, round_id: str, members: pd.DataFrame) -> None:
    """Replace the round's team (officer, unit_id, role) and its names on the round row."""
    archive.get_round(round_id)
    members = members.assign(officer=members["officer"].astype(str).str.strip())
    members = members[members["officer"] != ""].drop_duplicates("officer")
    if "role" not in members:
        members = members.assign(role="")
    with archive.engine.begin() as conn:
        conn.execute(round_team.delete().where(round_team.c.round_id == round_id))
        if len(members):
            conn.execute(round_team.insert(), [
                {"round_id": round_id, "officer": r["officer"],
                 "unit_id": None if pd.isna(r.get("unit_id")) or r.get("unit_id") == "" else r["unit_id"],
                 "role": r.get("role") or ""} for r in members.to_dict("records")])
        conn.execute(rounds_table.update().where(rounds_table.c.round_id == round_id)
                     .values(team="、".join(members["officer"])))


def check_officer(archive: Archive, round_id: str, officer: str, unit_id: str, lang: str | None = None) -> None:
    """Raise unless ``officer`` is on the team and does not belong to ``unit_id`` (回避)."""
    officer = (officer or "").strip()
    if not officer:
        raise StateError(t("wt_officer_required", lang))
    members = team(archive, round_id).set_index("officer")
    if officer not in members.index:
        raise StateError(t("wt_officer_unknown", lang, officer=officer))
    if members.at[officer, "unit_id"] == unit_id:
        names = archive.unit_names()
        raise StateError(t("wt_officer_conflict", lang, officer=officer, unit=names.get(unit_id, unit_id)))


# ------------------------------------------------------------------------------------ status
def events(archive: Archive, round_id: str) -> pd.DataFrame:
    return archive.read(step_events, step_events.c.round_id == round_id, order_by=step_events.c.event_id)


def closed_steps(ev: pd.DataFrame, round_status: str = "open") -> set[str]:
    """Steps whose latest event is a close; a round completed before the tracker existed (no
    events) counts as all closed."""
    if ev.empty and round_status == "completed":
        return set(STEPS)
    last = ev.drop_duplicates("step", keep="last")
    return set(last.loc[last["action"] == "close", "step"])


def _closed(archive: Archive, round_id: str) -> set[str]:
    return closed_steps(events(archive, round_id), archive.get_round(round_id)["status"])


def tracker(archive: Archive, round_id: str, lang: str | None = None) -> pd.DataFrame:
    """One row per step: step, label, status, status_label, by, at, note."""
    rnd = archive.get_round(round_id)
    ev = events(archive, round_id)
    last = ev.drop_duplicates("step", keep="last").set_index("step")
    legacy = ev.empty and rnd["status"] == "completed"
    done = closed_steps(ev, rnd["status"])
    rows, current_given = [], False
    for step in STEPS:
        if step in done:
            status = CLOSED
        elif not current_given:
            status, current_given = CURRENT, True
        else:
            status = PENDING
        e = last.loc[step] if step in last.index else None
        rows.append({
            "step": step, "label": step_label(step, lang), "status": status,
            "status_label": t("wt_status_" + status, lang),
            "by": e["by"] if e is not None else (rnd["created_by"] if legacy else ""),
            "at": e["at"] if e is not None else None,
            "note": (e["note"] if e is not None else "") or (t("wt_round_completed", lang) if legacy else ""),
        })
    return pd.DataFrame(rows)


# -------------------------------------------------------------------------------- the rules
def round_facts(archive: Archive, round_id: str, catalogue: Catalogue | None = None) -> dict:
    """What the closing rules look at, gathered from the archive once."""
    catalogue = catalogue or load_catalogue()
    matters = archive.round_matters(round_id)
    facts: dict = {"team_size": len(team(archive, round_id)), "included": len(matters),
                   "closed": _closed(archive, round_id)}
    hist = archive.entry_history(round_id)
    for source in ("self", "verified"):
        cur = hist[hist["source"] == source].drop_duplicates(["matter_id", "indicator_id"], keep="last")
        table = score_round(matters, cur, catalogue) if len(matters) else pd.DataFrame(
            columns=["matter_id", "status"])
        facts[f"{source}_incomplete"] = list(table.loc[table["status"] != COMPLETE, "matter_id"])
    run = archive.latest_run(round_id, "verified")
    ver = hist[hist["source"] == "verified"]
    last_entry = ver["entered_at"].max() if len(ver) else None
    facts["verified_scored"] = run is not None and (last_entry is None or pd.isna(last_entry)
                                                    or pd.Timestamp(run["computed_at"]) >= pd.Timestamp(last_entry))
    return facts


def blockers(step: str, facts: dict, lang: str | None = None) -> list[str]:
    """Why ``step`` cannot be closed now (empty: it can). Pure: reads only ``facts``."""
    if step not in STEPS:
        raise WorkbenchError(f"unknown step {step!r}; valid: {', '.join(STEPS)}")
    why = [t("wt_block_order", lang, step=step_label(s, lang))
           for s in STEPS[:STEPS.index(step)] if s not in facts["closed"]][:1]

    def examples(ids: list[str]) -> str:
        return "、".join(ids[:3]) + ("…" if len(ids) > 3 else "")

    if step == "deploy" and facts["team_size"] == 0:
        why.append(t("wt_block_team", lang))
    if step in ("survey", "self", "verify", "assess") and facts["included"] == 0:
        why.append(t("wt_block_scope", lang))
    if step in ("self",) and facts["self_incomplete"]:
        ids = facts["self_incomplete"]
        why.append(t("wt_block_self", lang, n=len(ids), examples=examples(ids)))
    if step in ("verify", "assess") and facts["verified_incomplete"]:
        ids = facts["verified_incomplete"]
        why.append(t("wt_block_verified", lang, n=len(ids), examples=examples(ids)))
    if step == "assess" and not facts["verified_incomplete"] and not facts["verified_scored"]:
        why.append(t("wt_block_unscored", lang))
    return why


def close_step(archive: Archive, round_id: str, step: str, by: str = "", note: str = "",
               catalogue: Catalogue | None = None, lang: str | None = None,
               at: datetime | None = None) -> None:
    """Close ``step`` or raise ``StateError`` saying why not; closing the last step completes the round."""
    facts = round_facts(archive, round_id, catalogue)
    if step in facts["closed"]:
        raise StateError(t("wt_already_closed", lang, step=step_label(step, lang)))
    why = blockers(step, facts, lang)
    if step in FOLLOW_THROUGH_CHECKS:
        why += FOLLOW_THROUGH_CHECKS[step](archive, round_id, lang or "zh")
    if why:
        raise StateError(t("wt_cannot_close", lang, step=step_label(step, lang), why=";".join(why)))
    with archive.engine.begin() as conn:
        conn.execute(step_events.insert().values(round_id=round_id, step=step, action="close",
                                                 by=by, at=at or now(), note=note))
        if facts["closed"] | {step} == set(STEPS):
            conn.execute(rounds_table.update().where(rounds_table.c.round_id == round_id)
                         .values(status="completed"))


def reopen_step(archive: Archive, round_id: str, step: str, by: str = "", note: str = "",
                lang: str | None = None) -> None:
    """Reopen the last closed step (e.g. a verified value must be corrected)."""
    done = _closed(archive, round_id)
    last = next((s for s in reversed(STEPS) if s in done), None)
    if step != last:
        raise StateError(t("wt_reopen_last", lang, step=step_label(last or STEPS[0], lang)))
    legacy = events(archive, round_id).empty
    with archive.engine.begin() as conn:
        if legacy:  # a round completed before the tracker: record its steps as closed first
            conn.execute(step_events.insert(), [
                {"round_id": round_id, "step": s, "action": "close", "by": "", "at": now(),
                 "note": t("wt_round_completed", lang)} for s in STEPS])
        conn.execute(step_events.insert().values(round_id=round_id, step=step, action="reopen",
                                                 by=by, at=now(), note=note))
        conn.execute(rounds_table.update().where(rounds_table.c.round_id == round_id).values(status="open"))

"""Result use on the archive: run the rules as of a date, keep their decisions as drafts, sign off.

``dry_run`` shows what the rules would decide on any day and writes nothing. ``record_decisions``
saves each new decision as a *draft* (one live decision per rule × round × unit × matter; a
rejected one may be proposed again). A draft takes effect only when an officer signs it off;
rejecting needs a reason. Every drafting, sign-off and rejection is written to ``decision_log``.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from workbench.archive import Archive, decision_log, decisions, now, results, seals
from workbench.core import evaluate, reasons_in
from workbench.errors import NotFoundError, StateError, WorkbenchError
from workbench.labels import register, t

from .rectification import read_events, read_items

register({
    "decision_id": {"zh": "决定编号", "en": "Decision"},
    "rule": {"zh": "结果运用", "en": "Rule"},
    "reason_text": {"zh": "理由", "en": "Reasons"},
    "as_of": {"zh": "截至日期", "en": "As of"},
    "decision_draft": {"zh": "草案", "en": "draft"},
    "decision_signed": {"zh": "已签发", "en": "signed off"},
    "decision_rejected": {"zh": "已驳回", "en": "rejected"},
    "err_unknown_decision": {"zh": "决定 #{decision_id} 不存在", "en": "decision #{decision_id} does not exist"},
    "err_decision_state": {"zh": "决定 #{decision_id} {status},不能再处理",  # the status word carries 已
                           "en": "decision #{decision_id} is already {status}"},
    "err_reject_reason": {"zh": "驳回须写明理由", "en": "a rejection needs a reason"},
    "err_sign_by": {"zh": "签发须写明签发人", "en": "a sign-off needs the officer's name"},
    "rules_none": {"zh": "截至 {as_of},结果运用规则未产生新的决定", "en": "as of {as_of} the rules decide nothing new"},
})


def assessment_results(archive: Archive) -> pd.DataFrame:
    """Per matter, the result the rules judge: the version sealed at feedback if the round is
    sealed (the assessment the unit was told), else the round's latest verified version."""
    latest = archive.all_latest_results("verified")
    sealed = archive.read(seals)
    if sealed.empty:
        return latest
    at_seal = archive.read(results, results.c.run_id.in_([int(r) for r in sealed["run_id"]]))
    at_seal = at_seal.merge(sealed[["run_id", "round_id"]], on="run_id")
    rest = latest[~latest["round_id"].isin(sealed["round_id"])]
    return pd.concat([at_seal, rest.drop(columns=["year", "area", "round_status"], errors="ignore")],
                     ignore_index=True)


def dry_run(archive: Archive, as_of: date, lang: str = "zh") -> pd.DataFrame:
    """What the rules decide on ``as_of``, with reasons. Nothing is written."""
    items = read_items(archive)
    out = evaluate(assessment_results(archive), items, read_events(archive), as_of,
                   runs=archive.scoring_runs(), lang="zh")
    if lang != "zh" and len(out):
        out["reason_text"] = reasons_in(out, lang).to_numpy()
    return out


def read_decisions(archive: Archive, status: str | None = None, unit_id: str | None = None,
                   round_id: str | None = None) -> pd.DataFrame:
    """Decisions, optionally of one status, unit or round. A round not in the archive is refused
    (``get_round`` names it), not answered with an empty list that reads as "no decisions"."""
    c = decisions.c
    if round_id:
        archive.get_round(round_id)
    where = (([c.status == status] if status else []) + ([c.unit_id == unit_id] if unit_id else [])
             + ([c.round_id == round_id] if round_id else []))
    return archive.read(decisions, *where)


def read_log(archive: Archive) -> pd.DataFrame:
    return archive.read(decision_log)


def record_decisions(archive: Archive, as_of: date, by: str, at: datetime | None = None) -> pd.DataFrame:
    """Save the rules' new decisions as drafts; a decision already drafted or signed is not
    repeated. Returns the drafts written (with their ids)."""
    found = dry_run(archive, as_of)
    live = read_decisions(archive)
    live = live[live["status"] != "rejected"]
    new = found[~found["key"].isin(set(live["key"]))]
    # A lift needs a suspension to lift.
    suspended = {k.replace("suspension|", "lift|", 1) for k in live.loc[live["rule"] == "suspension", "key"]}
    new = new[(new["rule"] != "lift") | new["key"].isin(suspended)]
    at = at or now()
    ids = []
    with archive.engine.begin() as conn:
        for rec in new.to_dict("records"):
            did = conn.execute(decisions.insert().values(
                **rec, status="draft", created_by=by, created_at=at)).inserted_primary_key[0]
            conn.execute(decision_log.insert().values(decision_id=did, action="drafted", by=by, at=at,
                                                      note=str(as_of)))
            ids.append(int(did))
    return new.assign(decision_id=ids)


def _decide(archive: Archive, ids: list[int], status: str, by: str, note: str, at: datetime | None) -> None:
    """Move drafts to ``status`` in one transaction, after checking every one of them."""
    df = archive.read(decisions, decisions.c.decision_id.in_(ids)).set_index("decision_id")
    for decision_id in ids:
        if decision_id not in df.index:
            raise NotFoundError(t("err_unknown_decision", decision_id=decision_id))
        current = df.at[decision_id, "status"]
        if current != "draft":
            raise StateError(t("err_decision_state", decision_id=decision_id, status=t(f"decision_{current}")))
    at = at or now()
    with archive.engine.begin() as conn:
        conn.execute(decisions.update().where(decisions.c.decision_id.in_(ids)).values(
            status=status, decided_by=by, decided_at=at, reject_reason=note if status == "rejected" else None))
        conn.execute(decision_log.insert(), [{"decision_id": i, "action": status, "by": by, "at": at, "note": note}
                                             for i in ids])


def sign_off(archive: Archive, decision_id: int | list[int], by: str, note: str = "",
             at: datetime | None = None) -> None:
    """Sign off one draft decision (or several at once); each sign-off is logged."""
    if not (by or "").strip():
        raise WorkbenchError(t("err_sign_by"))
    ids = [int(i) for i in decision_id] if isinstance(decision_id, list) else [int(decision_id)]
    _decide(archive, ids, "signed", by, note, at)


def reject(archive: Archive, decision_id: int, by: str, reason: str, at: datetime | None = None) -> None:
    if not (reason or "").strip():
        raise WorkbenchError(t("err_reject_reason"))
    if not (by or "").strip():
        raise WorkbenchError(t("err_sign_by"))
    _decide(archive, [int(decision_id)], "rejected", by, reason, at)


def suspended_units(archive: Archive) -> pd.DataFrame:
    """Units whose staffing applications are suspended now: a signed suspension not followed by
    a signed lift for the same round."""
    d = read_decisions(archive, "signed")
    d = d[d["rule"].isin(["suspension", "lift"])].sort_values("decided_at")
    last = d.drop_duplicates(["round_id", "unit_id"], keep="last")
    return last[last["rule"] == "suspension"].reset_index(drop=True)


def decisions_table(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Decisions with the rule and reasons in words, for display and export."""
    out = df.copy()
    out["rule"] = out["rule"].map(lambda r: t(f"rule_{r}", lang))
    if len(out):
        out["reason_text"] = reasons_in(df, lang).to_numpy()
    if "status" in out:
        out["status"] = out["status"].map(lambda s: t(f"decision_{s}", lang))
    return out.drop(columns=["reasons", "key"], errors="ignore")







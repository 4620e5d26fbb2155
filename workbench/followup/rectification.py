"""Rectification items (督促整改): created from the assessment, chased to a re-check.

Every indicator a matter did not earn in full can become an item; the officer confirms which,
with the problem, the requirement and a deadline. An item then moves

    open ──done──▶ done ──re-check──▶ passed
                     ▲                  │
                     └────done──── failed ◀┘

and is *overdue* once its deadline has passed while it is still open — derived from the date, so
no job has to run for it (``rules.item_states``). A unit may ask for more time; the new deadline
takes effect only when an officer approves it. A re-check records a new verified entry and
re-scores the round: a new result version, the old one kept, and an amendment to the seal if
feedback has been issued. Every step is an event with its date and who did it.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd

from workbench.archive import (
    Archive,
    extension_requests,
    now,
    rectification_events,
    rectification_items,
)
from workbench.core import Catalogue, item_states
from workbench.dates import as_date
from workbench.errors import NotFoundError, StateError, ValidationError, WorkbenchError
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.rounds import indicator_detail

from .sealing import rescore

DEFAULT_TERM_DAYS = 120  # eval date → default deadline
ITEM_COLUMNS = ["matter_id", "indicator_id", "problem", "requirement", "deadline"]

register({
    "item_id": {"zh": "整改事项编号", "en": "Item"},
    "problem": {"zh": "存在问题", "en": "Problem"},
    "requirement": {"zh": "整改要求", "en": "Requirement"},
    "deadline": {"zh": "整改期限", "en": "Deadline"},
    "state": {"zh": "整改状态", "en": "State"},
    "done_on": {"zh": "整改完成日期", "en": "Done on"},
    "problem_text": {"zh": "“{name}”核查结果为“{result}”,得 {points:.1f} 分(满分 {weight:.0f} 分)",
                     "en": "'{name}' verified as '{result}': {points:.1f} of {weight:.0f} points"},
    "requirement_text": {"zh": "对照批复要求落实“{name}”,并报送{evidence}等佐证材料",
                         "en": "carry out '{name}' as approved and send evidence ({evidence})"},
    "err_deadline_before_eval": {
        "zh": "整改期限 {deadline} 早于本轮问效评定日期 {eval_date}(事项 {matter_id} {indicator_id}),未保存任何整改事项",
        "en": "deadline {deadline} is before the round's evaluation date {eval_date} "
              "({matter_id} {indicator_id}); no item was saved"},
    "err_item_not_in_round": {"zh": "事项 {matter_id} 不在本轮 {round_id} 范围内",
                              "en": "matter {matter_id} is not in round {round_id}"},
    "err_item_indicator": {"zh": "指标 {indicator_id} 不属于事项 {matter_id} 的类别",
                           "en": "indicator {indicator_id} does not belong to matter {matter_id}'s category"},
    "err_item_exists": {"zh": "事项 {matter_id} 指标 {indicator_id} 已有整改事项 #{item_id}",
                        "en": "matter {matter_id} indicator {indicator_id} already has item #{item_id}"},
    "err_items_failed": {"zh": "{n} 处错误,未保存任何整改事项;首个:{first}",
                         "en": "{n} error(s); no item was saved. First: {first}"},
    "err_item_text": {"zh": "存在问题与整改要求不能为空", "en": "problem and requirement must not be empty"},
    "err_unknown_item": {"zh": "整改事项 #{item_id} 不存在", "en": "rectification item #{item_id} does not exist"},
    "err_recheck_not_done": {
        "zh": "整改事项 #{item_id} 当前状态为“{state}”,尚未报整改完成,不能复查;先登记整改完成",
        "en": "item #{item_id} is '{state}', not done: record it as done before re-checking"},
    "err_done_state": {"zh": "整改事项 #{item_id} 当前状态为“{state}”,不能登记整改完成",
                       "en": "item #{item_id} is '{state}'; it cannot be marked done"},
    "err_date_before_item": {"zh": "日期 {on} 早于整改事项 #{item_id} 的下达日期 {created}",
                             "en": "{on} is before item #{item_id} was issued ({created})"},
    "err_extension_date": {"zh": "申请的新期限 {new} 须晚于现期限 {old}",
                           "en": "the requested deadline {new} must be after the current one ({old})"},
    "err_extension_reason": {"zh": "延期申请须写明理由", "en": "an extension request needs a reason"},
    "err_extension_decided": {"zh": "延期申请 #{request_id} 已处理({status})",
                              "en": "extension request #{request_id} is already {status}"},
    "err_failed_result": {"zh": "复查未通过时须填写复查结果", "en": "a failed re-check needs the re-checked result"},
})


def _stamp(on: date) -> datetime:
    return datetime.combine(on, time(12))


# --------------------------------------------------------------------------- reading
def read_items(archive: Archive, round_id: str | None = None, unit_id: str | None = None) -> pd.DataFrame:
    c = rectification_items.c
    where = ([c.round_id == round_id] if round_id else []) + ([c.unit_id == unit_id] if unit_id else [])
    return archive.read(rectification_items, *where)


def read_events(archive: Archive, item_ids=None) -> pd.DataFrame:
    c = rectification_events.c
    where = [c.item_id.in_([int(i) for i in item_ids])] if item_ids is not None else []
    return archive.read(rectification_events, *where, order_by=c.event_id)


def items_as_of(archive: Archive, as_of: date | None = None, round_id: str | None = None,
                unit_id: str | None = None) -> pd.DataFrame:
    """Items with their state on ``as_of`` (default today): open, overdue, done, passed, failed."""
    items = read_items(archive, round_id, unit_id)
    return item_states(items, read_events(archive, items["item_id"]), as_of or date.today())


def items_for_file(items: pd.DataFrame) -> pd.DataFrame:
    """The items as a file shows them (feedback summary, filing package): without the rules'
    working flags."""
    return items.drop(columns=["pending", "missed", "failing", "active", "was_suspended"], errors="ignore")


def get_item(archive: Archive, item_id: int) -> dict:
    df = archive.read(rectification_items, rectification_items.c.item_id == int(item_id))
    if df.empty:
        raise NotFoundError(t("err_unknown_item", item_id=item_id))
    return df.iloc[0].to_dict()


def history(archive: Archive, item_id: int) -> pd.DataFrame:
    get_item(archive, item_id)
    return read_events(archive, [item_id])


# --------------------------------------------------------------------------- creating
def propose_items(archive: Archive, round_id: str, catalogue: Catalogue | None = None,
                  lang: str = "zh") -> pd.DataFrame:
    """Every indicator under full marks in the round's verified results, worded as a draft item
    (problem, requirement, default deadline). Nothing is saved: the officer picks and confirms."""
    catalogue = catalogue or load_catalogue()
    rnd = archive.get_round(round_id)
    return draft_items(indicator_detail(archive, round_id, catalogue), catalogue, as_date(rnd["eval_date"]), lang)


def _as_read(result, kind: str) -> str:
    """A ratio as people read it (0.95 → 95%); other results as entered."""
    try:
        return f"{float(result) * 100:.4g}%" if kind == "ratio" else str(result)
    except (TypeError, ValueError):
        return str(result)


def draft_items(detail: pd.DataFrame, catalogue: Catalogue, eval_date: date, lang: str = "zh") -> pd.DataFrame:
    """Pure: ``scoring.score_indicators`` output → one draft item per indicator under full marks."""
    short = detail[detail["fraction"].notna() & (detail["fraction"] < 1)].copy()
    ind = catalogue.indicators
    short["indicator_name"] = short["indicator_id"].map(ind["name_en" if lang == "en" else "name_zh"])
    shown = [_as_read(r, ind.at[i, "kind"]) for r, i in zip(short["result"], short["indicator_id"], strict=True)]
    short["problem"] = [t("problem_text", lang, name=n, result=r, points=p, weight=w) for n, r, p, w in
                        zip(short["indicator_name"], shown, short["points"], short["weight"], strict=True)]
    short["requirement"] = [t("requirement_text", lang, name=n, evidence=ind.at[i, "evidence"] or "—")
                            for n, i in zip(short["indicator_name"], short["indicator_id"], strict=True)]
    short["deadline"] = eval_date + pd.Timedelta(days=DEFAULT_TERM_DAYS)
    cols = ["matter_id", "unit_id", "category", "indicator_id", "indicator_name", "result", "lost",
            "problem", "requirement", "deadline"]
    return short.sort_values(["unit_id", "matter_id", "indicator_id"])[cols].reset_index(drop=True)


def check_items(archive: Archive, round_id: str, proposals: pd.DataFrame,
                catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Validate items to be confirmed; every failing row at once (``ValidationError.failures``)."""
    catalogue = catalogue or load_catalogue()
    eval_date = as_date(archive.get_round(round_id)["eval_date"])
    scope = archive.round_matters(round_id).set_index("matter_id")
    existing = read_items(archive, round_id).set_index(["matter_id", "indicator_id"])["item_id"]
    rows = []
    for i, r in enumerate(proposals.to_dict("records"), start=1):
        m, ind, dl = r["matter_id"], str(r["indicator_id"]).upper(), as_date(r.get("deadline"))
        fail = lambda col, val, msg, i=i: rows.append(  # noqa: E731
            {"file": round_id, "row": i, "column": col, "value": val, "reason": msg})
        if m not in scope.index:
            fail("matter_id", m, t("err_item_not_in_round", matter_id=m, round_id=round_id))
        elif ind not in catalogue.indicators.index or \
                catalogue.indicators.at[ind, "category"] != scope.at[m, "category"]:
            fail("indicator_id", ind, t("err_item_indicator", matter_id=m, indicator_id=ind))
        elif (m, ind) in existing.index:
            fail("indicator_id", ind, t("err_item_exists", matter_id=m, indicator_id=ind,
                                        item_id=int(existing.loc[(m, ind)])))
        if dl is None or dl < eval_date:
            fail("deadline", dl, t("err_deadline_before_eval", deadline=dl, eval_date=eval_date,
                                   matter_id=m, indicator_id=ind))
        if not str(r.get("problem") or "").strip() or not str(r.get("requirement") or "").strip():
            fail("problem", "", t("err_item_text"))
    return pd.DataFrame(rows, columns=["file", "row", "column", "value", "reason"])


def confirm_items(archive: Archive, round_id: str, proposals: pd.DataFrame, by: str,
                  on: date | None = None, deadline: date | None = None,
                  catalogue: Catalogue | None = None) -> list[int]:
    """Save the confirmed items (all or nothing). ``deadline`` overrides every row's deadline."""
    on = on or date.today()
    items = proposals.copy()
    if deadline is not None:
        items["deadline"] = deadline
    failures = check_items(archive, round_id, items, catalogue)
    if len(failures):
        reasons = list(dict.fromkeys(failures["reason"]))
        head = reasons[0] if len(reasons) == 1 else t("err_items_failed", n=len(failures), first=reasons[0])
        raise ValidationError(head, failures)
    scope = archive.round_matters(round_id).set_index("matter_id")
    ids = []
    with archive.engine.begin() as conn:
        for r in items.to_dict("records"):
            dl = as_date(r["deadline"])
            item_id = conn.execute(rectification_items.insert().values(
                round_id=round_id, matter_id=r["matter_id"], unit_id=scope.at[r["matter_id"], "unit_id"],
                indicator_id=str(r["indicator_id"]).upper(), problem=r["problem"], requirement=r["requirement"],
                original_deadline=dl, deadline=dl, status="open", created_by=by, created_on=on,
            )).inserted_primary_key[0]
            conn.execute(rectification_events.insert().values(
                item_id=item_id, action="created", on_date=on, new_deadline=dl, detail="", by=by, at=now()))
            ids.append(int(item_id))
    return ids


# --------------------------------------------------------------------------- moving
def _event(conn, item_id: int, action: str, on: date, by: str, detail: str = "", **extra) -> None:
    conn.execute(rectification_events.insert().values(
        item_id=int(item_id), action=action, on_date=on, detail=detail, by=by, at=now(), **extra))


def _check_date(item: dict, on: date) -> None:
    if on < as_date(item["created_on"]):
        raise WorkbenchError(t("err_date_before_item", on=on, item_id=item["item_id"], created=item["created_on"]))


def mark_done(archive: Archive, item_id: int, on: date, by: str, note: str = "") -> None:
    """The unit reports the item rectified (on ``on``); it now awaits a re-check."""
    item = get_item(archive, item_id)
    if item["status"] not in ("open", "failed"):
        raise StateError(t("err_done_state", item_id=item_id, state=t(f"state_{item['status']}")))
    _check_date(item, on)
    with archive.engine.begin() as conn:
        conn.execute(rectification_items.update().where(rectification_items.c.item_id == int(item_id))
                     .values(status="done"))
        _event(conn, item_id, "done", on, by, note)


def request_extension(archive: Archive, item_id: int, new_deadline: date, reason: str, by: str,
                      on: date) -> int:
    """The unit asks for more time. Nothing changes until an officer approves."""
    item = get_item(archive, item_id)
    _check_date(item, on)
    if not (reason or "").strip():
        raise WorkbenchError(t("err_extension_reason"))
    if new_deadline <= as_date(item["deadline"]):
        raise WorkbenchError(t("err_extension_date", new=new_deadline, old=item["deadline"]))
    with archive.engine.begin() as conn:
        req = conn.execute(extension_requests.insert().values(
            item_id=int(item_id), requested_deadline=new_deadline, reason=reason, requested_by=by,
            requested_on=on, status="pending", note="")).inserted_primary_key[0]
        _event(conn, item_id, "extension_requested", on, by, reason, new_deadline=new_deadline)
    return int(req)


def decide_extension(archive: Archive, request_id: int, approve: bool, by: str, on: date,
                     note: str = "") -> None:
    """An officer approves (the deadline moves) or rejects a request."""
    req = archive.read(extension_requests, extension_requests.c.request_id == int(request_id))
    if req.empty:
        raise NotFoundError(t("err_unknown_item", item_id=f"ext{request_id}"))
    req = req.iloc[0].to_dict()
    if req["status"] != "pending":
        raise StateError(t("err_extension_decided", request_id=request_id, status=req["status"]))
    item_id, status = int(req["item_id"]), "approved" if approve else "rejected"
    new = as_date(req["requested_deadline"])
    with archive.engine.begin() as conn:
        conn.execute(extension_requests.update().where(extension_requests.c.request_id == int(request_id))
                     .values(status=status, decided_by=by, decided_on=on, note=note))
        if approve:
            conn.execute(rectification_items.update().where(rectification_items.c.item_id == item_id)
                         .values(deadline=new))
        _event(conn, item_id, f"extension_{status}", on, by, note, new_deadline=new if approve else None)


def extension_requests_of(archive: Archive, item_ids=None, pending_only: bool = False) -> pd.DataFrame:
    c = extension_requests.c
    where = ([c.item_id.in_([int(i) for i in item_ids])] if item_ids is not None else []) + \
        ([c.status == "pending"] if pending_only else [])
    return archive.read(extension_requests, *where)


def full_marks_value(indicator: pd.Series, catalogue: Catalogue) -> str:
    if indicator["kind"] == "graded":
        return catalogue.vocab.grade_words[0]
    if indicator["kind"] == "yes_no":
        return "是"
    return f"{float(indicator['target']):.2f}"


def recheck(archive: Archive, item_id: int, passed: bool, on: date, by: str, result: str | None = None,
            note: str = "", catalogue: Catalogue | None = None) -> int:
    """Re-check a done item: record the verified result, re-score the round (new version, amended
    seal), move the item to passed or failed. Returns the new result version (run id)."""

    catalogue = catalogue or load_catalogue()
    item = get_item(archive, item_id)
    if item["status"] != "done":
        raise StateError(t("err_recheck_not_done", item_id=item_id, state=t(f"state_{item['status']}")))
    _check_date(item, on)
    indicator = catalogue.indicators.loc[item["indicator_id"]]
    if result is None:
        if not passed:
            raise WorkbenchError(t("err_failed_result"))
        result = full_marks_value(indicator, catalogue)
    verdict = t("state_passed" if passed else "state_failed")
    why = f"整改复查 #{item_id} {item['matter_id']} {item['indicator_id']}:{verdict}" + (f"({note})" if note else "")
    entry = pd.DataFrame([{"round_id": item["round_id"], "matter_id": item["matter_id"],
                           "indicator_id": item["indicator_id"], "source": "verified",
                           "result": result, "note": why}])
    # One transaction: the re-checked entry, the new version (an amendment of a sealed round) and
    # the item's state land together or not at all.
    with archive.amending([item["round_id"]]) as conn:
        archive.add_entries(entry, entered_by=by, at=_stamp(on))
        run_id = rescore(archive, item["round_id"], catalogue, by, why, at=_stamp(on))
        conn.execute(rectification_items.update().where(rectification_items.c.item_id == int(item_id))
                     .values(status="passed" if passed else "failed"))
        _event(conn, item_id, "recheck_passed" if passed else "recheck_failed", on, by, note, run_id=run_id)
    return run_id


def unit_progress(states: pd.DataFrame) -> pd.DataFrame:
    """Per unit: items by state (for the officer's overview and the Excel summary)."""
    if states.empty:
        return pd.DataFrame(columns=["unit_id", "items"])
    counts = states.pivot_table(index="unit_id", columns="state", values="item_id", aggfunc="count", fill_value=0)
    counts.insert(0, "items", counts.sum(axis=1))
    return counts.reset_index()


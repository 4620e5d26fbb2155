"""Row versions of a matter's entries: optimistic concurrency for officers saving at once.

A form remembers the version of the matter it opened; a save raises that version by one in the
same transaction that appends the entries, and only if it is still the one remembered. Two saves
of one matter: the database makes the second wait for the first one's row, then the second
finds the version moved and is refused with what the first saved. Saves of different matters
hold different rows and run side by side. A save that changes nothing (every value as saved
now) writes nothing and moves no version: there is no news for anyone who opened the matter.
The same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from workbench.errors import ConflictError
from workbench.labels import register, t

from .schema import entry_versions

register({
    "err_matter_changed": {
        "zh": "事项 {matter_id} 在您打开后已被 {by} 修改并保存(版本 {expected} → {now}),您的内容未保存。"
              "请核对双方的值:{diff}",
        "en": "matter {matter_id} was changed and saved by {by} after you opened it (version {expected} → {now}); "
              "yours was not saved. Compare both values: {diff}"},
    "conflict_value": {"zh": "{indicator}:您的“{mine}”,已保存的“{theirs}”",
                       "en": "{indicator}: yours “{mine}”, saved “{theirs}”"},
})


def _key(round_id: str, matter_id: str, source: str):
    c = entry_versions.c
    return (c.round_id == round_id) & (c.matter_id == matter_id) & (c.source == source)


def read_version(conn, round_id: str, matter_id: str, source: str) -> int:
    v = conn.execute(sa.select(entry_versions.c.version).where(_key(round_id, matter_id, source))).scalar()
    return int(v or 0)


def lock(conn, round_id: str, matter_id: str, source: str) -> int:
    """The matter's version now, its row held until the transaction ends: another save of the
    same matter waits here, then reads what this one saved. A matter never saved gets a row at
    0 to hold; if a first save of it lands meanwhile, its row is the one held."""
    where = _key(round_id, matter_id, source)
    v = conn.execute(sa.select(entry_versions.c.version).where(where).with_for_update()).scalar()
    if v is not None:
        return int(v)
    # A savepoint, so that a concurrent first save's unique violation is a wait, not an aborted
    # transaction.
    try:
        with conn.begin_nested():
            conn.execute(entry_versions.insert().values(round_id=round_id, matter_id=matter_id,
                                                        source=source, version=0))
    except sa.exc.IntegrityError:
        return lock(conn, round_id, matter_id, source)
    return 0


def advance(conn, round_id: str, matter_id: str, source: str, held: int) -> None:
    """One version on from ``held`` (the row ``lock`` holds): a save that changed something."""
    conn.execute(entry_versions.update().where(_key(round_id, matter_id, source)).values(version=held + 1))


def conflict(conn, current: pd.DataFrame, mine: pd.DataFrame, round_id: str, matter_id: str,
             source: str, expected: int, lang: str | None = None) -> ConflictError:
    """The error for a refused save: who saved last and, per indicator that differs, both values."""
    theirs = current[(current["matter_id"] == matter_id) & (current["source"] == source)]
    saved = dict(zip(theirs["indicator_id"], theirs["result"]))
    mine = mine[mine["matter_id"] == matter_id]
    diff = [t("conflict_value", lang, indicator=i, mine=m if m is not None else "—",
              theirs=saved.get(i) if saved.get(i) is not None else "—")
            for i, m in zip(mine["indicator_id"], mine["result"]) if saved.get(i) != m]
    by = theirs.sort_values("entry_id")["entered_by"].iloc[-1] if len(theirs) else "?"
    now = read_version(conn, round_id, matter_id, source)
    return ConflictError(t("err_matter_changed", lang, matter_id=matter_id, by=by, expected=expected,
                           now=now, diff=";".join(diff) or "—"), theirs.reset_index(drop=True))

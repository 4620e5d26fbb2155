"""A sealed round changes only through an amendment, and the database keeps it so.

Two parts, the same on SQLite and PostgreSQL:

- **Triggers** refuse an entry, or a verified scoring run, of a sealed round unless the inserting
  transaction holds an ``amending`` row for that round (the amendment path inserts one and deletes
  it before it commits, so no other transaction ever sees it). Whatever writes — an older
  version, a notebook, SQL typed by hand — the database says no.
- **The round's lock**, so that a check and the write after it cannot straddle a seal: an import
  that read "not sealed" must not write after the seal commits. On SQLite every write transaction
  begins IMMEDIATE (one writer at a time); on PostgreSQL writers take the round's row FOR SHARE and
  sealing or amending takes it FOR UPDATE, so a seal waits for the imports under way and an import
  started during a seal waits for it and then sees it.

The application checks the same thing first, inside the same transaction, to refuse in the user's
language (``refuse_sealed``); the triggers are what holds when the application is bypassed.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from workbench.errors import StateError
from workbench.labels import register, t

from .schema import amending, rounds, seals

register({
    "err_sealed_run": {
        "zh": "{round_id} 已封存(封存于 {when}):核查结果只能以修正登记重新评分:"
              "workbench score --round {round_id} --amend --reason 原因 --by 经办人;只看分数不存档请加 --dry-run",
        "en": "{round_id} was sealed on {when}: its verified results change only through an amendment: "
              "workbench score --round {round_id} --amend --reason WHY --by WHO; to see the scores without "
              "archiving them add --dry-run"},
    "err_sealed_entries": {
        "zh": "{round_id} 已封存(封存于 {when}):录入只能以修正登记更改:"
              "workbench import entries 文件 --amend --reason 原因 --by 经办人",
        "en": "{round_id} was sealed on {when}: its entries change only through an amendment: "
              "workbench import entries FILE --amend --reason WHY --by WHO"},
    "err_amend_why": {"zh": "修正须写明经办人和原因", "en": "an amendment needs who and why"},
})

_SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS wb_sealed_entries BEFORE INSERT ON entries
    WHEN EXISTS (SELECT 1 FROM seals WHERE round_id = NEW.round_id)
     AND NOT EXISTS (SELECT 1 FROM amending WHERE round_id = NEW.round_id)
    BEGIN SELECT RAISE(ABORT, 'round is sealed: entries change only through an amendment'); END""",
    """CREATE TRIGGER IF NOT EXISTS wb_sealed_runs BEFORE INSERT ON scoring_runs
    WHEN NEW.source = 'verified' AND EXISTS (SELECT 1 FROM seals WHERE round_id = NEW.round_id)
     AND NOT EXISTS (SELECT 1 FROM amending WHERE round_id = NEW.round_id)
    BEGIN SELECT RAISE(ABORT, 'round is sealed: results change only through an amendment'); END""",
]

# SECURITY DEFINER: the check reads seals and markers whatever the signed-in role may read.
_POSTGRES = [
    """CREATE OR REPLACE FUNCTION wb_sealed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = public AS $$
    BEGIN
      IF (TG_TABLE_NAME = 'entries' OR NEW.source = 'verified')
         AND EXISTS (SELECT 1 FROM seals WHERE round_id = NEW.round_id)
         AND NOT EXISTS (SELECT 1 FROM amending WHERE round_id = NEW.round_id) THEN
        RAISE EXCEPTION 'round % is sealed: % change only through an amendment', NEW.round_id, TG_TABLE_NAME;
      END IF;
      RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS wb_sealed_entries ON entries",
    "CREATE TRIGGER wb_sealed_entries BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION wb_sealed()",
    "DROP TRIGGER IF EXISTS wb_sealed_runs ON scoring_runs",
    "CREATE TRIGGER wb_sealed_runs BEFORE INSERT ON scoring_runs FOR EACH ROW EXECUTE FUNCTION wb_sealed()",
]


class SealedError(StateError):
    """A write refused because the round is sealed; ``text(lang)`` says so in ``lang`` (a form's
    language: the archive that raises it does not know it)."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(t(key, **params))

    def text(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)


def install(conn) -> None:
    """Create the triggers where they are missing. On PostgreSQL only the tables' owner can; a
    signed-in officer opening an archive the owner has not upgraded yet leaves them to the owner."""
    if conn.dialect.name == "sqlite":
        for stmt in _SQLITE:
            conn.exec_driver_sql(stmt)
        return
    have = conn.exec_driver_sql("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal "
                                "AND tgname IN ('wb_sealed_entries', 'wb_sealed_runs')").scalar()
    owner = conn.exec_driver_sql("SELECT tableowner = current_user FROM pg_tables "
                                 "WHERE schemaname = current_schema() AND tablename = 'entries'").scalar()
    if have < 2 and owner:
        for stmt in _POSTGRES:
            conn.exec_driver_sql(stmt.replace("%", "%%"))  # the driver's placeholders, not RAISE's


def lock(conn, round_ids: Iterable[str], exclusive: bool = False) -> None:
    """Hold the rounds' rows until the transaction ends: shared for writing entries and runs,
    exclusive for sealing and amending (key order, so that two transactions never deadlock).
    SQLite needs nothing here: its write transactions begin IMMEDIATE."""
    ids = sorted(set(round_ids))
    if not ids or conn.dialect.name != "postgresql":
        return
    stmt = sa.select(rounds.c.round_id).where(rounds.c.round_id.in_(ids)).order_by(rounds.c.round_id)
    conn.execute(stmt.with_for_update(read=not exclusive))


def mark(conn, round_ids: Iterable[str]) -> list[int]:
    """This transaction amends these rounds (see ``amending``); returns the markers to remove."""
    return [conn.execute(amending.insert().values(round_id=r)).inserted_primary_key[0]
            for r in sorted(set(round_ids))]


def unmark(conn, marker_ids: list[int]) -> None:
    if marker_ids:
        conn.execute(amending.delete().where(amending.c.marker_id.in_(marker_ids)))


def refuse_sealed(conn, round_ids: Iterable[str], what: str) -> None:
    """Raise ``StateError`` (``what``: "entries" or "run") if one of the rounds is sealed and this
    transaction is not amending it — the triggers' rule, said in the user's language."""
    ids = sorted(set(round_ids))
    if not ids:
        return
    marked = sa.select(amending.c.round_id).where(amending.c.round_id == seals.c.round_id)
    row = conn.execute(sa.select(seals.c.round_id, seals.c.sealed_at)
                       .where(seals.c.round_id.in_(ids), ~sa.exists(marked))
                       .order_by(seals.c.round_id)).first()
    if row is not None:
        raise SealedError(f"err_sealed_{what}", round_id=row.round_id, when=row.sealed_at)

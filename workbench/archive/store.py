"""The electronic archive (电子档案): units, matters, rounds, entries and versioned results.

SQLAlchemy Core over a SQLite file by default (``data/workbench.db``) or PostgreSQL for a shared
deployment (``--db postgresql://…`` or ``WORKBENCH_DB``). Everything that writes is one
transaction: an import or a scoring run lands whole or not at all. Entries and results are
append-only — a re-entry adds a row and the latest per key is current; a re-score adds a new
scoring run — so the history of every number is kept.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from workbench import __version__
from workbench.core import Catalogue, RoundSpec, weights_hash
from workbench.errors import NotFoundError, WorkbenchError
from workbench.labels import t
from workbench.organisation import Organisation, default_organisation, validate

from . import guard, versions
from .denied import explain_refusals, refused_round
from .location import resolve_url, sqlite_path
from .schema import (
    entries,
    matter_amendments,
    matters,
    metadata,
    organisation,
    organisation_areas,
    results,
    round_matters,
    rounds,
    scoring_runs,
    units,
    work_log,
)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Archive:
    """A handle on one archive. ``read_only=True`` opens it so that no write can happen
    (SQLite ``mode=ro``; on PostgreSQL, read-only transactions)."""

    def __init__(self, url: str | None = None, read_only: bool = False):
        self.url = resolve_url(url)
        self.read_only = read_only
        self._org: Organisation | None = None
        self._local = threading.local()  # the open transaction of this thread (``transaction``)
        path = sqlite_path(self.url)
        if path is not None:
            if read_only:
                if not path.exists():
                    raise NotFoundError(f"档案不存在 / archive not found: {path}")
                self.engine = sa.create_engine(
                    f"sqlite:///file:{path}?mode=ro&uri=true", poolclass=sa.pool.NullPool
                )
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Concurrent writers wait for each other (up to a minute) instead of failing.
                self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool,
                                               connect_args={"timeout": 60})
        else:
            args = {"options": "-c default_transaction_read_only=on"} if read_only else {}
            self.engine = sa.create_engine(self.url, connect_args=args, pool_pre_ping=True)
            explain_refusals(self.engine)
        if not read_only:
            try:
                metadata.create_all(self.engine)
                self._add_new_columns()
                with self.engine.begin() as conn:
                    guard.install(conn)
            except sa.exc.OperationalError as exc:  # no server on that port, a locked or foreign file
                raise WorkbenchError(t("err_db_unreachable", archive=repr(self),
                                       why=str(exc.orig).strip().splitlines()[0])) from exc

    def _add_new_columns(self) -> None:
        """An archive made by an older version gets the columns added to its tables since (create_all
        makes missing tables only). Added columns are nullable, so older rows stay valid as they are;
        the entry chain's unique index comes with ``supersedes`` (older rows stay NULL, outside it)."""
        with self.engine.begin() as conn:
            inspector = sa.inspect(conn)
            for table in metadata.sorted_tables:
                have = {c["name"] for c in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name in have:
                        continue
                    kind = column.type.compile(dialect=conn.dialect)
                    conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                    if table.name == "entries" and column.name == "supersedes":
                        conn.exec_driver_sql("CREATE UNIQUE INDEX uq_entries_chain ON entries "
                                             "(round_id, matter_id, indicator_id, source, supersedes)")

    def __repr__(self) -> str:
        return f"Archive({self.engine.url.render_as_string(hide_password=True)!r})"

    def dispose(self) -> None:
        self.engine.dispose()

    # ----------------------------------------------------------------- reading
    def read(self, table: sa.Table | str, *where: sa.ColumnElement, order_by=None) -> pd.DataFrame:
        tbl = metadata.tables[table] if isinstance(table, str) else table
        stmt = sa.select(tbl).where(*where)
        if order_by is not None:
            stmt = stmt.order_by(*order_by) if isinstance(order_by, (list, tuple)) else stmt.order_by(order_by)
        else:
            stmt = stmt.order_by(*tbl.primary_key.columns)
        with self._connection() as conn:
            rows = conn.execute(stmt).mappings().all()
        return pd.DataFrame(rows, columns=[c.name for c in tbl.columns])

    def _connection(self):
        """Inside ``transaction`` its connection (a read sees what the transaction wrote), else a new one."""
        conn = getattr(self._local, "conn", None)
        return contextlib.nullcontext(conn) if conn is not None else self.engine.connect()

    def organisation(self) -> Organisation:
        """The office and its areas as recorded by ``workbench init --org``; an archive without
        one (older archives, ``init`` without ``--org``) has the shipped default."""
        if self._org is None:
            with self.engine.connect() as conn:
                if not sa.inspect(conn).has_table("organisation"):
                    doc = None
                else:
                    doc = conn.execute(sa.select(organisation.c.document)
                                       .order_by(organisation.c.version.desc()).limit(1)).scalar()
            self._org = (validate(json.loads(doc), "archive") if doc
                         else default_organisation())
        return self._org

    def record_organisation(self, org: Organisation, recorded_by: str = "") -> None:
        """Record a (validated) organisation: its document and its areas, in one transaction."""
        areas = [(org.own, org.area), *((a.code, a) for a in org.subordinates)]
        with self.engine.begin() as conn:
            # The archive's rounds and units must keep their areas: a new organisation may add
            # areas, never drop one the archive already uses.
            used = {r for (r,) in conn.execute(sa.select(rounds.c.area).distinct())}
            used |= {c for (c,) in conn.execute(sa.select(units.c.county).distinct()) if c}
            lost = sorted(used - set(org.areas))
            if lost:
                raise WorkbenchError(t("err_org_drops_areas", areas=", ".join(lost)))
            conn.execute(organisation.insert().values(
                document=json.dumps(org.to_document(), ensure_ascii=False), recorded_at=now(),
                recorded_by=recorded_by))
            conn.execute(organisation_areas.delete())
            conn.execute(organisation_areas.insert(), [
                {"area": key, "code": a.code, "name": a.name, "name_en": a.name_en, "position": i}
                for i, (key, a) in enumerate(areas)])
        self._org = org

    def units(self) -> pd.DataFrame:
        return self.read(units)

    def unit_names(self) -> pd.Series:
        """unit_id → name, for every unit of the archive."""
        return self.units().set_index("unit_id")["name"]

    def matters(self) -> pd.DataFrame:
        return self.read(matters)

    def rounds(self) -> pd.DataFrame:
        return self.read(rounds)

    def get_round(self, round_id: str) -> dict:
        df = self.read(rounds, rounds.c.round_id == round_id)
        if df.empty:  # on a shared archive, perhaps there but another area's: say so
            raise refused_round(self.engine, round_id, self.organisation()) or \
                NotFoundError(t("err_unknown_round", round_id=round_id))
        return df.iloc[0].to_dict()

    def round_spec(self, round_id: str) -> RoundSpec:
        r = self.get_round(round_id)
        return RoundSpec(int(r["year"]), r["area"], r["window_start"], r["window_end"], r["eval_date"])

    def selection(self, round_id: str) -> pd.DataFrame:
        return self.read(round_matters, round_matters.c.round_id == round_id)

    def round_matters(self, round_id: str, included_only: bool = True) -> pd.DataFrame:
        """The matters of a round with their unit's facts (name, level, county, quotas)."""
        self.get_round(round_id)
        sel = self.selection(round_id)
        if included_only:
            sel = sel[sel["included"].astype(bool)]
        out = sel[["matter_id", "late", "included", "reason"]].merge(self.matters(), on="matter_id")
        out = out.merge(self.units().rename(columns={"name": "unit_name"}), on="unit_id")
        return out.sort_values("matter_id").reset_index(drop=True)

    def entry_history(self, round_id: str | None = None) -> pd.DataFrame:
        where = [entries.c.round_id == round_id] if round_id else []
        return self.read(entries, *where, order_by=entries.c.entry_id)

    def current_entries(self, round_id: str, source: str | None = None) -> pd.DataFrame:
        """The latest entry per matter × indicator × source (append-only history underneath)."""
        hist = self.entry_history(round_id)
        if source:
            hist = hist[hist["source"] == source]
        key = ["matter_id", "indicator_id", "source"]
        return hist.drop_duplicates(key, keep="last").sort_values(key).reset_index(drop=True)

    def scoring_runs(self, round_id: str | None = None) -> pd.DataFrame:
        where = [scoring_runs.c.round_id == round_id] if round_id else []
        return self.read(scoring_runs, *where)

    def run_versions(self, round_id: str | None = None) -> dict[int, int]:
        """run id → version number *within its round* (1, 2, 3… in the order the runs were made).
        The run id stays the archive's key; people are shown the version."""
        runs = self.scoring_runs(round_id)
        if runs.empty:
            return {}
        version = runs.sort_values("run_id").groupby("round_id").cumcount() + 1
        return {int(r): int(v) for r, v in zip(runs.sort_values("run_id")["run_id"], version)}

    def run_version(self, run_id: int) -> int:
        """The version number, within its round, of scoring run ``run_id``."""
        run = self.read(scoring_runs, scoring_runs.c.run_id == int(run_id))
        if run.empty:
            return int(run_id)
        return self.run_versions(run["round_id"].iloc[0]).get(int(run_id), int(run_id))

    def latest_run(self, round_id: str, source: str = "verified") -> dict | None:
        runs = self.scoring_runs(round_id)
        runs = runs[runs["source"] == source]
        return None if runs.empty else runs.iloc[-1].to_dict()

    def results(self, run_id: int) -> pd.DataFrame:
        return self.read(results, results.c.run_id == int(run_id))

    def latest_results(self, round_id: str, source: str = "verified") -> pd.DataFrame:
        run = self.latest_run(round_id, source)
        if run is None:
            return pd.DataFrame(columns=[c.name for c in results.columns])
        return self.results(run["run_id"])

    def all_latest_results(self, source: str = "verified") -> pd.DataFrame:
        """The current result of every matter in every round, with the round's year and area."""
        runs = self.scoring_runs()
        runs = runs[runs["source"] == source].drop_duplicates("round_id", keep="last")
        res = self.read(results, results.c.run_id.in_([int(r) for r in runs["run_id"]]))
        meta = runs[["run_id", "round_id"]].merge(self.rounds()[["round_id", "year", "area", "status"]]
                                                  .rename(columns={"status": "round_status"}), on="round_id")
        return res.merge(meta, on="run_id")

    def work_log(self, round_id: str) -> dict:
        df = self.read(work_log, work_log.c.round_id == round_id)
        keys = ("documents", "questions", "items_verified", "suggestions")
        return {k: 0 for k in keys} if df.empty else {k: int(df.iloc[0][k]) for k in keys}

    # ----------------------------------------------------------------- writing
    def _insert(self, conn, table: sa.Table, df: pd.DataFrame) -> None:
        if len(df):
            cols = [c.name for c in table.columns if c.name in df.columns]
            recs = df[cols].astype(object).where(df[cols].notna(), None).to_dict("records")
            conn.execute(table.insert(), recs)

    @contextlib.contextmanager
    def transaction(self, round_ids: Iterable[str] = (), exclusive: bool = False):
        """One write transaction for everything inside it, reads included (``read`` and every write
        of this archive in this thread join it), holding the rounds' lock (``guard.lock``). On SQLite
        it takes the write lock at BEGIN (IMMEDIATE), so two processes cannot both read and then both
        fail to upgrade. Nested, it joins the open one (and takes the lock of any further rounds)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            guard.lock(conn, round_ids, exclusive)
            yield conn
            return
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            guard.lock(conn, round_ids, exclusive)
            self._local.conn, self._local.markers = conn, []
            try:
                yield conn
                guard.unmark(conn, self._local.markers)  # none commits, even if an error was caught inside
            finally:
                self._local.conn = None

    @contextlib.contextmanager
    def amending(self, round_ids: Iterable[str]):
        """A transaction that amends these rounds: entries and verified runs of a sealed one may be
        written inside it. The caller records the amendment (who, when, why) before it ends."""
        round_ids = sorted(set(round_ids))
        with self.transaction(round_ids, exclusive=True) as conn:
            markers = guard.mark(conn, round_ids)
            self._local.markers += markers
            yield conn
            guard.unmark(conn, markers)
            self._local.markers = [m for m in self._local.markers if m not in markers]

    def _dialect_insert(self, table: sa.Table):
        if self.engine.dialect.name == "postgresql":
            return sa.dialects.postgresql.insert(table)
        return sa.dialects.sqlite.insert(table)

    def upsert(self, table: sa.Table, df: pd.DataFrame, extra_table: sa.Table | None = None,
               extra: pd.DataFrame | None = None) -> int:
        """Update rows with the same primary key in place, insert the rest, in one transaction;
        return how many rows were new or changed. In place (INSERT … ON CONFLICT DO UPDATE), not
        delete-and-insert: a unit or matter that other rows refer to can be updated, and
        concurrent imports of one file cannot collide on the key. ``extra`` rows go into ``extra_table`` in the same transaction."""
        if df.empty:
            return 0
        (key,) = [c.name for c in table.primary_key.columns]
        cols = [c.name for c in table.columns]
        full = df.reindex(columns=cols)  # a column the file lacks is NULL, as a replaced row had it
        recs = full.astype(object).where(full.notna(), None).to_dict("records")
        stmt = self._dialect_insert(table)
        # a row as stored is left alone (no write, no audit row) and not counted: the same file twice adds nothing
        differs = sa.or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in cols if c != key))
        stmt = stmt.on_conflict_do_update(index_elements=[key], set_={c: stmt.excluded[c] for c in cols if c != key},
                                          where=differs)
        with self.transaction() as conn:
            written = len(conn.execute(stmt.returning(table.c[key]), recs).all())  # rows new or changed
            if extra_table is not None and extra is not None and len(extra):
                self._insert(conn, extra_table, extra)
        return written

    def import_units(self, df: pd.DataFrame) -> int:
        return self.upsert(units, df)

    def import_matters(self, df: pd.DataFrame, amendments: pd.DataFrame | None = None) -> int:
        """Add or update matters; ``amendments`` (matter_id, column, old, new, by, why) are
        recorded with them, in one transaction."""
        if amendments is not None:
            amendments = amendments.assign(at=now())
        return self.upsert(matters, df, matter_amendments, amendments)

    def create_round(self, spec: RoundSpec, created_by: str = "", team: str = "") -> str:
        with self.engine.begin() as conn:
            exists = conn.execute(sa.select(rounds.c.round_id).where(rounds.c.round_id == spec.round_id)).first()
            if exists:
                raise WorkbenchError(f"问效轮次已存在 / round already exists: {spec.round_id}")
            conn.execute(rounds.insert().values(
                round_id=spec.round_id, year=spec.year, area=spec.area,
                window_start=spec.window_start, window_end=spec.window_end, eval_date=spec.eval_date,
                status="open", team=team, created_by=created_by, created_at=now(),
            ))
        return spec.round_id

    def set_round_status(self, round_id: str, status: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(rounds.update().where(rounds.c.round_id == round_id).values(status=status))

    def save_selection(self, round_id: str, selection: pd.DataFrame, decided_by: str = "") -> int:
        """Replace the round's scope. ``selection`` has matter_id, included, late, reason."""
        self.get_round(round_id)
        rows = selection[["matter_id", "included", "late", "reason"]].assign(
            round_id=round_id, decided_by=decided_by, decided_at=now(),
            included=selection["included"].astype(bool), late=selection["late"].astype(bool),
        )
        with self.engine.begin() as conn:
            conn.execute(round_matters.delete().where(round_matters.c.round_id == round_id))
            self._insert(conn, round_matters, rows)
        return int(rows["included"].sum())

    def add_entries(self, new: pd.DataFrame, entered_by: str = "", at: datetime | None = None,
                    expected: dict[str, int] | None = None, lang: str | None = None) -> int:
        """Append entries (round_id, matter_id, indicator_id, source, result, note).

        Rows identical to the current entry are skipped, so importing the same file twice adds
        nothing, and a matter none of whose rows changes keeps its version. ``expected``
        (matter_id → the version read when the matter was opened, see ``entry_version``) refuses
        the save with a ``ConflictError`` if someone changed the matter since (its message in
        ``lang``). Returns the number of rows written (0: nothing changed)."""
        if new.empty:
            return 0
        new = new.copy()
        new["note"] = new.get("note", pd.Series("", index=new.index)).fillna("")
        new["result"] = new["result"].astype(object).where(new["result"].notna(), None)
        new["result"] = new["result"].map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())
        key = ["round_id", "matter_id", "indicator_id", "source"]
        with self.transaction(new["round_id"].unique()) as conn:
            # Versions held first (in key order, so that two imports never deadlock): a save that
            # has to wait for another one of the same matter reads the entries after it.
            held = {k: versions.lock(conn, *k)
                    for k in sorted(set(zip(new["round_id"], new["matter_id"], new["source"])))}
            current = pd.concat(
                [self._current(conn, r, new.loc[new["round_id"] == r, "matter_id"].unique().tolist())
                 for r in new["round_id"].unique()], ignore_index=True
            )
            merged = new.merge(current[key + ["entry_id", "result", "note"]], on=key, how="left",
                               suffixes=("", "_old"), indicator=True)
            same = (merged["_merge"] == "both") & (
                merged["result"].fillna("\0") == merged["result_old"].fillna("\0")
            ) & (merged["note"].fillna("") == merged["note_old"].fillna(""))
            # Only a matter with a value that differs from what is saved now gets a new version
            # (or a conflict): the same values again are no news, whoever opened it when.
            for r, m, s in sorted(set(zip(*(merged.loc[~same, c] for c in ("round_id", "matter_id", "source"))))):
                exp = None if expected is None or m not in expected else expected[m]
                if exp is not None and held[r, m, s] != int(exp):
                    raise versions.conflict(conn, self._current(conn, r, [m]), new, r, m, s, exp, lang)
                versions.advance(conn, r, m, s, held[r, m, s])
            new = new[~same.to_numpy()].assign(
                supersedes=merged.loc[~same, "entry_id"].fillna(0).astype(int).to_numpy())
            new = new.assign(entered_by=new.get("entered_by", entered_by) if "entered_by" in new else entered_by,
                             entered_at=at or now())
            guard.refuse_sealed(conn, new["round_id"].unique(), "entries")  # under the lock: no seal slips in
            return self._append_entries(conn, new)

    def _append_entries(self, conn, new: pd.DataFrame) -> int:
        """Insert each entry after the one it supersedes unless another process already did; a
        concurrent *different* change to the same entry aborts the whole import (nothing written)."""
        if new.empty:
            return 0
        cols = [c.name for c in entries.columns if c.name in new.columns]
        recs = new[cols].astype(object).where(new[cols].notna(), None).to_dict("records")
        chain = ["round_id", "matter_id", "indicator_id", "source", "supersedes"]
        stmt = self._dialect_insert(entries).on_conflict_do_nothing(index_elements=chain)
        written = len(conn.execute(stmt.returning(entries.c.entry_id), recs).all())
        if written < len(recs):
            there = pd.DataFrame(conn.execute(sa.select(entries).where(
                entries.c.round_id.in_(list(new["round_id"].unique())),
                entries.c.supersedes.in_([int(v) for v in new["supersedes"].unique()]),
            )).mappings().all(), columns=[c.name for c in entries.columns])
            both = new.merge(there, on=chain, suffixes=("", "_there"))
            differs = (both["result"].fillna("\0") != both["result_there"].fillna("\0")) | (
                both["note"].fillna("") != both["note_there"].fillna(""))
            if differs.any():
                raise WorkbenchError(t("err_concurrent_entry", matter=both.loc[differs, "matter_id"].iloc[0],
                                       indicator=both.loc[differs, "indicator_id"].iloc[0]))
        return written

    def entry_version(self, round_id: str, matter_id: str, source: str = "verified") -> int:
        """The version of a matter's entries now (0: never saved); pass it back to ``add_entries``."""
        with self.engine.connect() as conn:
            return versions.read_version(conn, round_id, matter_id, source)

    def _current(self, conn, round_id: str, matter_ids: list[str]) -> pd.DataFrame:
        """The current entries of those matters (only theirs: a save reads what it touches)."""
        rows = []
        for i in range(0, len(matter_ids), 500):
            rows += conn.execute(
                sa.select(entries).where(entries.c.round_id == round_id,
                                         entries.c.matter_id.in_(matter_ids[i:i + 500]))
                .order_by(entries.c.entry_id)
            ).mappings().all()
        df = pd.DataFrame(rows, columns=[c.name for c in entries.columns])
        return df.drop_duplicates(["matter_id", "indicator_id", "source"], keep="last")

    def save_results(
        self,
        round_id: str,
        source: str,
        table: pd.DataFrame,
        catalogue: Catalogue,
        weights: pd.Series,
        computed_by: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> int:
        """Archive a scoring run with its provenance; returns the new run id (= version). A verified
        run of a sealed round is refused unless inside ``amending``."""
        with self.transaction([round_id]) as conn:
            if source == "verified":
                guard.refuse_sealed(conn, [round_id], "run")
            run_id = conn.execute(scoring_runs.insert().values(
                round_id=round_id, source=source, catalogue_hash=catalogue.hash,
                weights_hash=weights_hash(weights),
                weights=json.dumps({k: int(v) for k, v in weights.sort_index().items()}),
                software_version=__version__, computed_by=computed_by,
                computed_at=at or now(), note=note,
            )).inserted_primary_key[0]
            rows = table.assign(run_id=run_id)
            rows["rank_in_category"] = rows["rank_in_category"].astype(object)
            self._insert(conn, results, rows)
        return int(run_id)

    def set_work_log(self, round_id: str, **counters: int) -> None:
        current = self.work_log(round_id)
        current.update({k: int(v) for k, v in counters.items()})
        with self.engine.begin() as conn:
            conn.execute(work_log.delete().where(work_log.c.round_id == round_id))
            conn.execute(work_log.insert().values(round_id=round_id, **current))

    def write_many(self, frames: Iterable[tuple[sa.Table, pd.DataFrame]]) -> None:
        """Insert several tables in one transaction (used by the demo builder)."""
        with self.engine.begin() as conn:
            for table, df in frames:
                self._insert(conn, table, df)


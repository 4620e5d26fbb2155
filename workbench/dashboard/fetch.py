"""The dashboard's one edge: read what the page needs from an archive opened read-only."""

from __future__ import annotations

from datetime import date

import pandas as pd

from workbench.core import item_states
from workbench.filing import filing_status
from workbench.rounds import read_cycles

from .data import DashboardData, prepare_results


# ------------------------------------------------------------------------------------ the edge
def fetch(archive, today: date | None = None) -> DashboardData:
    """Read what the dashboard needs from an archive (open it with ``read_only=True``).

    The follow-through tables (rectification items and events, rule decisions) and county
    filings are optional: read when the archive has them, left out of ``extras`` otherwise."""
    import sqlalchemy as sa

    results = archive.all_latest_results()
    data = prepare_results(results, archive.units(), archive.read("round_matters"))
    present = set(sa.inspect(archive.engine).get_table_names())
    extras: dict[str, pd.DataFrame] = {}
    if {"rectification_items", "rectification_events"} <= present:

        items, events = _table(archive, "rectification_items"), _table(archive, "rectification_events")
        extras["rectifications"] = item_states(items, events, today or date.today())
    if "decisions" in present:
        extras["decisions"] = _table(archive, "decisions")
    if "filings" in present:  # per county round: on_time | late | missing | due | … (workbench.filing.status)

        extras["filings"] = filing_status(archive, as_of=today)[["round_id", "status", "deadline"]]
    if "implementation" in present:  # what the evaluation changed, and the on-site work
        extras["cycles"] = read_cycles(archive)
    if "work_log" in present:
        extras["work_log"] = _table(archive, "work_log")
    return DashboardData(results=data, rounds=archive.rounds(), extras=extras, org=archive.organisation())



def _table(archive, name: str) -> pd.DataFrame:
    with archive.engine.connect() as conn:
        return pd.read_sql_table(name, conn)

"""What ``notebooks/07_county_filing.ipynb`` calls: one function per step, each opening the
archive, calling ``workbench.filing`` and returning something to show.
Errors the user can fix are shown as a sentence, not a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from workbench.archive import Archive
from workbench.core import parse_round_id
from workbench.dates import as_date
from workbench.errors import WorkbenchError
from workbench.filing import (
    build_filing_package,
    county_performance,
    filing_status,
    labelled,
    receive_filing,
)
from workbench.labels import t
from workbench.paths import REPORTS_DIR


def build_package(db: str, round_id: str, officer: str, filed_on: str | None = None,
                  out_dir: str | None = None, lang: str = "zh") -> Path | None:
    """County side: write the round's filing package; prints where it went (or why not)."""
    out = Path(out_dir or REPORTS_DIR / "filings") / f"{round_id}_报备.zip"
    try:
        path = build_filing_package(Archive(db or None), round_id, out, officer, as_date(filed_on))
    except WorkbenchError as exc:
        print(exc)
        return None
    with zipfile.ZipFile(path) as z:
        print(t("filing_written", lang, round_id=round_id, path=path, files=len(z.namelist())))
    return path


def receive(db: str, path: Path | None, officer: str, received_on: str | None = None, lang: str = "zh") -> dict | None:
    """City side: check and record the package; prints the outcome and anything flagged."""
    if path is None:
        return None
    try:
        row = receive_filing(Archive(db or None), path, officer, as_date(received_on))
    except WorkbenchError as exc:
        print(exc)
        return None
    key = "filing_received" if row["new"] else "filing_already"
    print(t(key, lang, round_id=row["round_id"], filing_id=row["filing_id"], received_on=row["received_on"],
            status=t(f"filing_{row['status']}_word", lang)))
    for line in filter(None, (row["problems"] or "").split("\n")):
        print(f"  ! {line}")
    return row


def status_table(db: str, round_id: str, lang: str = "zh", as_of: str | None = None) -> pd.DataFrame:
    """The filing status of every county round of the round's year."""
    year, _ = parse_round_id(round_id)
    archive = Archive(db or None, read_only=True)
    df = filing_status(archive, year, as_date(as_of))
    return labelled(df.drop(columns="problems"), lang, archive.organisation()).drop(columns=t("filing_col_area", lang))


def performance_table(db: str, round_id: str, lang: str = "zh", as_of: str | None = None) -> pd.DataFrame:
    """The counties' performance points for the round's year."""
    year, _ = parse_round_id(round_id)
    archive = Archive(db or None, read_only=True)
    return labelled(county_performance(archive, year, as_date(as_of)), lang, archive.organisation())

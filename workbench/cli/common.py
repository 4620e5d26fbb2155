"""What every sub-command shares: the archive option, who acts, dates, and printed tables."""

from __future__ import annotations

import argparse
import os

import pandas as pd

from workbench.archive import Archive
from workbench.dates import as_date
from workbench.labels import column_labels, t


def date_arg(text: str):
    """argparse type for YYYY-MM-DD options: a clear message instead of a traceback."""
    try:
        return as_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("err_bad_date") + f": {text!r}") from exc


def db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="archive URL or SQLite path (default: $WORKBENCH_DB or data/workbench.db)")


def by_option(p: argparse.ArgumentParser, required: bool = False, help: str = "who does it") -> None:
    """``--by NAME``: who acts. Optional ones default to the login name ($USER), the same everywhere.
    Only the single-user SQLite archive keeps what is typed: on a shared PostgreSQL archive the
    database records the signed-in role instead (archive/access.py)."""
    shared = "; a shared PostgreSQL archive records the signed-in login instead"
    if required:
        p.add_argument("--by", required=True, help=f"{help}{shared}")
    else:
        p.add_argument("--by", default=os.environ.get("USER", ""), help=f"{help} (default: $USER{shared})")


def open_archive(args: argparse.Namespace, read_only: bool = False) -> Archive:
    return Archive(args.db, read_only=read_only)


def format_table(table: pd.DataFrame, lang: str | None = None) -> str:
    shown = table.rename(columns=column_labels(list(table.columns), lang))
    with pd.option_context("display.max_rows", 500, "display.width", 200, "display.unicode.east_asian_width", True):
        return shown.to_string(index=False, na_rep="—")

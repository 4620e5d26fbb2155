"""What every sub-command shares: the archive option, who acts, dates, and printed tables."""

from __future__ import annotations

import argparse
import math
import os
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from workbench.archive import Archive, resolve_url, sqlite_path
from workbench.dates import as_date
from workbench.errors import NotFoundError
from workbench.labels import column_labels, register, t

register({
    "arg_range": {"zh": "应为 {low} 至 {high} 之间的{what}:{value!r}",
                  "en": "must be a {what} from {low} to {high}: {value!r}"},
    "arg_above": {"zh": "应为大于 {low}、不超过 {high} 的数:{value!r}",
                  "en": "must be a number above {low} and at most {high}: {value!r}"},
    "arg_integer": {"zh": "整数", "en": "whole number"},
    "arg_number": {"zh": "数", "en": "number"},
    "arg_out_dir": {"zh": "输出路径是一个文件夹,应为文件:{path}", "en": "the output is a folder, not a file: {path}"},
    "arg_out_parent": {"zh": "输出路径的上级 {parent} 不是可写的文件夹", "en": "{parent} is not a writable folder"},
    "arg_out_type": {"zh": "不支持的输出类型 {suffix};可选:{options}", "en": "unsupported output type {suffix}; choose: {options}"},
    "arg_db_dir": {"zh": "档案路径是一个文件夹:{path}", "en": "the archive path is a folder: {path}"},
    "arg_db_file": {"zh": "{path} 不是档案(SQLite 数据库)文件", "en": "{path} is not an archive (SQLite database) file"},
    "cli_error": {"zh": "错误:{message}", "en": "error: {message}"},
    "err_no_archive": {"zh": "档案 {path} 不存在:先运行 workbench init(空档案)或 workbench demo(演示档案),"
                             "或用 --db 指定已有的档案",
                       "en": "there is no archive at {path}: run workbench init (an empty one) or workbench demo "
                             "(the demo), or name an existing one with --db"},
    "arg_db_scheme": {"zh": "不支持的档案地址 {scheme}://;可选:sqlite、postgresql",
                      "en": "unsupported archive URL {scheme}://; use sqlite or postgresql"},
})

SQLITE_MAGIC = b"SQLite format 3\x00"
DB_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg", "postgresql+psycopg2")


def int_range(low: int, high: int):
    """argparse type: a whole number in [low, high] (``--draws 0``, ``--seed -1``, ``--year 99999``
    are refused with the valid range, not met later as a traceback)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(t("arg_range", what=t("arg_integer"), low=low, high=high, value=text))
        return value
    return parse


def float_range(low: float, high: float, low_open: bool = False):
    """argparse type: a finite number in [low, high] (or (low, high] with ``low_open``)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        ok = math.isfinite(value) and (value > low if low_open else value >= low) and value <= high
        if not ok:
            raise argparse.ArgumentTypeError(t("arg_above", low=low, high=high, value=text) if low_open else
                                             t("arg_range", what=t("arg_number"), low=low, high=high, value=text))
        return value
    return parse


def year_arg(text: str) -> int:
    """A round's year: from 1990 to two years from now."""
    return int_range(1990, date.today().year + 2)(text)


def out_path(*suffixes: str):
    """argparse type for ``--out FILE``: a supported suffix, not a folder, inside a writable folder
    — checked before any work is done or archived."""
    def parse(text: str) -> Path:
        path = Path(text)
        if suffixes and path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(t("arg_out_type", suffix=path.suffix or "''", options=", ".join(suffixes)))
        if path.is_dir():
            raise argparse.ArgumentTypeError(t("arg_out_dir", path=path))
        _writable_folder(path.parent)
        return path
    return parse


def out_dir(text: str) -> Path:
    """argparse type for ``--out FOLDER``: an existing folder or one that can be made."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(t("arg_out_parent", parent=path))
    _writable_folder(path)
    return path


def _writable_folder(folder: Path) -> None:
    """The nearest existing folder up from ``folder`` must be a folder we may write in (a file on
    the way — ``x.csv/out.xlsx`` — is refused)."""
    probe = folder.absolute()
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(t("arg_out_parent", parent=probe))


def db_arg(text: str) -> str:
    """argparse type for ``--db``: a sqlite/postgresql URL, or a path that is not a folder and,
    if it exists and is not empty, is a SQLite file (not a CSV handed over by mistake)."""
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme not in DB_SCHEMES:
            raise argparse.ArgumentTypeError(t("arg_db_scheme", scheme=scheme))
        database = sa.engine.make_url(text).database if scheme == "sqlite" else None
        if not database or database == ":memory:":
            return text
        path = Path(database)
    else:
        path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(t("arg_db_dir", path=path))
    if path.is_file() and path.stat().st_size:
        with open(path, "rb") as f:
            if f.read(16) != SQLITE_MAGIC:
                raise argparse.ArgumentTypeError(t("arg_db_file", path=path))
    return text


def date_arg(text: str):
    """argparse type for YYYY-MM-DD options: a clear message instead of a traceback."""
    try:
        return as_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("err_bad_date") + f": {text!r}") from exc


def db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=db_arg, help="archive URL or SQLite path (default: $WORKBENCH_DB or data/workbench.db)")


def by_option(p: argparse.ArgumentParser, required: bool = False, help: str = "who does it") -> None:
    """``--by NAME``: who acts. Optional ones default to the login name ($USER), the same everywhere.
    Only the single-user SQLite archive keeps what is typed: on a shared PostgreSQL archive the
    database records the signed-in role instead (archive/access.py)."""
    shared = "; a shared PostgreSQL archive records the signed-in login instead"
    if required:
        p.add_argument("--by", required=True, help=f"{help}{shared}")
    else:
        p.add_argument("--by", default=os.environ.get("USER", ""), help=f"{help} (default: $USER{shared})")


def require_archive(db: str | None) -> None:
    """A command that works on an archive refuses a SQLite file that is not there: opening it would
    make an empty one (a mistyped ``--db``, a folder without ``data/``) and report nothing to do."""
    path = sqlite_path(resolve_url(db))
    if path is not None and str(path) != ":memory:" and not path.exists():
        raise NotFoundError(t("err_no_archive", path=path))


def open_archive(args: argparse.Namespace, read_only: bool = False) -> Archive:
    return Archive(args.db, read_only=read_only)


def format_table(table: pd.DataFrame, lang: str | None = None) -> str:
    shown = table.rename(columns=column_labels(list(table.columns), lang))
    with pd.option_context("display.max_rows", 500, "display.width", 200, "display.unicode.east_asian_width", True):
        return shown.to_string(index=False, na_rep="—")

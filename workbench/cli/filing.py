"""``workbench file``, ``receive`` and ``filings``: county filing (报备) and its status."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from workbench.archive import Archive
from workbench.files import write_tables
from workbench.filing import (
    STATUS_ORDER,
    build_filing_package,
    county_performance,
    filing_status,
    labelled,
    receive_filing,
)
from workbench.labels import t

from .common import by_option, date_arg, db_option, format_table, out_path, year_arg


def add_cli(sub) -> None:


    p = sub.add_parser("file", help="county office: write a completed, sealed round's filing package (报备)")
    p.add_argument("--round", dest="round_id", required=True)
    p.add_argument("--out", type=out_path(".zip"), required=True, help=".zip file")
    by_option(p, help="who files it (contact on the cover letter)")
    p.add_argument("--on", type=date_arg, help="date of the filing (default today)")
    p.add_argument("--key", type=Path, required=True, metavar="PRIVATE_KEY",
                   help="the county office's private key (from `workbench keys new`); signs the package")
    db_option(p)
    p.set_defaults(func=_cmd_file)
    p = sub.add_parser("receive", help="city office: check a county's filing package and record it")
    p.add_argument("file", type=Path)
    by_option(p, help="who receives it")
    p.add_argument("--on", type=date_arg, help="date received (default today)")
    db_option(p)
    p.set_defaults(func=_cmd_receive)
    p = sub.add_parser("filings", help="filing status of county rounds and the counties' performance points")
    p.add_argument("--year", type=year_arg, help="one year (default: every year; performance for each)")
    p.add_argument("--as-of", type=date_arg, help="judge deadlines, items and decisions as of this date")
    p.add_argument("--out", type=out_path(".xlsx", ".csv"), help=".xlsx (two sheets) or .csv (FILE and FILE-performance.csv)")
    db_option(p)
    p.set_defaults(func=cmd_filings)



def _cmd_file(args) -> int:
    path = build_filing_package(Archive(args.db), args.round_id, args.out, args.by, args.on,
                                key=args.key)
    with zipfile.ZipFile(path) as z:
        n = len(z.namelist())
    print(t("filing_written", args.lang, round_id=args.round_id, path=path, files=n))
    return 0



def _cmd_receive(args) -> int:
    row = receive_filing(Archive(args.db), args.file, args.by, args.on)
    if not row["new"]:
        print(t("filing_already", args.lang, round_id=row["round_id"], received_on=row["received_on"],
                filing_id=row["filing_id"]))
        return 0
    print(t("filing_received", args.lang, round_id=row["round_id"], filing_id=row["filing_id"],
            status=t(f"filing_{row['status']}_word", args.lang)))
    for line in filter(None, row["problems"].split("\n")):
        print(f"  ! {line}")
    return 0


def cmd_filings(args) -> int:
    """``workbench filings``: the status table, then the performance table of each year."""

    archive = Archive(args.db, read_only=True)
    org = archive.organisation()
    status = filing_status(archive, args.year, args.as_of)
    years = [args.year] if args.year else sorted(status["year"].unique())
    perf = pd.concat([county_performance(archive, int(y), args.as_of) for y in years], ignore_index=True)
    if len(status):
        print(format_table(labelled(status.drop(columns="problems"), args.lang, org).drop(columns=t("filing_col_area", args.lang))))
    counts = status["status"].value_counts()
    print(" · ".join(f"{t(f'filing_status_{s}', args.lang)} {int(counts[s])}" for s in STATUS_ORDER if s in counts))
    cols = ["year", "area", "area_name", "rounds", "on_time", "late", "missing", "matters", "completion_pct",
            "items", "items_passed", "decisions", "decisions_signed", "pts_matters", "pts_filing",
            "pts_rectification", "pts_decisions", "pts_completion", "work", "filing_class", "points", "rank"]
    print()
    ranked = set(perf["year"].astype(int))
    for y in (y for y in years if int(y) not in ranked):
        print(t("filing_no_ranking", args.lang, year=int(y)))
    if len(perf):
        print(format_table(labelled(perf[cols], args.lang, org)))
    if args.out:
        _write_out(args.out, labelled(status, args.lang, org), labelled(perf[cols], args.lang, org))
        print(f"\n→ {args.out}")
    return 0



def _write_out(path: Path, status: pd.DataFrame, perf: pd.DataFrame) -> None:
    """.xlsx: sheets filings and performance; .csv: FILE and FILE-performance.csv."""
    write_tables(path, {"filings": status, "performance": perf})

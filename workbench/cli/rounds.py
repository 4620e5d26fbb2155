"""Sub-commands of a round's first steps: the archive, imports, the round, its scope and its score."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from workbench.archive import Archive, install, resolve_url, sqlite_path
from workbench.demo import build_demo
from workbench.errors import WorkbenchError
from workbench.files import (
    export_table,
    import_entries,
    import_matters,
    import_units,
    load_catalogue,
    load_weights,
)
from workbench.followup import amend_entries, score_amended
from workbench.labels import localise, register, t
from workbench.organisation import load_organisation
from workbench.paths import create_project
from workbench.rounds import create_round, import_dates, score_archived_round, select_round

from .common import by_option, date_arg, db_option, format_table, open_archive, out_path, year_arg

register({
    "project_exists": {"zh": "{path} 已存在,未作改动", "en": "{path} exists; nothing was changed"},
    "project_created": {
        "zh": "已创建项目文件夹 {path}:先编辑 parameters/organisation.yaml(本机构及下级地区)、catalogue.yaml 与 weights/,"
              "再运行 workbench init --org parameters/organisation.yaml",
        "en": "project folder {path} created: edit parameters/organisation.yaml (the office and its areas), "
              "catalogue.yaml and weights/, then run workbench init --org parameters/organisation.yaml"},
    "org_recorded": {"zh": "已记录组织机构:{office},下级地区 {count} 个",
                     "en": "organisation recorded: {office}, {count} subordinate area(s)"},
    "archive_ready": {"zh": "档案已就绪:{archive}", "en": "archive ready: {archive}"},
    "demo_built": {"zh": "演示档案:{units} 个单位、{matters} 个事项、{rounds} 个问效轮次;已问效 {evaluated} 个事项"
                         "(市级 {city} 个,县级 {county} 个)",
                   "en": "demo archive: {units} units, {matters} matters, {rounds} rounds; evaluated {evaluated} "
                         "matters ({city} city, {county} county)"},
    "import_done": {"zh": "{file}:读取 {rows} 行,写入 {written} 行", "en": "{file}: {rows} rows read, {written} written"},
    "import_warning": {"zh": "注意:{warning}", "en": "warning: {warning}"},
    "round_created": {"zh": "{round_id}:发布时间窗 {start} 至 {end},问效日期 {eval_date}",
                      "en": "{round_id}: window {start} – {end}, evaluation {eval_date}"},
})


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project folder: parameters/ (organisation, catalogue, weights), reports/, data/")
    p.add_argument("directory", type=Path)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("init", help="create an empty archive (and record the office's organisation)")
    p.add_argument("--org", type=Path, help="organisation.yaml: the office and its areas (default: the shipped one)")
    p.add_argument("--shared", action="store_true",
                   help="PostgreSQL for many users: also install roles, row-level security and audit (= users setup)")
    by_option(p)
    db_option(p)
    p.set_defaults(func=cmd_init, archive_must_exist=False)

    p = sub.add_parser("demo", help="build the demo archive (Weifang, 2018–2021)")
    db_option(p)
    p.add_argument("--force", action="store_true", help="replace an existing SQLite demo archive")
    p.set_defaults(func=cmd_demo, archive_must_exist=False)

    p = sub.add_parser("import", help="import units, matters, entries or implementation dates from .xlsx/.csv")
    p.add_argument("what", choices=["units", "matters", "entries", "implementation"])
    p.add_argument("file", type=Path)
    p.add_argument("--round", dest="round_id",
                   help="entries and implementation dates: the round they belong to (required for dates)")
    p.add_argument("--amend", action="store_true",
                   help="correct archived facts on purpose: matters are updated, a sealed round's entries "
                        "re-scored; needs --reason and --by, both recorded")
    p.add_argument("--reason", default="", help="why the archived facts are amended (with --amend)")
    by_option(p, help="who enters them")
    db_option(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("round", help="manage rounds")
    rsub = p.add_subparsers(dest="round_command", required=True)
    c = rsub.add_parser("create", help="create a round for a year and an area")
    c.add_argument("--year", type=year_arg, required=True)
    c.add_argument("--area", required=True, help="city or a county's 6-digit division code")
    c.add_argument("--window-start", type=date_arg)
    c.add_argument("--window-end", type=date_arg)
    c.add_argument("--eval-date", type=date_arg)
    by_option(c)
    db_option(c)
    c.set_defaults(func=cmd_round_create)

    p = sub.add_parser("select", help="put the eligible matters of a round in scope")
    p.add_argument("--round", dest="round_id", required=True)
    by_option(p)
    db_option(p)
    p.set_defaults(func=cmd_select)

    p = sub.add_parser("score", help="score a round, archive the run, write the result table")
    p.add_argument("--round", dest="round_id", required=True)
    p.add_argument("--source", choices=["verified", "self"], default="verified")
    p.add_argument("--weights", type=Path, help="a weights scenario YAML (default: the catalogue's)")
    p.add_argument("--out", type=out_path(".csv", ".xlsx"), required=True, action="append",
                   help=".csv or .xlsx; repeat for both")
    p.add_argument("--dry-run", action="store_true", help="print and write the scores, archive nothing")
    p.add_argument("--amend", action="store_true",
                   help="a sealed round: archive the new version as an amendment; needs --reason and --by, both recorded")
    p.add_argument("--reason", default="", help="why the sealed results are amended (with --amend)")
    by_option(p)
    db_option(p)
    p.set_defaults(func=cmd_score)



def cmd_new(args) -> int:
    try:
        root = create_project(args.directory)
    except FileExistsError as exc:
        raise WorkbenchError(t("project_exists", path=exc.args[0])) from None
    print(t("project_created", path=root))
    return 0


def cmd_init(args) -> int:
    org = load_organisation(args.org) if args.org else None  # checked before anything is created
    archive = open_archive(args)
    if org is not None:
        archive.record_organisation(org, args.by)
        print(t("org_recorded", office=org.office_name, count=len(org.subordinates)))
    if args.shared:  # the same words as `workbench users setup` (its label, cli/users.py)
        groups = install(archive)
        print(t("users_setup_done", groups=", ".join(groups.values())))
    print(t("archive_ready", archive=archive.engine.url.render_as_string(hide_password=True)))
    return 0


def cmd_demo(args) -> int:

    url = resolve_url(args.db)
    path = sqlite_path(url)
    if path is not None and path.exists():
        if not args.force:
            raise WorkbenchError(f"档案已存在 / archive exists: {path} (use --force to rebuild the demo)")
        path.unlink()
    counts = build_demo(Archive(url))
    print(t("demo_built", **{k: counts[k] for k in ("units", "matters", "rounds", "evaluated", "city", "county")}))
    return 0


def cmd_import(args) -> int:

    archive = open_archive(args)
    if args.what == "units":
        report = import_units(archive, args.file)
    elif args.what == "matters":
        report = import_matters(archive, args.file, args.by, args.reason, amend=args.amend)
    elif args.what == "implementation":
        if not args.round_id:
            raise WorkbenchError(t("err_round_needed"))
        n = import_dates(archive, args.file, args.round_id, args.by)
        print(t("implementation_imported", file=Path(args.file).name, n=n))
        return 0
    elif args.amend:  # the entries, a sealed round's new version, who and why: one transaction
        report = amend_entries(archive, args.file, load_catalogue(), args.by, args.reason, round_id=args.round_id)
    else:
        report = import_entries(archive, args.file, load_catalogue(), entered_by=args.by, round_id=args.round_id)
    for w in report.warnings:
        print(t("import_warning", warning=w), file=sys.stderr)
    print(t("import_done", file=report.file, rows=report.rows, written=report.written))
    return 0


def cmd_round_create(args) -> int:

    spec = create_round(open_archive(args), args.year, args.area, args.window_start, args.window_end,
                        args.eval_date, created_by=args.by)
    print(t("round_created", round_id=spec.round_id, start=spec.window_start, end=spec.window_end,
            eval_date=spec.eval_date))
    return 0


def cmd_select(args) -> int:

    archive = open_archive(args)
    s = select_round(archive, args.round_id, decided_by=args.by)
    print(f"{args.round_id}: {t('scope_summary', **s)}")
    # Show what the area had that stays out, and why, so the scope can be checked, not trusted.
    left_out = archive.round_matters(args.round_id, included_only=False)
    left_out = left_out[~left_out["included"].astype(bool)]
    if len(left_out):
        shown = left_out[["matter_id", "unit_name", "approved_on", "reason"]].assign(
            reason=left_out["reason"].map(lambda r: t(f"reason_{r}")))
        print(f"\n{t('excluded_reason')}:")
        print(format_table(shown.rename(columns={"reason": "excluded_reason"}), args.lang))
    return 0


def cmd_score(args) -> int:

    catalogue = load_catalogue()
    weights = load_weights(args.weights, catalogue) if args.weights else None
    if args.amend and not (args.reason.strip() and args.by.strip()):
        raise WorkbenchError(t("chg_amend_why"))
    archive = open_archive(args)
    if args.amend and args.source == "verified" and not args.dry_run:
        table = score_amended(archive, args.round_id, catalogue, args.by, args.reason, weights=weights)
    else:
        table = score_archived_round(archive, args.round_id, catalogue, source=args.source, weights=weights,
                                     save=not args.dry_run, computed_by=args.by)
    lang = args.lang or os.environ.get("WORKBENCH_LANG")
    names = archive.unit_names()
    # the file is for people: unit names beside ids, headers and codes in the user's language
    written = table.copy()
    written.insert(2, "unit_name", written["unit_id"].map(names))
    for out in args.out:
        export_table(localise(written, lang), out)
    shown = table.assign(
        category=table["category"].map(lambda c: catalogue.category_name(c, lang or "zh")),
        status=table["status"].map(lambda s: t(s, lang)),
        band=table["band"].map(lambda b: catalogue.band_name(b, lang or "zh"), na_action="ignore"),
    )
    shown.insert(2, "unit_name", shown["unit_id"].map(names))
    print(format_table(shown.drop(columns=["unit_id"]), lang))
    print("\n→ " + ", ".join(str(o) for o in args.out))
    return 0



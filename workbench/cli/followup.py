"""Sub-commands of the follow-through: seal, result use, feedback documents, a unit's history."""

from __future__ import annotations

import argparse
from datetime import date

import numpy as np
import pandas as pd

from workbench.archive import Archive
from workbench.files import load_catalogue, write_tables
from workbench.followup import (
    check_seal,
    correct_letter,
    decisions_table,
    dry_run,
    export_bundle,
    issue_feedback,
    issue_letters,
    read_corrections,
    read_decisions,
    read_letters,
    read_register,
    record_decisions,
    ref_words,
    reject,
    seal_round,
    sign_off,
    unit_history,
    write_report,
)
from workbench.forms import Names
from workbench.labels import default_lang, localise, register, t

from .common import by_option, date_arg, db_option, format_table, out_dir, out_path

register({"sealed_as": {"zh": "{round_id}:已封存第 {version} 版结果,SHA-256 {sha}…",
                        "en": "{round_id}: sealed version {version} sha256 {sha}…"},
          "decisions_none": {"zh": "没有符合条件的结果运用决定", "en": "no result-use decisions match"}})

#: what ``workbench decisions`` shows of a decision, in this order (unit and matter by name)
DECISION_COLUMNS = ["decision_id", "round_id", "unit", "matter", "rule", "status", "as_of", "created_by",
                    "created_at", "decided_by", "decided_at", "reject_reason", "reason_text"]


def add_cli(sub: argparse._SubParsersAction) -> None:
    _add_sealing(sub)
    _add_result_use(sub)
    _add_documents(sub)
    _add_history(sub)


def _add_sealing(sub: argparse._SubParsersAction) -> None:

    p = sub.add_parser("seal", help="seal a round's results (done when feedback is issued)")
    p.add_argument("--round", dest="round_id", required=True)
    p.add_argument("--issued-on", type=date_arg, default=None, help="date feedback was issued")
    by_option(p)
    db_option(p)
    p.set_defaults(func=_cmd_seal)
    p = sub.add_parser("seal-check", help="check a sealed round for tampering (exit 1 if any)")
    p.add_argument("--round", dest="round_id", required=True)
    db_option(p)
    p.set_defaults(func=_cmd_seal_check)


def _cmd_seal(args) -> int:
    archive = Archive(args.db)
    row = seal_round(archive, args.round_id, args.by, args.issued_on or date.today())
    version = archive.run_version(row["run_id"])
    print(t("sealed_as", args.lang, round_id=args.round_id, version=version, sha=row["results_hash"][:16]))
    return 0


def _cmd_seal_check(args) -> int:
    report = check_seal(Archive(args.db, read_only=True), args.round_id, args.lang)
    print(report.message(args.lang))
    return 0 if report.ok else 1


def _add_result_use(sub: argparse._SubParsersAction) -> None:

    p = sub.add_parser("rules", help="apply the result-use rules as of a date (drafts; --dry-run writes nothing)")
    p.add_argument("--as-of", type=date_arg, default=None, help="YYYY-MM-DD (default today)")
    p.add_argument("--dry-run", action="store_true", help="show what the rules decide; record nothing")
    by_option(p)
    db_option(p)
    p.set_defaults(func=_cmd_rules)
    p = sub.add_parser("decide", help="sign off or reject a draft decision")
    p.add_argument("decision_id", type=int)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--sign", action="store_true")
    g.add_argument("--reject", metavar="REASON")
    by_option(p, required=True)
    db_option(p)
    p.set_defaults(func=_cmd_decide)
    p = sub.add_parser("decisions", help="list the result-use decisions with their numbers (the ID of decide)")
    p.add_argument("--round", dest="round_id", help="one round (default: every round)")
    p.add_argument("--status", choices=["draft", "signed", "rejected", "all"], default="all")
    p.add_argument("--out", type=out_path(".csv", ".xlsx"), help="also write the list to .csv or .xlsx")
    db_option(p)
    p.set_defaults(func=_cmd_decisions)


def _cmd_rules(args) -> int:

    as_of = args.as_of or date.today()
    archive = Archive(args.db, read_only=args.dry_run)
    found = dry_run(archive, as_of, args.lang or "zh") if args.dry_run else record_decisions(archive, as_of, args.by)
    if found.empty:
        print(t("rules_none", args.lang, as_of=as_of))
        return 0
    shown = decisions_table(found, args.lang or "zh")
    print(format_table(shown[[c for c in ["decision_id", "rule", "round_id", "unit_id", "matter_id", "reason_text"]
                              if c in shown]], args.lang))
    return 0


def _cmd_decide(args) -> int:
    archive = Archive(args.db)
    if args.sign:
        sign_off(archive, args.decision_id, args.by)
    else:
        reject(archive, args.decision_id, args.by, args.reject)
    print(f"#{args.decision_id}: {t('decision_signed' if args.sign else 'decision_rejected', args.lang)}")
    return 0


def _cmd_decisions(args) -> int:
    lang = args.lang or default_lang()
    archive = Archive(args.db, read_only=True)
    found = read_decisions(archive, None if args.status == "all" else args.status, round_id=args.round_id)
    table = decisions_listing(found, Names(archive, load_catalogue(), lang), lang)
    print(format_table(table, lang) if len(table) else t("decisions_none", lang))
    if args.out:
        write_tables(args.out, {t("sheet_decisions", lang): localise(table, lang)}, lang)
        print(f"\n→ {args.out}")
    return 0


def decisions_listing(found: pd.DataFrame, names: Names, lang: str) -> pd.DataFrame:
    """Stored decisions as an officer reads them: the rule, status and reasons in words
    (``decisions_table``), the unit by name, the matter by 文号 and category, times to the minute.
    Empty cells are NaN, not None, so a printed table shows "—" rather than the word None."""
    shown = decisions_table(found, lang).assign(unit=found["unit_id"].map(names.unit, na_action="ignore"),
                                                matter=found["matter_id"].map(names.matter, na_action="ignore"))
    for col in ("created_at", "decided_at"):
        shown[col] = pd.to_datetime(shown[col]).dt.strftime("%Y-%m-%d %H:%M")
    return shown[DECISION_COLUMNS].fillna(np.nan)


def _add_documents(sub: argparse._SubParsersAction) -> None:

    p = sub.add_parser("feedback", help="issue feedback: letters, thematic report, Excel summary; seal the round")
    p.add_argument("--round", dest="round_id", required=True)
    p.add_argument("--out", type=out_dir, required=True, help="output folder")
    p.add_argument("--issued-on", type=date_arg, default=None)
    by_option(p, required=True)
    db_option(p)
    p.set_defaults(func=_cmd_feedback)
    p = sub.add_parser("letters", help="write (and archive) the feedback letters of a round")
    p.add_argument("--round", dest="round_id", required=True)
    p.add_argument("--out", type=out_dir, required=True)
    p.add_argument("--unit", dest="units", action="append", help="only this unit (repeatable)")
    p.add_argument("--issued-on", type=date_arg, default=None)
    p.add_argument("--cc", default="", help="抄送: the offices that receive a copy")
    p.add_argument("--correct", metavar="UNIT", help="issue a corrected letter (更正函) to this unit")
    p.add_argument("--reason", default="", help="why the letter is corrected (with --correct)")
    p.add_argument("--doc-no", default=None, help="the 文号 to use (default: the next free one in the register)")
    by_option(p)
    db_option(p)
    p.set_defaults(func=_cmd_letters)
    p = sub.add_parser("doc-numbers", help="the 文号 register: every document number given, and to what")
    p.add_argument("--year", type=int, default=None)
    db_option(p)
    p.set_defaults(func=_cmd_doc_numbers)
    p = sub.add_parser("report", help="write the thematic report (HTML) of a round")
    p.add_argument("--round", dest="round_id", required=True)
    p.add_argument("--out", type=out_path(".html"), required=True, help=".html file")
    p.add_argument("--as-of", type=date_arg, default=None)
    db_option(p)
    p.set_defaults(func=_cmd_report)


def _cmd_feedback(args) -> int:
    written = issue_feedback(Archive(args.db), args.round_id, args.out, args.issued_on or date.today(),
                             args.by, args.lang or "zh")
    print(t("feedback_done", args.lang, round_id=args.round_id, letters=len(written["letter"])))
    return 0


def _cmd_letters(args) -> int:
    archive = Archive(args.db)
    if args.correct:
        path = correct_letter(archive, args.round_id, args.correct, args.reason, args.by, args.out,
                              args.issued_on or date.today(), args.doc_no, cc=args.cc)
        row = read_corrections(archive, args.round_id).iloc[-1]
        corrects = read_letters(archive, args.round_id).set_index("letter_id").at[row["corrects_letter_id"], "doc_no"]
        print(t("correction_written", args.lang, doc_no=row["doc_no"], corrects=corrects, path=path))
        return 0
    paths = issue_letters(archive, args.round_id, args.out, args.issued_on or date.today(), args.by,
                          unit_ids=args.units, cc=args.cc)
    print(t("letters_written", args.lang, count=len(paths), out=args.out))
    return 0


def _cmd_doc_numbers(args) -> int:
    reg = read_register(Archive(args.db, read_only=True), args.year)
    reg["typed"] = reg["typed"].map(lambda v: t("typed", args.lang) if v else "")
    reg["ref"] = reg["ref"].map(lambda r: ref_words(r, args.lang))
    print(format_table(reg[["doc_no", "ref", "typed", "number_by", "number_at"]], args.lang))
    return 0


def _cmd_report(args) -> int:
    path = write_report(Archive(args.db, read_only=True), args.round_id, args.out, args.as_of or date.today(),
                        args.lang or "zh")
    print(f"→ {path}")
    return 0


def _add_history(sub: argparse._SubParsersAction) -> None:

    p = sub.add_parser("history", help="export a unit's electronic archive (rounds, results, letters, items, decisions)")
    p.add_argument("--unit", dest="unit_id", required=True)
    p.add_argument("--out", type=out_path(".zip"), required=True, help=".zip file")
    db_option(p)
    p.set_defaults(func=_cmd_history)


def _cmd_history(args) -> int:
    archive = Archive(args.db, read_only=True)
    path = export_bundle(archive, args.unit_id, args.out)
    name = unit_history(archive, args.unit_id)["unit"]["name"]
    print(t("bundle_written", args.lang, unit=name, path=path))
    return 0

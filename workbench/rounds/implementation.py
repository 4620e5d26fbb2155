"""Implementation dates of a round's matters (组建到位、科室设置完成、法人登记/变更登记): recorded in
the on-site verification or imported from a .csv/.xlsx with Chinese (or English) headers, and read
back with the cycle in months from approval (``core.implementation_cycles``).

An import is all-or-nothing: every bad cell is reported (file, row, column, why) and nothing is
written. A matter's dates are one row: recording them again replaces them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from workbench.archive import Archive, implementation, now
from workbench.core import MILESTONES, implementation_cycles
from workbench.errors import ValidationError
from workbench.files import Col, Failures, check_table, read_table
from workbench.labels import LANGS, register, t

register({
    "err_dates_before_approval": {"zh": "早于批复日期 {approved_on}", "en": "before the approval date {approved_on}"},
    "err_round_needed": {"zh": "请用 --round 指明这些日期所属的问效轮次", "en": "name the round these dates belong to with --round"},
    "implementation_imported": {"zh": "{file}:已记录 {n} 个事项的落实日期", "en": "{file}: dates of {n} matters recorded"},
})

COLUMNS = [Col("matter_id")] + [Col(m, "date", blank_ok=True, required=False) for m in MILESTONES]


def _canonical_headers(raw: pd.DataFrame) -> pd.DataFrame:
    """Headers as typed — the glossary's Chinese or English words, or the column keys — to keys."""
    words = {t(c.name, lang): c.name for c in COLUMNS for lang in LANGS}
    return raw.rename(columns=lambda h: words.get(str(h).strip(), str(h).strip()))


def check_dates(raw: pd.DataFrame, matters: pd.DataFrame, fail: Failures, lang: str | None = None) -> pd.DataFrame:
    """Validate dates of the round's matters: known matter, real dates, none before approval —
    every failing cell at once (a missing column stops the rest)."""
    clean, _ = check_table(_canonical_headers(raw), COLUMNS, fail)
    if not any(r["row"] is None for r in fail.rows):
        approved = clean["matter_id"].map(matters.set_index("matter_id")["approved_on"])
        fail.add_mask(clean, clean["matter_id"].notna() & approved.isna(), "matter_id",
                      t("err_matter_not_in_round", lang))
        for m in MILESTONES:
            early = clean[m].notna() & approved.notna() & (pd.to_datetime(clean[m]) < pd.to_datetime(approved))
            for idx in clean.index[early]:
                fail.add(int(idx) + 2, m, clean.at[idx, m],
                         t("err_dates_before_approval", lang, approved_on=approved[idx]))
    for r in fail.rows:  # the column as the officer's file names it
        r["column"] = t(r["column"], lang) if r["column"] else r["column"]
    return clean


def record_dates(archive: Archive, round_id: str, dates: pd.DataFrame, by: str, file: str = "",
                 lang: str | None = None) -> int:
    """Record (or correct) matters' dates in one transaction; every row checked first."""
    fail = Failures(file or round_id)
    clean = check_dates(dates.astype(object).where(dates.notna(), ""), archive.round_matters(round_id), fail, lang)
    if fail:
        frame = fail.frame()
        raise ValidationError(t("err_import_failed", lang, file=fail.file, count=len(frame)), frame)
    rows = clean.assign(round_id=round_id, entered_by=by, entered_at=now())
    with archive.engine.begin() as conn:
        conn.execute(implementation.delete().where(implementation.c.matter_id.in_(list(rows["matter_id"]))))
        conn.execute(implementation.insert(), rows.astype(object).where(rows.notna(), None).to_dict("records"))
    return len(rows)


def record_matter_dates(archive: Archive, round_id: str, matter_id: str, by: str, lang: str | None = None,
                        **dates: date | None) -> int:
    """One matter's dates, as the verification form records them."""
    row = {"matter_id": matter_id, **{m: (dates.get(m).isoformat() if dates.get(m) else "") for m in MILESTONES}}
    return record_dates(archive, round_id, pd.DataFrame([row]), by, lang=lang)


def import_dates(archive: Archive, path: str | Path, round_id: str, by: str) -> int:
    return record_dates(archive, round_id, read_table(path), by, Path(path).name)


def read_cycles(archive: Archive) -> pd.DataFrame:
    """Every recorded matter with its round's year and area, unit level, category and cycles."""
    dates = archive.read(implementation)
    if dates.empty:
        return pd.DataFrame(columns=["matter_id", "round_id", "year", "area", "level", "category"])
    rounds = archive.rounds()[["round_id", "year", "area"]]
    facts = archive.matters()[["matter_id", "unit_id", "category", "approved_on"]].merge(
        archive.units()[["unit_id", "level", "kind"]], on="unit_id")
    facts = facts.merge(dates[["matter_id", "round_id"]], on="matter_id").merge(rounds, on="round_id")
    return implementation_cycles(facts, dates)

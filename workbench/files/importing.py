"""Files in and out: units, matters and entries from .xlsx / .csv; results out to .csv / .xlsx.

Files are read by ``reading.read_table`` (encodings, sizes and malformed files are handled there).
Every import validates the whole file first (all failing cells in one report) and writes in
one transaction only if nothing failed: a bad file leaves the archive byte-for-byte unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.archive import Archive
from workbench.core import Catalogue, parse_results
from workbench.errors import ValidationError
from workbench.labels import t

from .changes import matter_changes, sealed_changes
from .reading import read_table
from .tables import (
    ENTRY_COLUMNS,
    Failures,
    check_duplicates,
    check_matters,
    check_table,
    check_units,
)


@dataclass
class ImportReport:
    file: str
    rows: int
    written: int
    warnings: list[str] = field(default_factory=list)
    rounds: list[str] = field(default_factory=list)  # the rounds the rows went to


def _raise_if(fail: Failures) -> None:
    if fail:
        frame = fail.frame()
        raise ValidationError(t("err_import_failed", file=fail.file, count=len(frame)), frame)


def import_units(archive: Archive, path: str | Path) -> ImportReport:
    raw = read_table(path)
    fail = Failures(Path(path).name)
    clean, warnings = check_units(raw, fail, archive.organisation())
    _raise_if(fail)
    return ImportReport(fail.file, len(raw), archive.import_units(clean), warnings)


def import_matters(archive: Archive, path: str | Path, amend_by: str = "", amend_why: str = "",
                   amend: bool = False) -> ImportReport:
    """New matters are added; a matter already archived with other facts is refused, unless
    ``amend`` (with who and why), which updates it and records each change."""
    raw = read_table(path)
    fail = Failures(Path(path).name)
    if amend and not (amend_by.strip() and amend_why.strip()):
        fail.add(None, "", "", t("chg_amend_why"))
    units = archive.units()
    clean, warnings = check_matters(raw, set(units["unit_id"]), fail, units[["unit_id", "formed_on", "dissolved_on"]])
    _raise_if(fail)
    changes = matter_changes(clean, archive, None if amend else fail)
    _raise_if(fail)
    written = archive.import_matters(clean, changes.assign(by=amend_by, why=amend_why) if amend else None)
    return ImportReport(fail.file, len(raw), written, warnings)


def check_entries(
    raw: pd.DataFrame,
    matters: pd.DataFrame,
    catalogue: Catalogue,
    fail: Failures,
) -> tuple[pd.DataFrame, list[str]]:
    """Validate entries against the catalogue and the matters they name.

    ``matters`` has matter_id, category and round_id (the round the matter is evaluated in)."""
    clean, warnings = check_table(raw, ENTRY_COLUMNS, fail)
    if fail.frame()["row"].isna().any():
        return clean, warnings
    clean["note"] = clean["note"].fillna("")
    known = matters.drop_duplicates("matter_id").set_index("matter_id")
    unknown_matter = clean["matter_id"].notna() & ~clean["matter_id"].isin(known.index)
    fail.add_mask(clean, unknown_matter, "matter_id", t("err_unknown_matter"))
    ind = catalogue.indicators
    clean["indicator_id"] = clean["indicator_id"].str.upper()
    unknown_ind = clean["indicator_id"].notna() & ~clean["indicator_id"].isin(ind.index)
    fail.add_mask(clean, unknown_ind, "indicator_id", t("err_unknown_indicator"))
    clean["category"] = clean["matter_id"].map(known["category"])
    clean["round_id"] = clean["matter_id"].map(known["round_id"])
    clean["kind"] = clean["indicator_id"].map(ind["kind"])
    wrong_cat = ~unknown_matter & ~unknown_ind & (clean["indicator_id"].map(ind["category"]) != clean["category"])
    for idx in clean.index[wrong_cat]:
        fail.add(int(idx) + 2, "indicator_id", clean.at[idx, "indicator_id"],
                 t("err_wrong_category", indicator=clean.at[idx, "indicator_id"],
                   category=catalogue.category_name(clean.at[idx, "category"])))
    check_duplicates(clean, ["matter_id", "indicator_id", "source"], fail)
    typed = clean["kind"].notna()
    parsed = parse_results(clean.loc[typed, "result"], clean.loc[typed, "kind"], catalogue.vocab)
    options = "、".join(catalogue.vocab.grade_words) + "、不适用"
    messages = {
        "graded": t("err_bad_grade", options=options),
        "yes_no": t("err_bad_yes_no"),
        "ratio": t("err_bad_number"),
    }
    for idx in parsed.index[parsed["status"] == "invalid"]:
        fail.add(int(idx) + 2, "result", clean.at[idx, "result"], messages[clean.at[idx, "kind"]])
    fail.add_mask(clean, (parsed["status"] == "negative").reindex(clean.index, fill_value=False),
                  "result", t("err_negative"))
    # The core reads the text "nan" as a blank (what str() makes of a missing float); typed
    # into a file it is not a measurement.
    typed_nan = clean["kind"].eq("ratio") & clean["result"].astype("string").str.strip().str.lower().eq("nan")
    fail.add_mask(clean, typed_nan.fillna(False), "result", t("err_bad_number"))
    return clean, warnings


def import_entries(
    archive: Archive,
    path: str | Path,
    catalogue: Catalogue,
    entered_by: str = "",
    round_id: str | None = None,
    amend: bool = False,
) -> ImportReport:
    """Import self-assessed or verified results. Each matter goes to the round it is evaluated
    in (or ``round_id``); re-importing the same file writes nothing new."""
    raw = read_table(path)
    fail = Failures(Path(path).name)
    clean, warnings = check_entries(raw, matters_in_rounds(archive, round_id), catalogue, fail)
    _raise_if(fail)
    rows = clean[["round_id", "matter_id", "indicator_id", "source", "result", "note"]]
    if not amend:
        sealed_changes(clean, archive, fail)
        _raise_if(fail)
        written = archive.add_entries(rows, entered_by=entered_by)
    else:  # the caller (``followup.amend_entries``) re-scores and records who and why in this transaction
        with archive.amending(rows["round_id"].dropna().unique()):
            written = archive.add_entries(rows, entered_by=entered_by)
    return ImportReport(fail.file, len(raw), written, warnings, sorted(clean["round_id"].dropna().unique()))


def matters_in_rounds(archive: Archive, round_id: str | None = None) -> pd.DataFrame:
    """matter_id, category, round_id for every matter included in a round (latest round wins)."""
    sel = archive.read("round_matters")
    sel = sel[sel["included"].astype(bool)]
    if round_id:
        archive.get_round(round_id)
        sel = sel[sel["round_id"] == round_id]
    sel = sel.sort_values("round_id").drop_duplicates("matter_id", keep="last")
    return sel[["matter_id", "round_id"]].merge(archive.matters()[["matter_id", "category"]], on="matter_id")



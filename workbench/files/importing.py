"""Files in and out: units, matters and entries from .xlsx / .csv; results out to .csv / .xlsx.

Chinese Excel saves CSV as GB18030, so CSVs are read as UTF-8, UTF-8 with BOM or GB18030, in that
order. Every import validates the whole file first (all failing cells in one report) and writes in
one transaction only if nothing failed: a bad file leaves the archive byte-for-byte unchanged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.archive import Archive
from workbench.core import Catalogue, parse_results
from workbench.errors import ValidationError
from workbench.labels import t

from .tables import (
    ENTRY_COLUMNS,
    Failures,
    check_duplicates,
    check_matters,
    check_table,
    check_units,
)

ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class ImportReport:
    file: str
    rows: int
    written: int
    warnings: list[str] = field(default_factory=list)


def read_table(path: str | Path, sheet: str | int = 0) -> pd.DataFrame:
    """Read a .csv or .xlsx as strings exactly as typed (no NA guessing, no number reformatting)."""
    path = Path(path)
    fail = Failures(path.name)
    if not path.exists():
        fail.add(None, "", str(path), t("err_file_missing"))
        raise ValidationError(t("err_import_failed", file=path.name, count=1), fail.frame())
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        for enc in ENCODINGS:
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            fail.add(None, "", "", t("err_decode"))
            raise ValidationError(t("err_import_failed", file=path.name, count=1), fail.frame())
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if suffix in (".xlsx", ".xlsm"):
        try:
            return pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False)
        except Exception as exc:  # a corrupt workbook: openpyxl raises many kinds
            fail.add(None, "", "", f"{t('err_file_type')} ({exc})")
            raise ValidationError(t("err_import_failed", file=path.name, count=1), fail.frame()) from exc
    fail.add(None, "", suffix, t("err_file_type"))
    raise ValidationError(t("err_import_failed", file=path.name, count=1), fail.frame())


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


def import_matters(archive: Archive, path: str | Path) -> ImportReport:
    raw = read_table(path)
    fail = Failures(Path(path).name)
    units = archive.units()
    clean, warnings = check_matters(raw, set(units["unit_id"]), fail, units[["unit_id", "formed_on", "dissolved_on"]])
    _raise_if(fail)
    return ImportReport(fail.file, len(raw), archive.import_matters(clean), warnings)


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
    return clean, warnings


def import_entries(
    archive: Archive,
    path: str | Path,
    catalogue: Catalogue,
    entered_by: str = "",
    round_id: str | None = None,
) -> ImportReport:
    """Import self-assessed or verified results. Each matter goes to the round it is evaluated
    in (or ``round_id``); re-importing the same file writes nothing new."""
    raw = read_table(path)
    fail = Failures(Path(path).name)
    clean, warnings = check_entries(raw, matters_in_rounds(archive, round_id), catalogue, fail)
    _raise_if(fail)
    written = archive.add_entries(clean[["round_id", "matter_id", "indicator_id", "source", "result", "note"]],
                                  entered_by=entered_by)
    return ImportReport(fail.file, len(raw), written, warnings)


def matters_in_rounds(archive: Archive, round_id: str | None = None) -> pd.DataFrame:
    """matter_id, category, round_id for every matter included in a round (latest round wins)."""
    sel = archive.read("round_matters")
    sel = sel[sel["included"].astype(bool)]
    if round_id:
        archive.get_round(round_id)
        sel = sel[sel["round_id"] == round_id]
    sel = sel.sort_values("round_id").drop_duplicates("matter_id", keep="last")
    return sel[["matter_id", "round_id"]].merge(archive.matters()[["matter_id", "category"]], on="matter_id")



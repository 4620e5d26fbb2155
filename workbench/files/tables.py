"""Declared shapes of the tables that cross the boundary (files in, archive in).

A small schema of our own rather than a dependency: each column says whether it must be present,
whether it may be blank, and how to coerce it. ``check_table`` collects *every* failing cell
(file, row, column, value, reason) before anyone writes anything — lazy validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.archive import entries, matters, units
from workbench.core import CATEGORY_ALIASES
from workbench.errors import FAILURE_COLUMNS
from workbench.labels import t
from workbench.organisation import Organisation

from .limits import MAX_COUNT, date_window, declared_length, parse_dates

FIRST_DATA_ROW = 2  # spreadsheet row of the first record: row 1 is the header


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "str"  # str | int | date | choice
    required: bool = True  # the column must be present
    blank_ok: bool = False  # a cell may be empty
    choices: dict[str, str] = field(default_factory=dict)  # accepted word (lowercase) → canonical
    max_len: int | None = None  # the archive column's declared length (``limits.declared_length``)


def _stored(table, *cols: Col) -> list[Col]:
    """The columns with the lengths ``archive/schema.py`` declares for them."""
    return [Col(c.name, c.kind, c.required, c.blank_ok, c.choices, declared_length(table, c.name)) for c in cols]


LEVELS = {"province": "province", "省级": "province", "省": "province", "city": "city", "市级": "city", "市": "city",
          "county": "county", "县级": "county", "县": "county"}
UNIT_KINDS = {k: k for k in ("行政机关", "参公事业单位", "事业单位", "群团")} | {
    "administrative": "行政机关", "civil-service-managed": "参公事业单位",
    "public-institution": "事业单位", "mass-organisation": "群团",
}
SOURCES = {"self": "self", "自评": "self", "verified": "verified", "核查": "verified"}

UNIT_COLUMNS = _stored(units, *[
    Col("unit_id"), Col("name"), Col("level", "choice", choices=LEVELS),
    Col("county", blank_ok=True), Col("kind", "choice", choices=UNIT_KINDS),
    Col("approved_quota", "int", blank_ok=True), Col("staff_in_post", "int", blank_ok=True),
    Col("approved_leader_posts", "int", blank_ok=True), Col("approved_sections", "int", blank_ok=True),
    # when the body existed (a body formed in a reform has no matters before it)
    Col("formed_on", "date", required=False, blank_ok=True), Col("dissolved_on", "date", required=False, blank_ok=True),
])
MATTER_COLUMNS = _stored(matters, *[
    Col("matter_id"), Col("unit_id"),
    Col("category", "choice", choices={k.lower(): v for k, v in CATEGORY_ALIASES.items()}),
    Col("approved_on", "date"), Col("doc_no", blank_ok=True, required=False),
    Col("summary", blank_ok=True, required=False),
])
ENTRY_COLUMNS = _stored(entries, *[
    Col("matter_id"), Col("indicator_id"), Col("source", "choice", choices=SOURCES),
    Col("result", blank_ok=True), Col("note", blank_ok=True, required=False),
])


class Failures:
    """Collects failing cells; rows are spreadsheet row numbers (header = row 1)."""

    def __init__(self, file: str):
        self.file = file
        self.rows: list[dict] = []

    def add(self, row: int | None, column: str, value: object, reason: str) -> None:
        self.rows.append({"file": self.file, "row": row, "column": column,
                          "value": "" if value is None else str(value), "reason": reason})

    def add_mask(self, df: pd.DataFrame, mask: pd.Series, column: str, reason: str) -> None:
        for idx in df.index[mask.fillna(False).to_numpy(dtype=bool)]:
            self.add(int(idx) + FIRST_DATA_ROW, column, df.at[idx, column] if column in df else "", reason)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=FAILURE_COLUMNS)
        return df.sort_values(["row", "column"], na_position="first", kind="stable").reset_index(drop=True)

    def __bool__(self) -> bool:
        return bool(self.rows)


def check_table(df: pd.DataFrame, columns: list[Col], failures: Failures) -> tuple[pd.DataFrame, list[str]]:
    """Coerce ``df`` (all strings, as read) to the declared columns.

    Returns the cleaned frame and warnings (unknown extra columns). Failing cells are added to
    ``failures``; their values in the cleaned frame are left as NaN.
    """
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    names = {c.name for c in columns}
    warnings = [f"{failures.file} [{c}]: {t('err_unknown_column')}" for c in df.columns if c not in names]
    for col in columns:
        if col.name not in df.columns:
            if col.required:
                failures.add(None, col.name, "", t("err_missing_column"))
            df[col.name] = pd.NA
    if any(r["row"] is None for r in failures.rows):
        return df[[c.name for c in columns]], warnings
    out = pd.DataFrame(index=df.index)
    for col in columns:
        raw = df[col.name].astype("string").str.strip()
        blank = raw.isna() | (raw == "")
        if not col.blank_ok:
            failures.add_mask(df, blank, col.name, t("err_required"))
        too_long = raw.str.len().fillna(0) > (col.max_len or float("inf"))
        for idx in df.index[too_long.to_numpy(dtype=bool)]:
            failures.add(int(idx) + FIRST_DATA_ROW, col.name, raw[idx][:60] + "…",
                         t("lim_too_long", length=len(raw[idx]), limit=col.max_len))
        raw = raw.where(~too_long, None)
        value = _coerce(raw, col)
        bad = ~blank & ~too_long & value.isna()
        if col.kind == "choice":
            options = "、".join(col.choices)  # every accepted word, Chinese and English
            failures.add_mask(df, bad, col.name, t("err_bad_choice", options=options))
        elif col.kind == "int":
            failures.add_mask(df, bad, col.name, t("lim_count", limit=MAX_COUNT))
        elif col.kind == "date":
            _, not_full, outside = parse_dates(raw)
            failures.add_mask(df, bad & not_full, col.name, t("lim_date_form"))
            failures.add_mask(df, bad & outside, col.name, t("lim_date_range", **date_window()))
        out[col.name] = value.where(~blank, None) if col.kind == "str" else value
    return out, warnings


def _coerce(raw: pd.Series, col: Col) -> pd.Series:
    if col.kind == "int":
        # inf, nan, 1e30 and 2**63 are numbers to pandas; a count is a whole number in range.
        num = pd.to_numeric(raw, errors="coerce").astype("float64")
        ok = num.notna() & (num >= 0) & (num <= MAX_COUNT) & (num == num.round())
        return num.where(ok).astype("Int64")
    if col.kind == "date":
        return parse_dates(raw)[0]
    if col.kind == "choice":
        return raw.str.lower().map(col.choices).astype(object)
    return raw.astype(object)


def check_duplicates(df: pd.DataFrame, key: list[str], failures: Failures) -> None:
    dup = df.duplicated(key, keep="first") & df[key].notna().all(axis=1)
    failures.add_mask(df, dup, key[0], t("err_duplicate"))


def check_units(df: pd.DataFrame, failures: Failures, org: Organisation) -> tuple[pd.DataFrame, list[str]]:
    """Units of the office's own level stand alone; any other unit names the subordinate area it
    belongs to (its code or its name) in ``county``."""
    clean, warnings = check_table(df, UNIT_COLUMNS, failures)
    if failures.frame()["row"].isna().any():
        return clean, warnings
    check_duplicates(clean, ["unit_id"], failures)
    county = clean["county"].astype("string").str.replace(r"\.0$", "", regex=True)
    clean["county"] = county.where(county.notna() & (county != ""), None).astype(object)
    levels = [org.level] + ([org.subordinate_level] if org.subordinate_level else [])
    wrong_level = clean["level"].notna() & ~clean["level"].isin(levels)
    failures.add_mask(df, wrong_level, "level", t("err_unit_level", levels="、".join(t(lv) for lv in levels)))
    codes = {**{a.name: a.code for a in org.subordinates}, **{c: c for c in org.counties}}
    clean["county"] = clean["county"].map(lambda v: codes.get(v, v) if isinstance(v, str) else v)
    needs_code = (clean["level"] != org.level) & ~wrong_level & ~clean["county"].isin(list(org.counties))
    failures.add_mask(df.assign(county=clean["county"]), needs_code, "county", t("err_county_code"))
    clean.loc[clean["level"] == org.level, "county"] = None
    return clean, warnings


def check_matters(df: pd.DataFrame, known_units: set[str], failures: Failures,
                  unit_dates: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Matters name a known unit, which existed on the approval date (``unit_dates``: unit_id,
    formed_on, dissolved_on; a blank date is no limit)."""
    clean, warnings = check_table(df, MATTER_COLUMNS, failures)
    if failures.frame()["row"].isna().any():
        return clean, warnings
    check_duplicates(clean, ["matter_id"], failures)
    unknown = clean["unit_id"].notna() & ~clean["unit_id"].isin(known_units)
    failures.add_mask(clean, unknown, "unit_id", t("err_unknown_unit"))
    if unit_dates is not None and len(unit_dates):
        dates = unit_dates.set_index("unit_id")
        approved = pd.to_datetime(clean["approved_on"])
        formed = pd.to_datetime(clean["unit_id"].map(dates["formed_on"]))
        dissolved = pd.to_datetime(clean["unit_id"].map(dates["dissolved_on"]))
        early = approved.notna() & formed.notna() & (approved < formed)
        late = approved.notna() & dissolved.notna() & (approved >= dissolved)
        for mask, key, when in ((early, "err_unit_not_formed", formed), (late, "err_unit_dissolved", dissolved)):
            for idx in clean.index[mask.to_numpy(dtype=bool)]:
                failures.add(int(idx) + FIRST_DATA_ROW, "approved_on", clean.at[idx, "approved_on"],
                             t(key, unit=clean.at[idx, "unit_id"], on=when[idx].date()))
    return clean, warnings

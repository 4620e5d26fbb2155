"""Read an input table (.csv or .xlsx) into strings, exactly as typed, within ``limits``.

Every way a file can be wrong is reported as a failing cell (file, row, column, reason) — a
folder given as the file, an empty or oversized file, an encrypted workbook, a formula without a
value, an unclosed quote, a row with extra fields, NUL bytes, an encoding that cannot be told —
never as a traceback. Rows keep their spreadsheet numbers: the frame's index is row − 2, blank
rows are dropped without renumbering the rest.

Encodings: a BOM decides (UTF-8, UTF-16 LE/BE); without one, NUL bytes in every other position
mean UTF-16; else UTF-8, then GB18030 (what Chinese Excel saves). Decoded text must hold only the
characters a Chinese table holds, so a Big5 file is refused, not stored as mojibake.
"""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd

from workbench.errors import ValidationError
from workbench.labels import t

from .limits import MAX_ROWS, MAX_TEXT_CHARS, cell_problem, check_path, check_workbook_file
from .tables import FIRST_DATA_ROW, Failures

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_table(path: str | Path, sheet: str | int = 0) -> pd.DataFrame:
    """A .csv or .xlsx as a frame of strings ('' for blank), index = spreadsheet row − 2."""
    path = Path(path)
    fail = Failures(path.name)
    if not path.exists():
        _stop(fail, t("err_file_missing"), str(path))
    problem = check_path(path)
    if problem:
        _stop(fail, problem)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        _stop(fail, t("err_file_type"), suffix)
    if suffix == ".csv":
        rows, charset = _csv_rows(path.read_bytes(), fail), True
    else:
        rows, charset = _xlsx_rows(path, sheet, fail), False
    return _frame(rows, fail, charset)


def workbook_problem(path: str | Path, lang: str | None = None) -> str | None:
    """Why a workbook must not be opened (a folder, empty, too big, encrypted, a zip bomb), or None:
    for readers of their own workbooks (the survey form) to check before openpyxl opens it."""
    path = Path(path)
    return check_path(path, lang) or check_workbook_file(path, lang)


def _stop(fail: Failures, reason: str, value: str = "", row: int | None = None, column: str = ""):
    fail.add(row, column, value, reason)
    frame = fail.frame()
    raise ValidationError(t("err_import_failed", file=fail.file, count=len(frame)), frame)


def decode(data: bytes) -> str | None:
    """The text of a CSV file's bytes, or None when no honest decoding exists."""
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        # UTF-16 without a BOM: ASCII characters (the header, ids, digits) leave a NUL byte
        # beside each of them, in the odd positions (LE) or the even ones (BE).
        even, odd = data[0::2].count(0), data[1::2].count(0)
        if len(data) % 2 == 0 and max(even, odd) >= len(data) // 8:
            try:
                return data.decode("utf-16-be" if even > odd else "utf-16-le")
            except UnicodeDecodeError:
                return None
        return None  # NUL bytes in an 8-bit file: reported as such by the caller
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def _csv_rows(data: bytes, fail: Failures) -> list[list[object]]:
    text = decode(data)
    if text is None:
        if b"\x00" in data and not data.startswith(BOMS[1][0]) and not data.startswith(BOMS[2][0]):
            _stop(fail, t("lim_nul"), row=data[: data.index(b"\x00")].count(b"\n") + 1)
        _stop(fail, t("err_decode"))
    text = text.lstrip("\ufeff")
    if not text.strip():
        _stop(fail, t("lim_empty"))
    rows: list[list[object]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                _stop(fail, t("lim_rows", rows=f">{MAX_ROWS}", limit=MAX_ROWS))
    except csv.Error as exc:
        why = str(exc)
        reason = t("lim_quote") if "unexpected end of data" in why or "EOF" in why else t("lim_csv", why=why)
        if "field larger" in why:
            reason = t("lim_too_long", length=f">{csv.field_size_limit()}", limit=MAX_TEXT_CHARS)
        _stop(fail, reason, row=len(rows) + 1)
    return rows


def _xlsx_rows(path: Path, sheet: str | int, fail: Failures) -> list[list[object]]:
    problem = check_workbook_file(path)
    if problem:
        _stop(fail, problem)
    try:
        # Twice: the cached values (what Excel showed) and the formulas, to name a formula
        # cell that has no cached value instead of reading it as blank.
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook: openpyxl raises many kinds
        _stop(fail, f"{t('lim_not_xlsx')} ({type(exc).__name__})")
    names = values.sheetnames
    name = names[sheet] if isinstance(sheet, int) and sheet < len(names) else sheet
    if name not in names:
        _stop(fail, t("lim_sheet", sheet=sheet))
    rows: list[list[object]] = []
    try:
        for n, (vals, forms) in enumerate(zip(values[name].iter_rows(values_only=True),
                                              formulas[name].iter_rows(values_only=True)), start=1):
            if n > MAX_ROWS + 1:
                _stop(fail, t("lim_rows", rows=f">{MAX_ROWS}", limit=MAX_ROWS))
            rows.append([_as_text(v) for v in vals])
            for c, (v, f) in enumerate(zip(vals, forms)):
                if v is None and isinstance(f, str) and f.startswith("="):
                    head = rows[0][c] if c < len(rows[0]) and rows[0][c] else openpyxl.utils.get_column_letter(c + 1)
                    fail.add(n, str(head).strip(), f[:60], t("lim_formula"))
    finally:
        values.close()
        formulas.close()
    return rows


def _as_text(v: object) -> str:
    """A cell as pandas' ``dtype=str`` shows it: whole-number floats without ".0", dates ISO."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (date, time)):
        return v.isoformat()
    return str(v)


def _frame(rows: list[list[object]], fail: Failures, check_charset: bool) -> pd.DataFrame:
    """Header + records → strings; failing cells (extra fields, NUL, odd characters) reported all
    at once; fully blank rows dropped, the others keep their row number."""
    while rows and not any(str(v).strip() for v in rows[-1]):
        rows.pop()
    if not rows:
        _stop(fail, t("lim_empty"))
    header = [str(h).strip() for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header or len(set(header)) != len(header) or "" in header:
        _stop(fail, t("lim_header"), ", ".join(header)[:200], row=1)
    for name in header:
        problem = cell_problem(name, check_charset)
        if problem:
            fail.add(1, name, "", problem)
    width, records, index = len(header), [], []
    for i, row in enumerate(rows[1:]):
        cells = ["" if v is None else str(v) for v in row]
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            fail.add(i + FIRST_DATA_ROW, "", "", t("lim_fields", found=len(cells), expected=width))
        cells = (cells + [""] * width)[:width]
        if not any(c.strip() for c in cells):
            continue
        for name, cell in zip(header, cells):
            problem = cell_problem(cell, check_charset)
            if problem:
                fail.add(i + FIRST_DATA_ROW, name, cell[:60].replace("\x00", "\\0"), problem)
        records.append(cells)
        index.append(i)
    if fail:
        frame = fail.frame()
        raise ValidationError(t("err_import_failed", file=fail.file, count=len(frame)), frame)
    return pd.DataFrame(records, columns=header, index=pd.Index(index, dtype="int64"), dtype=object)

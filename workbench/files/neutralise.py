"""Formula injection: a cell that a spreadsheet would run must leave the workbench as text.

Ids, names and notes come from files the offices do not control; a value such as
``=HYPERLINK(…)`` or ``+cmd|…`` would become live in Excel when an export is opened. Every
writer of the package goes through here, so the archive keeps the value exactly as typed and
only the file that leaves is changed:

- .csv: a text cell starting with ``= + - @``, tab or CR gets a leading ``'`` (OWASP's advice);
  numbers are not text, so a negative number stays a number. A bare CR inside a cell is written
  as a line break, which the CSV writer quotes (it would otherwise split the row).
- .xlsx: no cell is ever written as a formula; such a value is stored as a string cell.
"""

from __future__ import annotations

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_live(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TRIGGERS)


def _csv_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if is_live(value) else text


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as a .csv shows it: every live text cell (and header) prefixed by ``'``; numbers
    untouched."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_csv_text)
    out.columns = ["'" + c if is_live(c) else c for c in out.columns]
    return out


def no_formulas(workbook) -> None:
    """Turn every formula cell of an openpyxl workbook into a plain string cell (in place)."""
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"

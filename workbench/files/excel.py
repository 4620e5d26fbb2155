"""The one way an .xlsx is written from tables: one sheet per table, no index, openpyxl, atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.paths import atomic_path


def write_workbook(path: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """``sheets``: sheet name → table, in order; headers as the tables have them. The file is
    replaced only once the whole workbook is written."""
    path = Path(path)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, index=False, sheet_name=name)
    return path

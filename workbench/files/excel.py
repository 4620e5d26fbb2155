"""The one way an .xlsx is written from tables: one sheet per table, no index, openpyxl, atomically,
and never a formula (see ``neutralise``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.paths import atomic_path

from .neutralise import no_formulas


def write_workbook(path: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """``sheets``: sheet name → table, in order; headers as the tables have them. The file is
    replaced only once the whole workbook is written."""
    path = Path(path)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, index=False, sheet_name=name)
        no_formulas(xw.book)
    return path


def save_workbook(workbook, path: str | Path) -> Path:
    """Save an openpyxl workbook built cell by cell (styled forms): formulas made text, atomically."""
    path = Path(path)
    no_formulas(workbook)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path

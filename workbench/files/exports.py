"""Result tables out to .csv (UTF-8 with BOM, for Excel) or .xlsx, written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import ValidationError
from workbench.labels import t


def export_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as .csv (UTF-8 with BOM, so Excel shows Chinese) or .xlsx; atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    elif suffix == ".xlsx":
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            df.to_excel(xw, index=False, sheet_name="results")
    else:
        raise ValidationError(f"{path.name}: {t('err_file_type')}")
    tmp.replace(path)
    return path

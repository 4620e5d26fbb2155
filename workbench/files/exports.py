"""Tables out to files: .csv (UTF-8 with BOM, so Excel shows Chinese) or .xlsx, atomically."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import ValidationError
from workbench.labels import t
from workbench.paths import atomic_write

from .excel import write_workbook
from .neutralise import neutralise_frame


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as the package writes every .csv: no index, UTF-8 with BOM, "\\n" line ends, and
    no cell a spreadsheet would run as a formula."""
    return neutralise_frame(df).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def export_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as .csv (UTF-8 with BOM, so Excel shows Chinese) or .xlsx; atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return atomic_write(path, csv_bytes(df))
    if suffix == ".xlsx":
        return write_workbook(path, {"results": df})
    raise ValidationError(f"{path.name}: {t('err_file_type')}")


def write_tables(path: str | Path, tables: dict[str, pd.DataFrame], lang: str | None = None) -> list[Path]:
    """Several tables in one go. ``.xlsx``: one sheet per table, named by its key; ``.csv``: the
    first table in FILE, each other in FILE-<key>.csv. Each file is written atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return [write_workbook(path, tables)]
    if suffix != ".csv":
        raise ValidationError(f"{path.name}: {t('err_file_type', lang)}")
    written = []
    for i, (name, df) in enumerate(tables.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}-{name}{path.suffix}")
        written.append(atomic_write(target, csv_bytes(df)))
    return written

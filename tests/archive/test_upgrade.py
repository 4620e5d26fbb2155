"""An archive made by an older version opens in this one: columns added since are added on open."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.archive import Archive

#: columns added after archives were in use (units' lifetimes, the filings' key and receipt gap)
ADDED = {"units": ("formed_on", "dissolved_on"), "filings": ("key_id", "receipt_gap_days")}


def _old(url: str) -> None:
    """Make ``url`` look like an archive of an older version: without the added columns, with a unit."""
    Archive(url).dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table, columns in ADDED.items():
            for column in columns:
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.exec_driver_sql("INSERT INTO units (unit_id, name, level) VALUES ('U1', '市档案馆', 'city')")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old_url(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    _old(url)
    return url


def test_an_older_archive_gains_the_new_columns_and_keeps_its_rows(old_url):
    archive = Archive(old_url)
    units = archive.units()
    assert units["unit_id"].tolist() == ["U1"]
    assert pd.isna(units.at[0, "formed_on"]) and pd.isna(units.at[0, "dissolved_on"])
    columns = {c["name"] for c in sa.inspect(archive.engine).get_columns("filings")}
    assert {"key_id", "receipt_gap_days"} <= columns
    archive.dispose()
    Archive(old_url).dispose()  # opening again changes nothing and does not fail

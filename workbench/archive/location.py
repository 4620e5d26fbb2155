"""Where an archive is: ``--db`` or ``WORKBENCH_DB`` as a URL, a bare path taken as a SQLite file."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from workbench.paths import default_db_path


def resolve_url(url: str | None = None) -> str:
    """``--db`` beats ``WORKBENCH_DB`` beats the SQLite file under ``data/``.
    A bare path is taken as a SQLite file."""
    url = url or os.environ.get("WORKBENCH_DB") or f"sqlite:///{default_db_path()}"
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    return url


def sqlite_path(url: str) -> Path | None:
    u = sa.engine.make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database else None

"""Shared fixtures: the catalogue, a demo archive built once per session, PostgreSQL databases.

Tests that change an archive take ``demo_archive`` (a private copy of the demo file) or
``archive`` (an empty one, on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.archive.store import Archive
from workbench.demo.build import build_demo
from workbench.files.parameters import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
PG_ENV = "WORKBENCH_TEST_PG_URL"


@pytest.fixture(autouse=True)
def _language_restored():
    """Each test starts in the language it was started in. The CLI's ``--lang`` and a form's
    ``lang`` set WORKBENCH_LANG for the process (right for one command or one notebook kernel);
    in a test worker that would leave the next test in English."""
    before = os.environ.get("WORKBENCH_LANG")
    yield
    if before is None:
        os.environ.pop("WORKBENCH_LANG", None)
    else:
        os.environ["WORKBENCH_LANG"] = before


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, catalogue) -> Path:
    """The demo archive as a SQLite file, built once. Do not write to it: copy it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(Archive(str(path)), catalogue)
    return path


@pytest.fixture
def demo_archive(demo_db, tmp_path) -> Archive:
    """A private, writable copy of the demo archive."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    return Archive(str(path))


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    try:
        eng = sa.create_engine(url)
        with eng.connect():
            pass
        eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means no PostgreSQL
        pytest.fail(f"{PG_ENV}={url} is set but PostgreSQL cannot be reached: {exc}")
    return url


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    admin = _pg_admin_url()
    if admin is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test PostgreSQL: set {PG_ENV}")
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    name = f"wb_test_{uuid.uuid4().hex[:12]}"
    eng = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    yield url
    with eng.connect() as conn:
        conn.execute(sa.text(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request, tmp_path) -> Archive:
    """An empty archive on each backend."""
    if request.param == "sqlite":
        a = Archive(str(tmp_path / "archive.db"))
    else:
        a = Archive(request.getfixturevalue("pg_url"))
    yield a
    a.dispose()

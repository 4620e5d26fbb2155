"""A small shared archive on the test PostgreSQL server: the city and two counties (寒亭区
370703, 青州市 370781), one unit and one matter each, a round each, roles installed, and people
with their own login roles. PostgreSQL roles are cluster-wide, so every login is made unique to
the test's database and dropped afterwards.

The test server trusts 127.0.0.1 (pg_hba ``trust``), so a password is not what stops one role
connecting as another here; in a deployment pg_hba.conf says ``scram-sha-256`` (README). What
these tests show is what each role may do once connected, which is the database's to decide.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from workbench.archive import Archive, add_user, install
from workbench.core import RoundSpec

UNITS = pd.DataFrame([
    {"unit_id": "C1", "name": "市财政局", "level": "city", "county": None},
    {"unit_id": "H1", "name": "寒亭区财政局", "level": "county", "county": "370703"},
    {"unit_id": "Q1", "name": "青州市财政局", "level": "county", "county": "370781"},
])
MATTERS = pd.DataFrame([
    {"matter_id": m, "unit_id": u, "category": "abolish", "approved_on": date(2023, 5, 2), "summary": "撤销"}
    for m, u in (("MC", "C1"), ("MH", "H1"), ("MQ", "Q1"))])
ROUNDS = {"city": "2024-city", "370703": "2024-370703", "370781": "2024-370781"}
ABL = ["ABL-01", "ABL-02", "ABL-03", "ABL-04", "ABL-05"]

#: who works on the shared archive: role, area, unit they belong to
PEOPLE = {
    "hanting": ("officer", "370703", None),
    "qingzhou": ("officer", "370781", None),
    "city": ("officer", "city", None),
    "city2": ("officer", "city", None),
    "city_c1": ("officer", "city", "C1"),  # works at 市财政局: recused from verifying it
    "leader": ("leader", "city", None),
    "admin": ("admin", "city", None),
}


def build_shared(pg_url: str, people: dict = PEOPLE) -> tuple[Archive, dict[str, str]]:
    """The owner's archive and, per person, the login role and URL they connect with."""
    owner = Archive(pg_url)
    owner.import_units(UNITS)
    owner.import_matters(MATTERS)
    for area in ROUNDS:
        owner.create_round(RoundSpec(2024, area, date(2023, 1, 1), date(2023, 12, 31), date(2024, 6, 1)),
                           created_by="owner")
    for area, matter in (("city", "MC"), ("370703", "MH"), ("370781", "MQ")):
        owner.save_selection(ROUNDS[area], pd.DataFrame(
            {"matter_id": [matter], "included": [True], "late": [False], "reason": [""]}), "owner")
    install(owner)
    db = sa.engine.make_url(pg_url).database
    urls = {}
    for key, (role, area, unit) in people.items():
        login = f"{key}_{db[-8:]}"
        add_user(owner, login, area, role, unit, password=f"pw-{login}")
        urls[key] = sa.engine.make_url(pg_url).set(username=login, password=f"pw-{login}") \
            .render_as_string(hide_password=False)
    return owner, urls


def drop_roles(pg_url: str) -> None:
    """Drop the test database's login and group roles (before the database itself is dropped)."""
    owner = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    db = sa.engine.make_url(pg_url).database
    with owner.connect() as conn:
        roles = [r for (r,) in conn.execute(sa.text(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE :a OR rolname LIKE :b"),
            {"a": f"%_{db[-8:]}", "b": f"{db}_%"})]
        if roles:
            quoted = ", ".join(f'"{r}"' for r in roles)
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE usename = ANY(:r)"), {"r": roles})
            conn.execute(sa.text(f"DROP OWNED BY {quoted}"))
            for r in roles:
                conn.execute(sa.text(f'DROP ROLE "{r}"'))
    owner.dispose()


def entry_rows(round_id: str, matter_id: str, values: list[str], source: str = "verified") -> pd.DataFrame:
    return pd.DataFrame({"round_id": round_id, "matter_id": matter_id, "indicator_id": ABL[: len(values)],
                         "source": source, "result": values})

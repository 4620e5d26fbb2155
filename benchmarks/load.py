"""Load: many officers saving verified entries at once on a shared PostgreSQL archive, while a
leader's dashboard reads it.

    .venv/bin/python benchmarks/load.py [--seconds 120] [--officers 20] [--matters 30]
        [--admin-url postgresql://postgres@127.0.0.1:5432/test]

Makes a throw-away database (dropped at the end, with its roles): a city round of ``--matters``
matters, the roles and policies of a shared deployment (archive/access.py) and one officer role
per simulated officer. Each officer, on its own connection with its own role, opens a random
matter (reads its version), thinks for a moment, and saves two indicators with the version it
read; the matters are few, so officers collide. A leader reads the dashboard's data in a loop.

Prints: saves accepted, conflicts (and whether each was real: the version had moved), entries
lost or duplicated (every accepted save carries a token in its note; each must be in the archive
exactly once per indicator), lost updates (per matter, the accepted saves must number exactly
its final version) and save latency. Not a test: CI does not run it; the README quotes it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
import uuid
from datetime import date

import pandas as pd
import sqlalchemy as sa

from workbench.archive import Archive, add_user, install
from workbench.core import RoundSpec
from workbench.dashboard.fetch import fetch  # what the dashboard page reads
from workbench.errors import ConflictError

RID = "2024-city"
INDICATORS = ["ABL-01", "ABL-04"]
WORDS = ["完全落实", "基本落实", "部分落实", "未落实"]


def build(url: str, officers: int, matters: int) -> dict[str, str]:
    owner = Archive(url)
    owner.import_units(pd.DataFrame([{"unit_id": "C1", "name": "市财政局", "level": "city"}]))
    ids = [f"M{i:03d}" for i in range(matters)]
    owner.import_matters(pd.DataFrame({"matter_id": ids, "unit_id": "C1", "category": "abolish",
                                       "approved_on": date(2023, 5, 2), "summary": "撤销"}))
    owner.create_round(RoundSpec(2024, "city", date(2023, 1, 1), date(2023, 12, 31), date(2024, 6, 1)))
    owner.save_selection(RID, pd.DataFrame({"matter_id": ids, "included": True, "late": False, "reason": ""}))
    install(owner)
    db = sa.engine.make_url(url).database
    urls = {}
    for i in range(officers):
        login = f"o{i:02d}_{db[-6:]}"
        add_user(owner, login, "city", "officer", password=login)
        urls[login] = sa.engine.make_url(url).set(username=login, password=login).render_as_string(False)
    lead = f"lead_{db[-6:]}"
    add_user(owner, lead, "city", "leader", password=lead)
    urls["leader"] = sa.engine.make_url(url).set(username=lead, password=lead).render_as_string(False)
    owner.dispose()
    return urls


class Officer(threading.Thread):
    def __init__(self, login: str, url: str, matters: list[str], stop: float, seed: int):
        super().__init__(name=login)
        self.login, self.archive, self.matters, self.stop = login, Archive(url), matters, stop
        self.rng = random.Random(seed)
        self.saved: list[tuple[str, int, str, float]] = []  # matter, version it made, token, seconds
        self.conflicts = self.false_conflicts = self.errors = 0

    def run(self) -> None:
        n = 0
        while time.monotonic() < self.stop:
            matter = self.rng.choice(self.matters)
            opened = self.archive.entry_version(RID, matter)
            time.sleep(self.rng.uniform(0, 0.05))  # the officer types
            n += 1
            token = f"{self.login}#{n}"
            rows = pd.DataFrame({"round_id": RID, "matter_id": matter, "indicator_id": INDICATORS,
                                 "source": "verified", "result": self.rng.choices(WORDS, k=2), "note": token})
            started = time.perf_counter()
            try:
                self.archive.add_entries(rows, expected={matter: opened})
                self.saved.append((matter, opened + 1, token, time.perf_counter() - started))
            except ConflictError:
                self.conflicts += 1
                if self.archive.entry_version(RID, matter) == opened:
                    self.false_conflicts += 1
            except Exception:  # noqa: BLE001 - counted and reported, the load goes on
                self.errors += 1
        self.archive.dispose()


def read_dashboard(url: str, stop: float, out: list[float]) -> None:
    archive = Archive(url, read_only=True)
    while time.monotonic() < stop:
        started = time.perf_counter()
        fetch(archive)
        out.append(time.perf_counter() - started)
    archive.dispose()


def check(owner_url: str, officers: list[Officer]) -> dict[str, int]:
    owner = Archive(owner_url)
    hist = owner.entry_history(RID)
    per_token = hist.groupby("note").size()
    saves = [s for o in officers for s in o.saved]
    lost = sum(1 for _, _, token, _ in saves if per_token.get(token, 0) == 0)
    partial_or_duplicated = sum(1 for _, _, token, _ in saves if per_token.get(token, 0) not in (0, len(INDICATORS)))
    stray = len(set(per_token.index) - {token for _, _, token, _ in saves})  # written but not accepted
    made = pd.DataFrame([(m, v) for m, v, _, _ in saves], columns=["matter_id", "version"])
    final = owner.read("entry_versions").set_index("matter_id")["version"]
    lost_updates = sum(int(final.get(m, 0)) != len(g) or g["version"].duplicated().any()
                       for m, g in made.groupby("matter_id"))
    owner.dispose()
    return {"lost": lost, "duplicated": partial_or_duplicated + stray, "lost_updates": lost_updates}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--officers", type=int, default=20)
    ap.add_argument("--matters", type=int, default=30)
    ap.add_argument("--admin-url", default=os.environ.get("WORKBENCH_TEST_PG_URL",
                                                          "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()
    admin = sa.create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    db = f"wb_load_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
    url = sa.engine.make_url(args.admin_url).set(database=db).render_as_string(False)
    try:
        urls = build(url, args.officers, args.matters)
        matters = [f"M{i:03d}" for i in range(args.matters)]
        stop = time.monotonic() + args.seconds
        officers = [Officer(login, u, matters, stop, seed=i)
                    for i, (login, u) in enumerate(urls.items()) if login != "leader"]
        reads: list[float] = []
        reader = threading.Thread(target=read_dashboard, args=(urls["leader"], stop, reads))
        for t in [*officers, reader]:
            t.start()
        for t in [*officers, reader]:
            t.join()
        result = check(url, officers)
        lat = sorted(s for o in officers for *_, s in o.saved)
        conflicts = sum(o.conflicts for o in officers)
        print(f"{len(officers)} officers, {args.matters} matters, {args.seconds:.0f} s, dashboard read "
              f"{len(reads)} times (median {statistics.median(reads):.2f} s)" if reads else "")
        print(f"saves accepted      {len(lat)}")
        print(f"conflicts reported  {conflicts} (real: {conflicts - sum(o.false_conflicts for o in officers)})")
        print(f"errors              {sum(o.errors for o in officers)}")
        print(f"entries lost        {result['lost']}")
        print(f"entries duplicated  {result['duplicated']}")
        print(f"lost updates        {result['lost_updates']}")
        if lat:
            print(f"save latency        p50 {1000 * lat[len(lat) // 2]:.0f} ms · "
                  f"p95 {1000 * lat[int(len(lat) * 0.95)]:.0f} ms · max {1000 * lat[-1]:.0f} ms")
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"))
            roles = [r for (r,) in conn.execute(sa.text(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE :a OR rolname LIKE :b"),
                {"a": f"%_{db[-6:]}", "b": f"{db}_%"})]
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}"'))
            for r in roles:
                conn.execute(sa.text(f'DROP ROLE IF EXISTS "{r}"'))
        admin.dispose()


if __name__ == "__main__":
    main()

"""What each role may read and write on a shared PostgreSQL archive, by direct SQL with that
role's own credentials (not through the application): areas, leaders, recusal, the audit trail."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.access_support import ROUNDS, build_shared, drop_roles, entry_rows
from workbench.archive import (
    Archive,
    access,
    amending,
    amendments,
    disable_user,
    metadata,
    signed_in_user,
)
from workbench.archive.guard import SealedError
from workbench.cli import main
from workbench.followup import rescore
from workbench.rounds import score_archived_round

pytestmark = pytest.mark.pg


@pytest.fixture
def shared(pg_url):
    owner, urls = build_shared(pg_url)
    engines = {k: sa.create_engine(u, poolclass=sa.pool.NullPool) for k, u in urls.items()}
    yield owner, urls, engines
    owner.dispose()
    drop_roles(pg_url)


def test_every_table_has_a_rule():
    """A new table must say whose rows it holds (an area, a round, or the office's own), or
    officers would get it without row-level security."""
    covered = set(access.AREA_OF) | set(access.ROUND_KEYED) | set(access.ADMIN_ONLY) | {"audit"}
    assert set(metadata.tables) - covered == set()


def rows(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def insert_entry(engine, round_id, matter_id, by="someone typed", source="verified"):
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO entries (round_id, matter_id, indicator_id, source, result, entered_by) "
            "VALUES (:r, :m, 'ABL-01', :s, '完全落实', :by)"), {"r": round_id, "m": matter_id, "s": source, "by": by})


def refused(engine, sql, **params) -> str:
    with pytest.raises(sa.exc.DBAPIError) as err, engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    return str(err.value.orig)


def test_a_county_officer_reads_and_writes_only_their_county(shared):
    _, _, eng = shared
    ht = eng["hanting"]
    assert rows(ht, "SELECT round_id FROM rounds") == [(ROUNDS["370703"],)]
    assert rows(ht, "SELECT unit_id FROM units") == [("H1",)]
    assert rows(ht, "SELECT matter_id FROM matters") == [("MH",)]
    insert_entry(ht, ROUNDS["370703"], "MH")
    # The row records who is signed in, not the name the client sent.
    login = rows(ht, "SELECT current_user")[0][0]
    assert rows(ht, "SELECT entered_by FROM entries") == [(login,)]
    # Another county's round: neither written nor seen, not even by guessing its key.
    assert "row-level security" in refused(
        ht, "INSERT INTO entries (round_id, matter_id, indicator_id, source) VALUES (:r, 'MQ', 'ABL-01', 'self')",
        r=ROUNDS["370781"])
    assert "row-level security" in refused(
        ht, "INSERT INTO rounds (round_id, year, area, window_start, window_end, eval_date, status) "
            "VALUES ('2025-370781', 2025, '370781', '2024-01-01', '2024-12-31', '2025-06-01', 'open')")
    with ht.begin() as conn:
        assert conn.execute(sa.text("UPDATE rounds SET status = 'completed' WHERE round_id = :r"),
                            {"r": ROUNDS["370781"]}).rowcount == 0
        assert conn.execute(sa.text("DELETE FROM round_matters WHERE round_id = :r"),
                            {"r": ROUNDS["city"]}).rowcount == 0
    # Entries are append-only: a change is a new row, never an UPDATE or DELETE.
    assert "permission denied" in refused(ht, "UPDATE entries SET result = '未落实'")
    assert "permission denied" in refused(ht, "DELETE FROM entries")
    # The office's own tables and the audit trail are not theirs.
    assert "permission denied" in refused(ht, "UPDATE users SET role = 'admin'")
    assert "permission denied" in refused(ht, "SELECT * FROM audit")
    # The other county sees nothing of this one.
    assert rows(eng["qingzhou"], "SELECT count(*) FROM entries") == [(0,)]
    assert rows(eng["qingzhou"], "SELECT round_id FROM rounds") == [(ROUNDS["370781"],)]


def test_a_city_officer_reads_every_area_and_writes_the_citys(shared):
    _, _, eng = shared
    insert_entry(eng["hanting"], ROUNDS["370703"], "MH")
    city = eng["city"]
    assert {r for (r,) in rows(city, "SELECT round_id FROM rounds")} == set(ROUNDS.values())
    assert rows(city, "SELECT count(*) FROM entries") == [(1,)]
    insert_entry(city, ROUNDS["city"], "MC")
    assert "row-level security" in refused(
        city, "INSERT INTO entries (round_id, matter_id, indicator_id, source) VALUES (:r, 'MH', 'ABL-02', 'verified')",
        r=ROUNDS["370703"])


def test_a_leader_reads_everything_and_writes_nothing(shared):
    _, _, eng = shared
    insert_entry(eng["hanting"], ROUNDS["370703"], "MH")
    insert_entry(eng["city"], ROUNDS["city"], "MC")
    lead = eng["leader"]
    assert rows(lead, "SELECT count(*) FROM entries") == [(2,)]
    assert len(rows(lead, "SELECT * FROM rounds")) == 3
    assert len(rows(lead, "SELECT * FROM audit WHERE table_name = 'entries'")) == 2
    for sql in ("INSERT INTO entries (round_id, matter_id, indicator_id, source) VALUES ('2024-city', 'MC', 'ABL-01', 'self')",
                "UPDATE rounds SET status = 'completed'", "DELETE FROM round_matters",
                "INSERT INTO audit (at, by, table_name, action, row_key) VALUES (now(), 'x', 'x', 'x', '{}')"):
        assert "permission denied" in refused(lead, sql)


def test_an_admin_changes_any_area_but_not_the_audit_trail(shared):
    _, _, eng = shared
    adm = eng["admin"]
    with adm.begin() as conn:
        assert conn.execute(sa.text("UPDATE rounds SET team = '王建华' WHERE area <> 'city'")).rowcount == 2
    assert "permission denied" in refused(adm, "DELETE FROM audit")  # no grant, and the trigger besides
    assert len(rows(adm, "SELECT * FROM audit WHERE table_name = 'rounds' AND action = 'UPDATE'")) == 2


def test_recusal_is_enforced_by_the_database(shared):
    _, _, eng = shared
    c1 = eng["city_c1"]  # belongs to 市财政局 (C1), whose matter is MC
    assert "recusal" in refused(
        c1, "INSERT INTO entries (round_id, matter_id, indicator_id, source, result) "
            "VALUES ('2024-city', 'MC', 'ABL-01', 'verified', '完全落实')")
    insert_entry(c1, ROUNDS["city"], "MC", source="self")  # typing in the unit's own assessment is not verifying
    assert rows(eng["leader"], "SELECT source FROM entries") == [("self",)]


def test_nobody_becomes_someone_else(shared):
    owner, urls, eng = shared
    ht = eng["hanting"]
    others = [sa.engine.make_url(urls[k]).username for k in ("qingzhou", "leader")]
    db = sa.engine.make_url(urls["hanting"]).database
    for role in [*others, f"{db}_admin", f"{db}_leader", "postgres"]:
        assert "permission denied" in refused(ht, f'SET ROLE "{role}"')
    assert "permission denied" in refused(ht, "SET SESSION AUTHORIZATION postgres")


def test_the_audit_trail_of_a_save(shared):
    owner, urls, eng = shared
    # The officer's save as the application makes it, on the officer's own connection.
    officer = Archive(urls["hanting"])
    login = signed_in_user(officer)
    assert login == sa.engine.make_url(urls["hanting"]).username
    assert signed_in_user(owner) is None  # the owner (administration, demo builds) is nobody's user
    officer.add_entries(entry_rows(ROUNDS["370703"], "MH", ["完全落实", "1"]), entered_by="王建华")
    officer.add_entries(entry_rows(ROUNDS["370703"], "MH", ["基本落实", "1"]), entered_by="王建华")
    trail = rows(eng["leader"], "SELECT by, table_name, action, row_key, before, after FROM audit "
                                "WHERE table_name = 'entries' ORDER BY audit_id")
    assert [(r.by, r.action) for r in trail] == [(login, "INSERT")] * 3  # 2 rows, then the 1 that changed
    last = json.loads(trail[-1].after)
    assert (last["matter_id"], last["indicator_id"], last["result"], last["entered_by"]) == \
        ("MH", "ABL-01", "基本落实", login)
    assert json.loads(trail[-1].row_key) == {"entry_id": last["entry_id"]}
    assert officer.current_entries(ROUNDS["370703"])["entered_by"].tolist() == [login, login]
    # Append-only, even for the owner of the tables.
    as_owner = sa.create_engine(owner.url, poolclass=sa.pool.NullPool)
    for sql in ("UPDATE audit SET by = 'x'", "DELETE FROM audit", "TRUNCATE audit"):
        assert "append-only" in refused(as_owner, sql)
    officer.dispose()


def test_a_disabled_user_cannot_sign_in(shared):
    owner, urls, _ = shared
    disable_user(owner, sa.engine.make_url(urls["qingzhou"]).username)
    with pytest.raises(sa.exc.OperationalError, match="not permitted to log in"):
        sa.create_engine(urls["qingzhou"]).connect()


def test_users_commands(shared, pg_url, tmp_path, capsys):
    owner, *_ = shared
    pw = tmp_path / "pw"
    pw.write_text("s3cret\n", encoding="utf-8")
    login = f"newbie_{sa.engine.make_url(pg_url).database[-8:]}"
    assert main(["--lang", "en", "users", "add", login, "--area", "370781", "--role", "officer",
                 "--unit", "Q1", "--password-file", str(pw), "--db", pg_url]) == 0
    assert main(["--lang", "en", "users", "add", "bad_area", "--area", "999999", "--role", "officer",
                 "--db", pg_url]) == 2
    assert "999999" in capsys.readouterr().err
    assert main(["--lang", "en", "users", "list", "--db", pg_url]) == 0
    listed = capsys.readouterr().out
    assert login in listed and "Q1" in listed
    assert main(["users", "disable", login, "--db", pg_url]) == 0
    added = owner.read("users", sa.column("login") == login).iloc[0]
    assert not added["active"]
    assert added["created_by"] == sa.engine.make_url(pg_url).username  # who added the user: the role that did


def test_sqlite_has_no_users(tmp_path, capsys):
    db = str(tmp_path / "one.db")
    assert main(["--lang", "en", "users", "add", "someone", "--area", "city", "--role", "officer", "--db", db]) == 2
    assert "single-user SQLite" in capsys.readouterr().err


def test_by_is_the_signed_in_login_not_what_is_typed(shared):
    owner, urls, _ = shared
    assert main(["round", "create", "--year", "2025", "--area", "city", "--by", "冒名顶替",
                 "--db", urls["city"]]) == 0
    assert owner.get_round("2025-city")["created_by"] == sa.engine.make_url(urls["city"]).username
    # …and a county officer cannot create the city's round at all.
    assert main(["--lang", "en", "round", "create", "--year", "2026", "--area", "city",
                 "--db", urls["hanting"]]) == 2


def test_a_save_that_changes_nothing_leaves_no_trail(shared):
    """On the officer's own connection: the same values again add no entry, no audit row and no
    version."""
    _, urls, eng = shared
    officer = Archive(urls["hanting"])
    rid = ROUNDS["370703"]
    officer.add_entries(entry_rows(rid, "MH", ["完全落实", "1"]), expected={"MH": 0})
    count = "SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM entries)"
    before = rows(eng["leader"], count)
    assert officer.add_entries(entry_rows(rid, "MH", ["完全落实", "1"]), expected={"MH": 1}) == 0
    assert rows(eng["leader"], count) == before
    assert officer.entry_version(rid, "MH") == 1
    officer.dispose()


def test_an_officer_changes_a_sealed_round_only_by_amendment(shared, catalogue):
    """The seal holds for a signed-in officer as for the owner, and the amendment path works
    under row-level security (its marker row is the officer's, inside one transaction)."""
    owner, urls, eng = shared
    rid = ROUNDS["370703"]
    officer = Archive(urls["hanting"])
    officer.add_entries(entry_rows(rid, "MH", ["完全落实", "1"]), entered_by="王建华")
    score_archived_round(officer, rid, catalogue, computed_by="王建华")
    with owner.engine.begin() as conn:  # sealed at feedback (hashes do not matter here)
        conn.exec_driver_sql("INSERT INTO seals (round_id, run_id, results_hash, max_entry_id, entries_hash, "
                             "sealed_at, feedback_issued_on) SELECT round_id, max(run_id), 'x', 0, 'x', "
                             "'2024-05-20', '2024-05-20' FROM scoring_runs WHERE round_id = %s GROUP BY round_id",
                             (rid,))
    with pytest.raises(SealedError):
        officer.add_entries(entry_rows(rid, "MH", ["基本落实", "1"]), entered_by="王建华")
    assert "sealed" in refused(eng["hanting"], "INSERT INTO entries (round_id, matter_id, indicator_id, source, "
                                               "result) VALUES (:r, 'MH', 'ABL-01', 'verified', '基本落实')", r=rid)
    with officer.amending([rid]):
        officer.add_entries(entry_rows(rid, "MH", ["基本落实", "1"]), entered_by="王建华")
        rescore(officer, rid, catalogue, "王建华", "复核更正")
    assert officer.read(amendments)["why"].tolist() == ["复核更正"] and officer.read(amending).empty
    officer.dispose()


def test_init_shared_as_the_readme_gives_it(pg_url, capsys):
    # README step 3: `workbench init --org parameters/organisation.yaml --shared --db …` — it
    # installed the roles but said only that the archive was ready
    try:
        assert main(["init", "--org", "parameters/organisation.yaml", "--shared", "--db", pg_url]) == 0
        out = capsys.readouterr().out
        db = sa.engine.make_url(pg_url).database
        assert f"{db}_officer" in out and "行级安全" in out
        assert {r for (r,) in rows(sa.create_engine(pg_url, poolclass=sa.pool.NullPool),
                                     "SELECT rolname FROM pg_roles WHERE rolname LIKE :p", p=f"{db}_%")} == {
            f"{db}_officer", f"{db}_leader", f"{db}_admin"}
    finally:
        drop_roles(pg_url)

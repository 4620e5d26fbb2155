"""Two officers saving at once, on SQLite and PostgreSQL: no lost update on one matter, no
waiting between different matters."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from tests.access_support import MATTERS, UNITS, entry_rows
from workbench.archive import Archive, entry_versions
from workbench.core import RoundSpec
from workbench.errors import ConflictError

RID = "2024-city"


@pytest.fixture
def two(archive):

    archive.import_units(UNITS)
    archive.import_matters(MATTERS.assign(unit_id="C1"))  # three city matters
    archive.create_round(RoundSpec(2024, "city", date(2023, 1, 1), date(2023, 12, 31), date(2024, 6, 1)))
    other = Archive(archive.url)
    yield archive, other
    other.dispose()


def test_the_second_save_of_a_matter_is_told_and_sees_both_values(two):
    a, b = two
    opened_a = a.entry_version(RID, "MC")
    opened_b = b.entry_version(RID, "MC")
    assert opened_a == opened_b == 0
    assert a.add_entries(entry_rows(RID, "MC", ["完全落实", "1"]), entered_by="王建华", expected={"MC": opened_a}) == 2
    with pytest.raises(ConflictError) as err:
        b.add_entries(entry_rows(RID, "MC", ["部分落实", "1"]), entered_by="李晓梅", expected={"MC": opened_b})
    text = str(err.value)
    assert "王建华" in text and "部分落实" in text and "完全落实" in text  # who, and both values
    assert err.value.theirs.set_index("indicator_id")["result"].to_dict() == {"ABL-01": "完全落实", "ABL-02": "1"}
    # Nothing of the refused save was written; the first save stands whole.
    cur = a.current_entries(RID, "verified").set_index("indicator_id")
    assert cur["result"].to_dict() == {"ABL-01": "完全落实", "ABL-02": "1"}
    # Having seen it, the second officer saves again from the version now current: accepted.
    again = b.entry_version(RID, "MC")
    assert again == 1
    b.add_entries(entry_rows(RID, "MC", ["部分落实", "1"]), entered_by="李晓梅", expected={"MC": again})
    assert a.current_entries(RID, "verified").set_index("indicator_id").at["ABL-01", "result"] == "部分落实"
    assert a.entry_version(RID, "MC") == 2


def test_saves_without_a_version_still_move_it(two):
    """An import (no form opened) moves the version too, so a form opened before it is told."""
    a, b = two
    opened = a.entry_version(RID, "MH")
    b.add_entries(entry_rows(RID, "MH", ["未落实"]), entered_by="import")
    with pytest.raises(ConflictError):
        a.add_entries(entry_rows(RID, "MH", ["完全落实"]), expected={"MH": opened})


def test_at_once_exactly_one_wins(two):
    a, b = two
    outcomes = []
    barrier = threading.Barrier(2)

    def save(archive, value):
        barrier.wait()
        try:
            archive.add_entries(entry_rows(RID, "MQ", [value]), expected={"MQ": 0})
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")
        except sa.exc.OperationalError:  # SQLite: the writer lock was held past the timeout
            outcomes.append("locked")

    threads = [threading.Thread(target=save, args=(x, v)) for x, v in ((a, "完全落实"), (b, "未落实"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert len(a.entry_history(RID)) == 1


@pytest.mark.pg
def test_different_matters_do_not_wait_for_each_other(pg_url):
    a = Archive(pg_url)
    a.import_units(UNITS)
    a.import_matters(MATTERS.assign(unit_id="C1"))

    a.create_round(RoundSpec(2024, "city", date(2023, 1, 1), date(2023, 12, 31), date(2024, 6, 1)))
    a.add_entries(entry_rows(RID, "MC", ["完全落实"]))
    # One officer's save of MC is half-way (its version row locked, not committed)…
    slow = a.engine.connect()
    tx = slow.begin()
    slow.execute(entry_versions.update().where(entry_versions.c.matter_id == "MC").values(version=9))
    try:
        # …another officer saves MH at once, and a third save of MC waits for the first.
        started = time.monotonic()
        a.add_entries(entry_rows(RID, "MH", ["未落实"]), expected={"MH": 0})
        assert time.monotonic() - started < 2
        outcome = []

        def third():
            try:
                a.add_entries(entry_rows(RID, "MC", ["未落实"]), expected={"MC": 1})
                outcome.append("saved")
            except ConflictError:
                outcome.append("conflict")

        waiting = threading.Thread(target=third)
        waiting.start()
        waiting.join(1.0)
        assert waiting.is_alive()  # blocked behind the first save of the same matter
        tx.commit()  # the first save lands…
    finally:
        if tx.is_active:
            tx.rollback()
        slow.close()
    waiting.join(5)
    assert outcome == ["conflict"]  # …and the waiting one is told, not allowed to overwrite it
    a.dispose()


def test_a_save_that_changes_nothing_is_no_save(two):
    """Saving exactly the values already current writes nothing and moves no version, so an
    officer who opened the matter before is not told of a conflict that changed nothing."""
    a, b = two
    a.add_entries(entry_rows(RID, "MC", ["完全落实", "1"]), expected={"MC": 0})
    opened_b = b.entry_version(RID, "MC")
    before = len(a.entry_history(RID))
    assert a.add_entries(entry_rows(RID, "MC", ["完全落实", "1"]), expected={"MC": 1}) == 0
    assert a.add_entries(entry_rows(RID, "MC", ["完全落实", "1"])) == 0  # an import of the same file, too
    assert a.entry_version(RID, "MC") == opened_b == 1
    assert len(a.entry_history(RID)) == before
    # The officer who opened it earlier saves a real change: accepted, one version on.
    assert b.add_entries(entry_rows(RID, "MC", ["部分落实", "1"]), expected={"MC": opened_b}) == 1
    assert a.entry_version(RID, "MC") == 2
    # A stale form holding exactly what is saved now changes nothing either: no conflict to tell.
    assert a.add_entries(entry_rows(RID, "MC", ["部分落实", "1"]), expected={"MC": 1}) == 0
    assert a.entry_version(RID, "MC") == 2
    assert len(a.entry_history(RID)) == before + 1

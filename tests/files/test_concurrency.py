"""Twelve processes at once on one archive — importing the same units and entries files, scoring
and sealing the round — on SQLite and on PostgreSQL: no traceback, nothing duplicated (one unit
per id, one entry per key and value, one seal), nothing lost (every run that said it was archived
is there)."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import random
import time
import traceback

import pandas as pd
import pytest
from hostile_support import UNITS, build_archive

from workbench.archive import Archive, entries, seals
from workbench.cli import main
from workbench.followup import check_seal


def run_cli(i: int, args: list[str], start, results, delay: float = 0.0) -> None:
    """One process: wait for the start signal (and ``delay`` seconds more), run the command, report
    its exit code and stderr (a traceback would be in it: an exception escaping main() is caught
    here and printed)."""
    start.wait()
    time.sleep(delay)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code
        except BaseException:  # noqa: BLE001 - what a user would have seen as a traceback
            err.write("Traceback\n" + traceback.format_exc())
            code = 1
    results.put((i, (code, err.getvalue())))


def run_together(commands: list[list[str]], url: str, delays=None) -> dict[int, tuple[int, str]]:
    """Fork one process per command, release them at once (each after its delay), and collect
    each one's exit code and stderr by its index. Forked, each runs the CLI's main() as the
    command would (a fresh interpreter per command costs ~5 s of imports on a busy machine)."""
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=run_cli, args=(i, c + ["--db", url], start, results, d))
             for i, (c, d) in enumerate(zip(commands, delays or [0.0] * len(commands)))]
    for p in procs:
        p.start()
    start.set()
    got = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    return got


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'a.db'}"
    return request.getfixturevalue("pg_url")


def test_many_processes_at_once(url, tmp_path, catalogue):
    build_archive(url, tmp_path, catalogue, seal=False)
    units = tmp_path / "units2.csv"
    units.write_text(UNITS.replace(",20,18,3,4", ",21,18,3,4"), encoding="utf-8")
    entries = tmp_path / "entries2.csv"  # every indicator of X-1 changed: one new entry each
    ind = catalogue.indicators[catalogue.indicators["category"] == "establish"]
    answer = {"graded": "基本落实", "yes_no": "否", "ratio": "0.5"}
    entries.write_text("matter_id,indicator_id,source,result,note\n" + "".join(
        f"X-1,{i},verified,{answer[k]},并发\n" for i, k in ind["kind"].items()), encoding="utf-8")
    commands = (
        [["import", "units", str(units)]] * 4
        + [["import", "entries", str(entries)]] * 4
        + [["score", "--round", "2018-city", "--out", str(tmp_path / f"s{i}.csv")] for i in range(2)]
        + [["seal", "--round", "2018-city", "--issued-on", "2018-06-30"]] * 2
    )
    got = run_together(commands, url)
    done = [(c, *got[i]) for i, c in enumerate(commands)]

    assert not [e for _, _, e in done if "Traceback" in e], done
    a = Archive(url)
    # Imports of one file, at once: each succeeds, and the archive holds it once. An entries
    # import that comes after the seal is refused with the reason instead (the race is real).
    assert all(code == 0 for c, code, _ in done if c[1] == "units"), done
    refused = [e for c, code, e in done if c[1] == "entries" and code != 0]
    assert all("已封存" in e for e in refused), refused
    u = a.units()
    assert len(u) == 3 and u.set_index("unit_id").loc["C900", "approved_quota"] == 21
    hist = a.entry_history("2018-city")
    mine = hist[hist["note"] == "并发"]
    assert len(mine) == (len(ind) if len(refused) < 4 else 0)  # one new entry per indicator, not four
    assert not hist.duplicated(["matter_id", "indicator_id", "source", "supersedes"]).any()
    # At most one seal. A sealing process is told why not: the round is sealed already, or (when
    # entries imported at the same moment are not scored yet) it is not finished.
    sealed = [code for c, code, _ in done if c[0] == "seal"]
    assert sorted(sealed) in ([0, 2], [2, 2]) and len(a.read(seals)) == sealed.count(0)
    assert all("已于" in e or "尚未完成" in e for c, code, e in done if c[0] == "seal" and code == 2), done
    # Every scoring run that reported success is archived (one was there before); one that comes
    # after the seal is refused, because a sealed round's new version must be an amendment.
    scored = sum(code == 0 for c, code, _ in done if c[0] == "score")
    assert all("已封存" in e for c, code, e in done if c[0] == "score" and code != 0), done
    assert len(a.scoring_runs("2018-city")) == 1 + scored
    assert check_seal(a, "2018-city").ok or not sealed.count(0)
    assert pd.Series([code for _, code, _ in done]).isin([0, 2]).all()


def test_an_import_racing_the_seal_lands_before_it_or_is_refused(url, tmp_path, catalogue):
    """Issue 11: an import checked before the seal and written after it would put entries in a
    sealed round. Started together many times (the seal a little later or earlier each time, to
    sweep the moment the import checks): either the import's entries are in the sealed hash, or
    the import is refused because the round is sealed — the seal check is clean every time."""
    build_archive(url, tmp_path, catalogue, seal=False)
    a = Archive(url)
    ind = catalogue.indicators[catalogue.indicators["category"] == "establish"]
    answer = {"graded": "完全落实", "yes_no": "是", "ratio": "1"}  # the scores stay: only the note changes
    rng = random.Random(11)
    outcomes = []
    for attempt in range(12):
        with a.engine.begin() as conn:  # back to a scored, unsealed round
            conn.execute(seals.delete())
            conn.execute(entries.delete().where(entries.c.note.like("竞争%")))
        file = tmp_path / f"race{attempt}.csv"
        file.write_text("matter_id,indicator_id,source,result,note\n" + "".join(
            f"X-1,{i},verified,{answer[k]},竞争{attempt}\n" for i, k in ind["kind"].items()), encoding="utf-8")
        commands = [["import", "entries", str(file)], ["seal", "--round", "2018-city", "--issued-on", "2018-06-30"]]
        delays = [0.0, rng.uniform(0.0, 0.6)] if attempt % 2 else [rng.uniform(0.0, 0.6), 0.0]
        got = run_together(commands, url, delays)
        (imported, ierr), (sealed, serr) = got[0], got[1]
        assert "Traceback" not in ierr + serr, (ierr, serr)
        assert imported == 0 or "已封存" in ierr, ierr
        assert sealed == 0 or "尚未完成" in serr, serr
        if sealed == 0:
            assert check_seal(a, "2018-city").ok, (attempt, imported, ierr, check_seal(a, "2018-city").problems)
        outcomes.append((imported, sealed))
    assert (0, 0) in outcomes or (2, 0) in outcomes, outcomes  # the race was run, not avoided

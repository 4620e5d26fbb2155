"""The demo archive reproduces the source's figures and is the same every time it is built."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.archive.store import Archive
from workbench.core import cycle_change, cycle_trend
from workbench.demo.build import build_demo
from workbench.organisation import default_organisation
from workbench.rounds import read_cycles
from workbench.scoring import compare_sources

COUNTIES = default_organisation().counties


@pytest.fixture(scope="module")
def demo(demo_db):
    return Archive(str(demo_db), read_only=True)


def completed_results(demo, source="verified"):
    r = demo.all_latest_results(source)
    return r[r["round_status"] == "completed"]


def test_564_matters_86_city_478_county(demo):
    r = completed_results(demo)
    assert len(r) == 564
    assert (r["area"] == "city").sum() == 86 and (r["area"] != "city").sum() == 478
    assert (r["status"] == "complete").all()


def test_completed_rounds_cover_city_and_every_county(demo):
    rounds = demo.rounds()
    done = rounds[rounds["status"] == "completed"]
    assert len(done) == 39 and set(done["year"]) == {2018, 2019, 2020}
    assert set(done["area"]) == {"city", *COUNTIES}
    assert rounds.set_index("round_id").loc["2021-city", "status"] == "open"


def test_2018_city_round_as_in_the_source(demo):
    r = demo.get_round("2018-city")
    assert (str(r["window_start"]), str(r["window_end"])) == ("2016-10-01", "2017-09-30")
    scope = demo.round_matters("2018-city")
    assert len(scope) == 14 and scope["unit_id"].nunique() == 10
    assert {"青州古城管委会", "市工业和信息化局", "市财政局"} <= set(scope["unit_name"])
    assert scope["approved_on"].between(r["window_start"], r["window_end"]).all()


def test_scores_are_spread_realistically(demo):
    r = completed_results(demo)
    bands = r["band"].value_counts()
    assert set(bands.index) == {"优", "良", "中", "差"}
    assert 0.01 < bands["差"] / len(r) < 0.15  # some 差, not many
    assert r["completion_pct"].median() > 80
    sel = demo.read("round_matters")
    assert sel[sel["included"].astype(bool)]["late"].mean() > 0.05  # some late
    gap = compare_sources(completed_results(demo, "self"), r)
    assert 0.05 < gap["inflated"].mean() < 0.4  # some self-assessments inflated
    assert (gap["gap"] >= -1e-9).all()  # units never mark themselves down in the demo


def test_2021_round_is_in_progress(demo):
    res = demo.latest_results("2021-city")
    assert (res["status"] == "incomplete").any() and (res["status"] == "complete").any()


def test_work_log_totals(demo):
    totals = pd.DataFrame([demo.work_log(rid) for rid in demo.rounds()["round_id"]]).sum()
    assert totals["documents"] >= 600 and totals["questions"] >= 300
    assert totals["items_verified"] >= 100 and totals["suggestions"] == 50


def test_city_section_setup_cycle_falls_from_5_to_3_months(demo):
    """The source: 市级部门(单位)面上科室设置周期由5个月缩短为3个月,组建效率提升40%; and
    legal-person registrations rose sharply."""
    cycles = read_cycles(demo)
    assert len(cycles) == 564  # every evaluated matter has its dates
    city = cycle_trend(cycles[cycles["level"] == "city"], ["year"])
    assert city["year"].tolist() == [2018, 2019, 2020]
    assert city["sections_months"].tolist() == [5.0, 4.0, 3.0]
    assert cycle_change(city) == pytest.approx(0.4)
    assert (city["staffed_months"] < city["sections_months"]).all()  # staffed before the sections are set up
    regs = cycles.groupby("year")["registered_on"].count()
    assert regs[2018] < regs[2019] < regs[2020]
    assert cycles["registered_on"].dropna().index.isin(
        cycles.index[cycles["kind"].isin(["事业单位", "参公事业单位"])]).all()  # only public institutions register


def test_demo_is_deterministic(demo, tmp_path, catalogue):
    again = Archive(str(tmp_path / "again.db"))
    build_demo(again, catalogue)
    for table in ("units", "matters", "round_matters"):
        a = demo.read(table).drop(columns=["decided_at"], errors="ignore")
        b = again.read(table).drop(columns=["decided_at"], errors="ignore")
        pd.testing.assert_frame_equal(a, b)
    cols = ["matter_id", "completion_pct", "band", "rank_in_category"]
    pd.testing.assert_frame_equal(completed_results(demo)[cols].reset_index(drop=True),
                                  completed_results(again)[cols].reset_index(drop=True))


def test_demo_refuses_a_filled_archive(demo_archive, catalogue):
    with pytest.raises(ValueError):
        build_demo(demo_archive, catalogue)

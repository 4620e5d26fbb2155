"""The demo does not contradict history (issue 12): one 文号 per matter, every matter's unit existed
on its approval date (bodies of the 2019 reform only from 2019), and the sealed rounds hold the
letters they issued, numbered from the register — while the unfinished 2021 round issues nothing."""

from __future__ import annotations

import pandas as pd

from workbench.cli import main


def test_demo_document_numbers_are_unique(demo_archive):
    matters = demo_archive.matters()
    assert matters["doc_no"].notna().all() and not matters["doc_no"].duplicated().any()


def test_every_demo_matter_unit_existed_on_its_approval_date(demo_archive):
    m = demo_archive.matters().merge(demo_archive.units(), on="unit_id")
    approved = pd.to_datetime(m["approved_on"])
    assert not (approved < pd.to_datetime(m["formed_on"])).any()
    assert not (approved >= pd.to_datetime(m["dissolved_on"])).any()
    reform = demo_archive.units().set_index("name")
    assert str(reform.at["市退役军人事务局", "formed_on"]) == "2019-01-25"
    assert pd.isna(reform.at["市财政局", "formed_on"])
    late = m[m["name"].isin(["市退役军人事务局", "市自然资源和规划局"])]
    assert (pd.to_datetime(late["approved_on"]).dt.year >= 2019).all()


def test_sealed_demo_rounds_hold_their_numbered_letters(demo_archive):
    seals = demo_archive.read("seals")
    letters = demo_archive.read("letters")
    assert set(letters["round_id"]) == set(seals["round_id"]) and len(seals) == 39
    assert not letters["doc_no"].duplicated().any() and letters["doc_no"].str.match(r".+函〔\d{4}〕\d+号$").all()
    reg = demo_archive.read("doc_numbers")
    assert set(letters["doc_no"]) <= set(reg["doc_no"])
    issued = letters.merge(seals, on="round_id")
    assert (issued["issued_on"] == issued["feedback_issued_on"]).all()
    # one letter per unit with results in each sealed round
    res = demo_archive.all_latest_results()
    units = res[res["round_id"].isin(seals["round_id"])].groupby("round_id")["unit_id"].nunique()
    assert letters.groupby("round_id").size().equals(units.rename(None).astype("int64"))


def test_feedback_on_the_unfinished_2021_round_is_refused(demo_archive, tmp_path, capsys):
    out = tmp_path / "fb"
    code = main(["feedback", "--round", "2021-city", "--out", str(out), "--by", "王建华", "--db", demo_archive.url])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and not out.exists()
    assert "2021-city 尚未完成,不能发出情况反馈" in err and "事项 C-2021-006(市生态环境局)" in err
    assert demo_archive.read("letters").query("round_id == '2021-city'").empty
    assert demo_archive.read("seals").query("round_id == '2021-city'").empty

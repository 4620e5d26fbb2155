"""A filing package holds everything as of its filing date (issue 12, defect 4): a backdated
package leaves out the decisions, signatures and letters made after ``filed_on``."""

from __future__ import annotations

from datetime import date

import pandas as pd

from workbench.filing.package import decisions_as_of, package_files, read_csv

ROUND = "2019-370702"


def test_backdated_package_leaves_out_what_came_after_its_filing_date(demo_archive, catalogue):
    dec = demo_archive.read("decisions")
    mine = dec[dec["round_id"] == ROUND]
    # the demo drafts decisions on 30 Sep and 31 Dec 2019 and signs each five days later
    assert sorted(mine["as_of"].astype(str).unique()) == ["2019-09-30", "2019-12-31"]
    manifest, files = package_files(demo_archive, ROUND, "县编办", date(2019, 10, 2), catalogue)
    early = read_csv(files["decisions.csv"])
    sept = mine[mine["as_of"].astype(str) == "2019-09-30"]
    assert sorted(early["decision_id"].astype(int)) == sorted(sept["decision_id"])
    assert set(early["status"]) == {"draft"} and early["decided_by"].isna().all()  # signed on 5 Oct: not yet
    assert manifest["counts"]["decisions"] == len(sept)
    _, later = package_files(demo_archive, ROUND, "县编办", date(2020, 1, 10), catalogue)
    late = read_csv(later["decisions.csv"])
    assert len(late) == len(mine) and set(late["status"]) == {"signed"}


def test_letters_issued_after_the_filing_date_are_left_out(demo_archive, catalogue, tmp_path):
    from workbench.followup.letters import correct_letter

    unit = demo_archive.read("letters").query("round_id == @ROUND")["unit_id"].iloc[0]
    correct_letter(demo_archive, ROUND, unit, "名称有误", "县编办", tmp_path, date(2019, 7, 1), catalogue=catalogue)
    before, _ = package_files(demo_archive, ROUND, "县编办", date(2019, 6, 8), catalogue)
    after, _ = package_files(demo_archive, ROUND, "县编办", date(2019, 7, 2), catalogue)
    assert after["counts"]["letters"] == before["counts"]["letters"] + 1


def test_decisions_as_of_is_pure():
    dec = pd.DataFrame([
        {"decision_id": 1, "round_id": "r", "created_at": "2020-01-01 10:00", "decided_at": "2020-01-05 10:00",
         "status": "signed", "decided_by": "赵", "reject_reason": None},
        {"decision_id": 2, "round_id": "r", "created_at": "2020-02-01 10:00", "decided_at": None,
         "status": "draft", "decided_by": None, "reject_reason": None},
        {"decision_id": 3, "round_id": "x", "created_at": "2019-01-01 10:00", "decided_at": None,
         "status": "draft", "decided_by": None, "reject_reason": None}])
    assert decisions_as_of(dec, "r", date(2020, 1, 3))[["decision_id", "status"]].values.tolist() == [[1, "draft"]]
    assert decisions_as_of(dec, "r", date(2020, 1, 5))["status"].tolist() == ["signed"]
    assert len(decisions_as_of(dec, "r", date(2020, 2, 1))) == 2


def test_decisions_all_still_drafts_on_the_filing_date():
    # `workbench file` on a round whose decisions were all undecided drafts stopped with a
    # pandas TypeError: an all-empty decided_at column turned into datetimes, not dates.
    dec = pd.DataFrame([{"decision_id": 2, "round_id": "r", "created_at": "2020-02-01 10:00", "decided_at": None,
                         "status": "draft", "decided_by": None, "reject_reason": None}])
    assert decisions_as_of(dec, "r", date(2021, 1, 10))["status"].tolist() == ["draft"]

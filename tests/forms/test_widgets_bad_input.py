"""Bad input in the forms: a clear message in the user's language, and nothing of that action
saved."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from traitlets import TraitError

from workbench.archive import evidence
from workbench.forms.round_setup import RoundSetupForm
from workbench.forms.scope import SelectionForm, SurveyForm
from workbench.forms.verify import VerificationForm
from workbench.rounds import steps
from workbench.rounds import survey as sv

RID = "2021-city"


def snapshot(a) -> tuple:
    return (len(a.entry_history()), len(a.read("round_matters")), len(a.read(evidence.evidence)),
            len(a.read(steps.step_events)), len(a.read(sv.survey_facts)), len(a.rounds()))


def upload(name: str, content: bytes) -> dict:
    return {"name": name, "type": "", "size": len(content), "content": memoryview(content),
            "last_modified": datetime(2021, 4, 1, tzinfo=UTC)}


@pytest.mark.parametrize("lang, words", [("zh", "未纳入但没有填写原因"), ("en", "excluded without a reason")])
def test_exclusion_needs_a_reason(demo_archive, catalogue, lang, words):
    form = SelectionForm(demo_archive, RID, lang=lang, catalogue=catalogue)
    before = snapshot(demo_archive)
    form.rows[2].include.value = False
    form.rows[2].reason.value = "   "
    form.save_button.click()
    assert words in form.message.value and form.rows[2].matter_id in form.message.value
    assert snapshot(demo_archive) == before
    assert "15" in form.summary.value  # the summary follows the click, the archive does not


@pytest.fixture
def verify(demo_archive, catalogue):
    form = VerificationForm(demo_archive, RID, lang="en", officer="王建华", catalogue=catalogue)
    form.only_open.value = True
    return form


def row_of(form, kind):
    return next(r for r in form.rows if r.indicator_id and r.kind == kind)


@pytest.mark.parametrize("value, words", [
    ("abc", "must be a number or 不适用"),
    ("-0.2", "a ratio cannot be negative"),
    ("八成", "must be a number"),
])
def test_verification_refuses_values_outside_the_kind(demo_archive, verify, value, words):
    before = snapshot(demo_archive)
    row = next((r for r in verify.rows if r.indicator_id and r.kind == "ratio"), None)
    if row is None:
        pytest.skip("the first open matter has no ratio indicator")
    row.ratio.value = value
    verify.save_button.click()
    assert words in verify.message.value and row.indicator_id in verify.message.value
    assert snapshot(demo_archive) == before


def test_a_number_cannot_be_chosen_as_a_grade(verify):
    row = row_of(verify, "graded")
    with pytest.raises(TraitError):
        row.graded.value = "85"


def test_officer_not_on_the_team_and_officer_of_the_unit(demo_archive, verify):
    before = snapshot(demo_archive)
    verify.officer_pick.options = ["王建华", "路人甲"]
    verify.officer_pick.value = "路人甲"
    row_of(verify, "graded").graded.value = "未落实"
    verify.save_button.click()
    assert "is not on this round" in verify.message.value
    unit = verify.matters.at[verify.matter.value, "unit_id"]
    team = steps.team(demo_archive, RID)
    steps.set_team(demo_archive, RID, pd.concat([team, pd.DataFrame([{"officer": "路人甲", "unit_id": unit}])]))
    before = snapshot(demo_archive)
    verify.save_button.click()
    assert "may not verify this matter" in verify.message.value
    verify.ev_upload.value = (upload("scan.pdf", b"%PDF-1.4 scan"),)
    verify.ev_button.click()
    assert "may not verify this matter" in verify.message.value
    assert snapshot(demo_archive) == before


def test_empty_evidence_file_and_negative_work_log(demo_archive, verify):
    before = snapshot(demo_archive)
    verify.ev_upload.value = (upload("empty.jpg", b""),)
    verify.ev_button.click()
    assert "the file is empty" in verify.message.value
    assert snapshot(demo_archive) == before
    verify.work_log["documents"].value = -5  # the control clamps: a count is never negative
    assert verify.work_log["documents"].value == 0


def test_survey_file_of_another_unit_in_the_form(demo_archive, catalogue, tmp_path):
    form = SurveyForm(demo_archive, RID, lang="en", catalogue=catalogue, out_dir=tmp_path)
    first, second = [u for _, u in form.unit.options][:2]
    form.unit.value = first
    form.export_button.click()
    form.unit.value = second
    before = snapshot(demo_archive)
    form.path.value = str(tmp_path / f"{first}.xlsx")
    form.import_button.click()
    assert f"the file belongs to unit {first}, not {second}" in form.message.value
    form.path.value = str(tmp_path / "missing.xlsx")
    form.import_button.click()
    assert "file not found" in form.message.value
    form.path.value = ""
    form.import_button.click()
    assert "upload a file or give a path first" in form.message.value
    assert snapshot(demo_archive) == before


def test_round_setup_refuses_a_window_backwards_and_a_step_out_of_order(demo_archive, catalogue):
    form = RoundSetupForm(demo_archive, "2022-370781", lang="zh", officer="王建华", catalogue=catalogue)
    before = snapshot(demo_archive)
    form.window_start.value, form.window_end.value = date(2021, 9, 30), date(2020, 10, 1)
    form.create_button.click()
    assert "窗口起始晚于结束" in form.message.value
    assert snapshot(demo_archive) == before
    open_round = RoundSetupForm(demo_archive, RID, lang="en", catalogue=catalogue)
    assert "16 matters in scope · 0 without a complete self-assessment" in open_round.info.value
    open_round.step.value = "assess"
    open_round.close_button.click()
    assert "cannot close “Comprehensive assessment”: close “Deployment” first" in open_round.message.value
    assert "not completely verified" in open_round.message.value
    assert snapshot(demo_archive) == before


def test_nobody_is_picked_as_officer_by_default(demo_archive, catalogue):
    form = VerificationForm(demo_archive, RID, lang="en", catalogue=catalogue)
    assert form.officer_pick.value is None
    before = snapshot(demo_archive)
    row_of(form, "graded").graded.value = "未落实"
    form.save_button.click()
    assert "enter the verifying officer's name" in form.message.value.replace("&#x27;", "'")
    assert snapshot(demo_archive) == before


def fill_all(form) -> None:
    for r in form.rows:
        if r.indicator_id:
            r.na.value = False
            r.control.value = {"graded": form.catalogue.vocab.grade_words[0], "yes_no": "是", "ratio": "1"}[r.kind]


@pytest.mark.parametrize("lang, over, unreadable, empty", [
    ("zh", "超过上限,按违规计 0 分", "应为数字", "未填写"),
    ("en", "over the limit: counted as a breach, 0 points", "must be a number", "still empty")])
def test_a_ratio_over_its_limit_says_it_scores_zero_and_a_bad_value_is_named(demo_archive, catalogue, lang,
                                                                              over, unreadable, empty):
    form = VerificationForm(demo_archive, RID, lang=lang, officer="王建华", catalogue=catalogue)
    est = [m for m in form.matters.index if "EST-05" in set(catalogue.indicators_of(
        form.matters.at[m, "category"])["indicator_id"])]
    form.matter.options = [(m, m) for m in est[:1]]
    form.matter.value = est[0]
    fill_all(form)
    row = next(r for r in form.rows if r.indicator_id == "EST-05")
    assert row.flag.value == "" and over not in form.live.value
    row.ratio.value = "1.2"
    assert over in row.flag.value  # beside the value
    assert over in form.live.value and "EST-05" in form.live.value and "1.2" in form.live.value
    row.ratio.value = "0.9"
    assert row.flag.value == "" and over not in form.live.value
    row.ratio.value = "1,2"  # unreadable: the live line names it, not "1 indicator still empty"
    assert unreadable in form.live.value and "EST-05" in form.live.value and "1,2" in form.live.value
    assert empty not in form.live.value
    row.ratio.value = ""
    assert empty in form.live.value


@pytest.mark.parametrize("lang, words", [("zh", ["已封存", "修正原因"]), ("en", ["is sealed", "reason for the amendment"])])
def test_verification_of_a_sealed_round_without_a_reason_is_refused_in_the_forms_language(demo_archive, catalogue,
                                                                                          lang, words):
    """A sealed round is corrected only as an amendment: the form asks for the reason (修正原因),
    see test_form_amendment.py for the save with one."""
    sealed = "2020-370781"  # feedback issued and sealed in the demo
    team = steps.team(demo_archive, sealed)
    form = VerificationForm(demo_archive, sealed, lang=lang, officer=team["officer"].iloc[0], catalogue=catalogue)
    before = snapshot(demo_archive)
    row = row_of(form, "graded")
    row.graded.value = "未落实" if row.graded.value != "未落实" else "完全落实"
    form.save_button.click()
    assert all(w in form.message.value for w in words), form.message.value
    assert snapshot(demo_archive) == before

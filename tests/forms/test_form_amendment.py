"""A sealed round corrected from the forms, without code: the verification form's save and the
assessment's 修正评分 go through the amendment path (entries, new version and amendment row in one
transaction) with a required reason; the officer is the form's; the seal still checks."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.access_support import ROUNDS, build_shared, drop_roles
from tests.followup_support import build_round, full_value, snapshot
from workbench.archive import Archive
from workbench.followup import sealing as S
from workbench.forms.assessment import AssessmentView
from workbench.forms.verify import VerificationForm
from workbench.rounds import steps
from workbench.rounds.lifecycle import score_archived_round

WHY = "现场复核补充了挂牌材料"
SAID = {"zh": ("修正原因", "已作为修正登记", "第 {v} 版"),
        "en": ("reason for the amendment", "recorded as an amendment", "version {v}")}


@pytest.fixture
def sealed(archive, catalogue):
    rid = build_round(archive, catalogue)
    steps.set_team(archive, rid, pd.DataFrame({"officer": ["王建华"]}))
    S.seal_round(archive, rid, "王建华", date(2018, 5, 20))
    return archive, rid


def amended_as_said(archive, rid, runs_before, message, lang):
    """One amendment, by the form's officer, for the reason typed; a new verified run; seal intact."""
    amendments = S.amendments_of(archive, rid)
    assert len(amendments) == 1
    a = amendments.iloc[0]
    assert a["by"] == "王建华" and a["why"] == WHY
    verified = archive.scoring_runs(rid).query("source == 'verified'")
    assert len(verified) == runs_before + 1 and int(a["new_run_id"]) == int(verified["run_id"].max())
    assert S.check_seal(archive, rid).ok, S.check_seal(archive, rid).problems
    version = archive.run_version(int(a["new_run_id"]))
    for words in (SAID[lang][1], SAID[lang][2].format(v=version), "王建华", WHY):
        assert words in message, message


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_verification_of_a_sealed_round_saves_as_an_amendment(sealed, catalogue, lang):
    archive, rid = sealed
    form = VerificationForm(archive, rid, lang=lang, officer="王建华", catalogue=catalogue, matter_id="M2")
    assert form.reason.layout.display != "none"
    row = next(r for r in form.rows if r.indicator_id == "EST-01")
    row.graded.value = "完全落实"  # was 未落实 when sealed
    runs = len(archive.scoring_runs(rid).query("source == 'verified'"))
    before = snapshot(archive)
    form.reason.value = "   "
    form.save_button.click()
    assert form.last_error and SAID[lang][0] in form.last_error.lower(), form.message.value
    assert snapshot(archive) == before
    form.reason.value = WHY
    form.save_button.click()
    assert form.last_error is None, form.message.value
    assert archive.current_entries(rid, "verified").set_index(["matter_id", "indicator_id"]).at[
        ("M2", "EST-01"), "result"] == "完全落实"
    amended_as_said(archive, rid, runs, form.message.value, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_assessment_of_a_sealed_round_rescores_as_an_amendment(sealed, catalogue, lang):
    archive, rid = sealed
    view = AssessmentView(archive, rid, lang=lang, officer="王建华", catalogue=catalogue)
    assert view.reason.layout.display != "none" and view.amend_button.layout.display != "none"
    assert view.score_button.layout.display == "none"  # 评分并存档 would only be refused
    runs = len(archive.scoring_runs(rid).query("source == 'verified'"))
    before = snapshot(archive)
    view.amend_button.click()
    assert view.last_error and SAID[lang][0] in view.last_error.lower(), view.message.value
    assert snapshot(archive) == before
    view.reason.value = WHY
    view.amend_button.click()
    assert view.last_error is None, view.message.value
    amended_as_said(archive, rid, runs, view.message.value, lang)


def test_an_unsealed_round_offers_no_amendment(archive, catalogue):
    rid = build_round(archive, catalogue)
    steps.set_team(archive, rid, pd.DataFrame({"officer": ["王建华"]}))
    view = AssessmentView(archive, rid, lang="en", officer="王建华", catalogue=catalogue)
    form = VerificationForm(archive, rid, lang="en", officer="王建华", catalogue=catalogue, matter_id="M2")
    assert view.reason.layout.display == "none" and view.amend_button.layout.display == "none"
    assert view.score_button.layout.display != "none"
    assert form.reason.layout.display == "none"


@pytest.mark.pg
def test_signed_in_the_amendment_is_the_logins(pg_url, catalogue):
    """On a shared archive the database stamps who amended: the signed-in officer, whatever the
    form was opened with, and the message says so."""
    owner, urls = build_shared(pg_url)
    rid = ROUNDS["city"]
    opened = []
    try:
        kinds = catalogue.indicators_of("abolish").reset_index(drop=True)
        owner.add_entries(pd.DataFrame({"round_id": rid, "matter_id": "MC", "indicator_id": kinds["indicator_id"],
                                        "source": "verified", "result": kinds["kind"].map(full_value)}),
                          entered_by="owner")
        score_archived_round(owner, rid, catalogue, computed_by="owner")
        S.seal_round(owner, rid, "owner", date(2024, 7, 1))
        login = sa.engine.make_url(urls["city"]).username
        a = Archive(urls["city"])
        opened.append(a)
        form = VerificationForm(a, rid, lang="zh", officer="王建华", catalogue=catalogue, matter_id="MC")
        row = next(r for r in form.rows if r.indicator_id and r.kind == "graded")
        row.graded.value = "部分落实"
        form.reason.value = WHY
        form.save_button.click()
        assert form.last_error is None, form.message.value
        view = AssessmentView(a, rid, lang="en", officer="王建华", catalogue=catalogue)
        view.reason.value = WHY
        view.amend_button.click()
        assert view.last_error is None, view.message.value
        amendments = S.amendments_of(owner, rid)
        assert list(amendments["by"]) == [login, login] and set(amendments["why"]) == {WHY}
        assert login in form.message.value and login in view.message.value and "王建华" not in view.message.value
        assert S.check_seal(owner, rid).ok
    finally:
        for x in opened:
            x.dispose()
        owner.dispose()
        drop_roles(pg_url)

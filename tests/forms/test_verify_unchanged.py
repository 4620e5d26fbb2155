"""Saving the verification form with nothing changed saves nothing and says so, on SQLite and
PostgreSQL: no new entries, no new version of the matter (so no conflict for anyone who opened
it), and a real change after it is one version on."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.access_support import MATTERS, UNITS
from workbench.core import RoundSpec
from workbench.forms.verify import VerificationForm
from workbench.rounds import steps

RID = "2024-city"


@pytest.fixture
def round_open(archive):
    archive.import_units(UNITS)
    archive.import_matters(MATTERS.assign(unit_id="C1"))
    archive.create_round(RoundSpec(2024, "city", date(2023, 1, 1), date(2023, 12, 31), date(2024, 6, 1)))
    archive.save_selection(RID, pd.DataFrame({"matter_id": ["MC"], "included": [True], "late": [False],
                                              "reason": [""]}))
    steps.set_team(archive, RID, pd.DataFrame({"officer": ["王建华"]}))
    return archive


@pytest.mark.parametrize("lang, said", [("zh", "没有改动,未保存"), ("en", "nothing changed, nothing saved")])
def test_saving_what_is_saved_saves_nothing(round_open, lang, said):
    archive = round_open
    form = VerificationForm(archive, RID, lang=lang, officer="王建华")
    row = next(r for r in form.rows if r.indicator_id and r.kind == "graded")
    row.graded.value = "完全落实"
    form.save_button.click()
    assert form.last_error is None, form.message.value
    saved, version = len(archive.entry_history(RID)), archive.entry_version(RID, "MC")
    assert version == 1
    form.save_button.click()  # again, nothing touched
    assert form.last_error is None and said in form.message.value
    assert len(archive.entry_history(RID)) == saved and archive.entry_version(RID, "MC") == version
    # Opened afresh (as another officer would), the same values again: still nothing.
    again = VerificationForm(archive, RID, lang=lang, officer="王建华")
    again.save_button.click()
    assert said in again.message.value and archive.entry_version(RID, "MC") == version
    row = next(r for r in again.rows if r.indicator_id == row.indicator_id)
    row.graded.value = "部分落实"
    again.save_button.click()
    assert again.last_error is None and said not in again.message.value
    assert archive.entry_version(RID, "MC") == version + 1
    assert len(archive.entry_history(RID)) == saved + 1

"""The forms on a 5,000-matter round: widgets only for what is on screen, and quick to use."""

from __future__ import annotations

import time
from datetime import date, timedelta

import ipywidgets as W
import numpy as np
import pandas as pd
import pytest

from workbench.archive.schema import matters, units
from workbench.archive.store import Archive
from workbench.core.catalogue import CATEGORIES
from workbench.forms.scope import PAGE_SIZE, SelectionForm
from workbench.forms.verify import MAX_OPTIONS, VerificationForm
from workbench.rounds.lifecycle import create_round, select_round

N = 5000


@pytest.fixture(scope="module")
def big(demo_db, tmp_path_factory):
    """Demo units, 5,000 city matters published in the 2021 window, all in one round."""
    demo = Archive(str(demo_db), read_only=True)
    a = Archive(str(tmp_path_factory.mktemp("big") / "big.db"))
    city = demo.units()
    rng = np.random.default_rng(5000)
    start = date(2019, 10, 1)
    m = pd.DataFrame({
        "matter_id": [f"S-{i:05d}" for i in range(N)],
        "unit_id": rng.choice(city.loc[city["level"] == "city", "unit_id"], N),
        "category": [CATEGORIES[i % 4] for i in range(N)],
        "approved_on": [start + timedelta(days=int(d)) for d in rng.integers(0, 360, N)],
        "doc_no": "潍编〔2020〕1号", "summary": "综合测试事项",
    })
    a.write_many([(units, city), (matters, m)])
    create_round(a, 2021, "city", team="王建华、李晓梅")
    assert select_round(a, "2021-city")["matters"] == N
    return a


def widget_count() -> int:
    """Live widget models (layouts and styles included)."""
    return len(W.widgets.widget._instances)


def created_by(build) -> tuple[object, int]:
    before = widget_count()
    form = build()
    return form, widget_count() - before


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_selection_form_pages_a_5000_matter_round(big, demo_archive, catalogue):
    _, small = created_by(lambda: SelectionForm(demo_archive, "2021-city", catalogue=catalogue))
    t0 = time.perf_counter()
    form, created = created_by(lambda: SelectionForm(big, "2021-city", catalogue=catalogue))
    opened = time.perf_counter() - t0
    assert created == small, (created, small)  # a page of rows for 16 matters or for 5,000
    before = widget_count() - created
    assert len(form.rows) == PAGE_SIZE and len(form.visible()) == N
    assert "5000 个问效事项" in form.summary.value
    turned = timed(lambda: form.next_button.click())
    assert form.rows[0].matter_id == f"S-{PAGE_SIZE:05d}"
    filtered = timed(lambda: setattr(form.category, "value", "merge"))
    category = form.scope.set_index("matter_id")["category"]
    assert len(form.visible()) == N // 4 and {category[r.matter_id] for r in form.rows} == {"merge"}
    toggled = timed(lambda: setattr(form.rows[0].include, "value", False))
    assert widget_count() - before == created  # paging and filtering re-use the same widgets
    print(f"\n5,000 matters — open {opened:.2f}s, page {turned:.3f}s, filter {filtered:.3f}s, toggle {toggled:.3f}s")
    assert opened < 10 and max(turned, filtered, toggled) < 2


def test_verification_form_lists_a_search_not_the_archive(big, demo_archive, catalogue):
    _, small = created_by(lambda: VerificationForm(demo_archive, "2021-city", catalogue=catalogue))
    t0 = time.perf_counter()
    form, created = created_by(lambda: VerificationForm(big, "2021-city", officer="王建华", catalogue=catalogue))
    opened = time.perf_counter() - t0
    assert created == small, (created, small)
    assert len(form.matter.options) == MAX_OPTIONS and f"{N}" in form.matches.value
    searched = timed(lambda: setattr(form.search, "value", "S-0421"))
    assert [v for _, v in form.matter.options] == [f"S-0421{i}" for i in range(10)]
    live = timed(lambda: setattr(next(r for r in form.rows if r.kind == "graded").graded, "value", "完全落实"))
    print(f"\n5,000 matters — verification open {opened:.2f}s, search {searched:.3f}s, live score {live:.3f}s")
    assert opened < 10 and searched < 3 and live < 1

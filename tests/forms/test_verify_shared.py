"""The verification form on a shared PostgreSQL archive, opened with each officer's own
credentials: no officer drop-down (the login is who saves), the database's refusals shown in the
user's language, and two officers on one matter told of each other instead of overwriting."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.access_support import ROUNDS, build_shared, drop_roles
from workbench.archive import AccessDenied, Archive
from workbench.errors import NotFoundError
from workbench.forms.verify import VerificationForm, verification

pytestmark = pytest.mark.pg


@pytest.fixture
def shared(pg_url):
    owner, urls = build_shared(pg_url)
    opened = []

    def form(who, round_id, lang="en"):
        a = Archive(urls[who])
        opened.append(a)
        return VerificationForm(a, round_id, lang=lang, officer="王建华")

    yield owner, urls, form
    for a in opened:
        a.dispose()
    owner.dispose()
    drop_roles(pg_url)


def fill(form, value):
    row = next(r for r in form.rows if r.indicator_id and r.kind == "graded")
    row.graded.value = value
    return row.indicator_id


def test_signed_in_the_officer_is_the_login(shared):
    owner, urls, form = shared
    f = form("hanting", ROUNDS["370703"])
    login = sa.engine.make_url(urls["hanting"]).username
    assert f.officer_pick.layout.display == "none" and f.signed_in == login
    fill(f, "完全落实")
    f.save_button.click()
    assert f.last_error is None, f.message.value
    assert login in f.message.value and "王建华" not in f.message.value
    assert set(owner.entry_history(ROUNDS["370703"])["entered_by"]) == {login}


def test_the_databases_refusals_are_shown_in_the_users_language(shared):
    owner, _, form = shared
    f = form("city_c1", ROUNDS["city"], lang="zh")
    fill(f, "完全落实")
    f.save_button.click()
    assert "应当回避" in f.message.value
    f = form("leader", ROUNDS["city"], lang="zh")  # leaders read, never write
    fill(f, "完全落实")
    f.save_button.click()
    assert "数据库拒绝此操作" in f.message.value
    with pytest.raises(AccessDenied, match="2024-city"):  # another area's round: not theirs to open
        form("qingzhou", ROUNDS["city"])
    assert owner.entry_history().empty


def test_two_officers_on_one_matter(shared):
    owner, _, form = shared
    first, second = form("city", ROUNDS["city"]), form("city2", ROUNDS["city"], lang="zh")
    iid = fill(first, "完全落实")
    fill(second, "部分落实")
    first.save_button.click()
    second.save_button.click()
    msg = second.message.value
    assert "已被" in msg and "部分落实" in msg and "完全落实" in msg  # told, in Chinese, with both values
    assert owner.current_entries(ROUNDS["city"]).set_index("indicator_id").at[iid, "result"] == "完全落实"
    second.save_button.click()  # having seen it, saving again replaces it knowingly
    assert second.last_error is None
    assert owner.current_entries(ROUNDS["city"]).set_index("indicator_id").at[iid, "result"] == "部分落实"


def test_the_notebook_says_whose_round_it_is(shared):
    """A notebook opening another county's round shows why in the page (Voilà hides a cell's
    error behind a generic message)."""
    _, urls, _ = shared
    shown = verification(urls["qingzhou"], ROUNDS["370703"], "en")
    login = sa.engine.make_url(urls["qingzhou"]).username
    assert f"round 2024-370703 belongs to Hanting; your account ({login}, Qingzhou)" in shown.value
    assert "wt-err" in shown.value
    # A round of their own area that does not exist is not someone else's: it does not exist.
    with pytest.raises(NotFoundError):
        verification(urls["qingzhou"], "2030-370781", "en")

"""The officers' app on a shared PostgreSQL archive, opened with each person's own credentials:
the area picker offers the areas the database lets them read, and another area's round is
refused with whose it is and who is asking, in the user's language — not an empty page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.access_support import ROUNDS, build_shared, drop_roles
from workbench.app import OfficerApp
from workbench.archive import Archive

pytestmark = pytest.mark.pg


@pytest.fixture
def shared(pg_url):
    owner, urls = build_shared(pg_url)
    opened = []

    def app(who, round_id=None, lang="zh"):
        a = Archive(urls[who])
        opened.append(a)
        return OfficerApp(a, lang, round_id=round_id)

    yield owner, urls, app
    for a in opened:
        a.dispose()
    owner.dispose()
    drop_roles(pg_url)


def login(urls, who):
    return sa.engine.make_url(urls[who]).username


@pytest.mark.parametrize("lang, words", [
    ("zh", "轮次 2024-370703 属于寒亭区;您的账号({login},青州市)无权查看"),
    ("en", "round 2024-370703 belongs to Hanting; your account ({login}, Qingzhou) may not open it"),
])
def test_a_county_officer_is_told_another_countys_round_is_not_theirs(shared, lang, words):
    _, urls, app = shared
    a = app("qingzhou", ROUNDS["370703"], lang)
    assert [code for _, code in a.area.options] == ["370781"]  # only their own area to pick
    assert words.format(login=login(urls, "qingzhou")) in a.round_line.value
    assert a.form is None and a.body.children == ()  # nothing of the other round, no set-up form to create it
    # Opening it again from Python (as the page's code would) is refused the same way…
    a.open_round(round_id=ROUNDS["city"])
    assert "2024-city" in a.round_line.value and a.form is None
    # …and their own round opens.
    a.open_round(round_id=ROUNDS["370781"])
    assert a.round_id == ROUNDS["370781"] and a.form is not None and a.exists()


@pytest.mark.parametrize("who", ["city", "leader", "admin"])
def test_the_city_and_leaders_pick_every_area(shared, who):
    owner, _, app = shared
    a = app(who, ROUNDS["370703"])
    assert [code for _, code in a.area.options] == list(owner.organisation().areas)
    assert a.round_id == ROUNDS["370703"] and a.exists() and a.form is not None

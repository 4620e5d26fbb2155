"""Nothing cut off in the officers' app: ``workbench app`` on a copy of the demo archive, headless
Chromium on a closed network at 1366×768, in Chinese and then in English. Every step of the
navigation and every tab inside a step is visited for a sealed city round, a filed county round
and the city round in progress, and the round picker is shown with every area's name;
``assert_nothing_clipped`` names each button, drop-down, label or chart label whose words do not
fit its box.

One server and one page for the module (the app keeps the round and the page across a language
switch, as an officer would see it); every cut found on the way is reported together.
"""

from __future__ import annotations

import re
import shutil

import pytest
from browser_support import assert_nothing_clipped, clipped, offline_page, running_app

from workbench.app import PAGES
from workbench.archive import Archive
from workbench.labels import t
from workbench.organisation import area_name

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: a sealed city round, a county round completed and filed, the city round still open
ROUNDS = ("2020-city", "2020-370781", "2021-city")
#: the switch's words, and how a year reads in the year drop-down
SWITCH = {"zh": "中文", "en": "English"}
#: a step's widgets are drawn a moment after the kernel sends them; a tab's are drawn already, and
#: a pick in a drop-down is the browser's alone
SETTLE_MS = {"step": 800, "tab": 300, "pick": 100}


@pytest.fixture(scope="module")
def app_url(demo_db, tmp_path_factory):
    """``workbench app`` on a private copy of the demo archive (with its counties' keys)."""
    folder = tmp_path_factory.mktemp("app-clip")
    path = folder / "demo.db"
    path.write_bytes(demo_db.read_bytes())
    shutil.copytree(demo_db.parent / "keys", folder / "keys")
    with running_app(path, folder) as url:
        yield url


@pytest.fixture(scope="module")
def app_page(app_url):
    """One page on the app for the module; no request may leave the machine."""
    with offline_page(1366, 768) as (page, log):
        page.goto(app_url, timeout=120_000)
        page.locator(".wb-nav-deploy").wait_for(timeout=120_000)
        yield page
        assert log.blocked == [], log.blocked
        assert log.page_errors == [], log.page_errors


def check(page, where: str, found: list[str], after: str = "step") -> None:
    """``assert_nothing_clipped`` once the page has settled; a cut is kept to report with the rest."""
    page.wait_for_timeout(SETTLE_MS[after])
    try:
        assert_nothing_clipped(page, where)
    except AssertionError as exc:
        found.append(str(exc))


def switch_language(page, lang: str) -> None:
    page.locator(".wb-lang button", has_text=SWITCH[lang]).click()
    page.locator(".wb-nav-deploy", has_text=t("app_page_deploy", lang)).wait_for(timeout=60_000)


def open_round(page, round_id: str, lang: str, area: str) -> None:
    """Pick the round's year and area by their words and open it."""
    year = round_id.split("-")[0]
    page.locator(".wb-year select").select_option(label=t("app_year_item", lang, year=int(year)))
    page.locator(".wb-area select").select_option(label=area)
    page.get_by_role("button", name=t("app_open_round", lang), exact=True).click()
    page.locator("p", has_text=t("app_round_line", lang, area=area, year=year, status="").rstrip(" ·:")).first.wait_for(
        timeout=60_000)


def visit(page, key: str, lang: str) -> None:
    """Open a step from the navigation and wait for its heading (exact: "Assessment" is in "Survey ·
    self-assessment")."""
    page.locator(f".wb-nav-{key}").click()
    page.get_by_role("heading", name=t("app_page_" + key, lang), exact=True).wait_for(timeout=120_000)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nothing_in_the_app_is_cut_off(app_page, demo_db, lang):
    page, found = app_page, []
    switch_language(page, lang)
    archive = Archive(str(demo_db), read_only=True)
    org = archive.organisation()
    archive.dispose()

    # the round picker: every area's name in its drop-down
    for area in org.areas:
        page.locator(".wb-area select").select_option(label=area_name(org, area, lang))
        check(page, f"round picker, {area_name(org, area, lang)} ({lang})", found, "pick")

    for round_id in ROUNDS:
        area = area_name(org, round_id.split("-", 1)[1], lang)
        open_round(page, round_id, lang, area)
        for key in PAGES:
            visit(page, key, lang)
            where = f"{round_id} {t('app_page_' + key, lang)} ({lang})"
            check(page, where, found)
            tabs = page.locator(".wb-app [role=tab]:visible")
            for i in range(tabs.count()):
                tab = tabs.nth(i)
                name = tab.inner_text().strip()
                tab.click()
                page.locator(".wb-app [role=tab][aria-selected=true]:visible",
                             has_text=re.compile("^" + re.escape(name) + "$")).wait_for()
                check(page, f"{where}, {name}", found, "tab")
    assert not found, "\n\n".join(found)


def test_a_tab_title_cut_at_its_width_is_found(app_page):
    """The check reads tabs' titles too: Lumino cuts a long one at the tab's width, without an
    ellipsis to show it. (A second page of the module's browser: Playwright runs one at a time.)"""
    page = app_page.context.new_page()
    try:
        page.set_content('<ul><li role="tab" class="lm-TabBar-tab" style="width:60px;display:flex">'
                         '<div class="lm-TabBar-tabLabel" style="overflow:hidden;white-space:nowrap">'
                         "Against last year</div></li></ul>")
        assert [c for c in clipped(page) if "Against last year" in c], clipped(page)
    finally:
        page.close()

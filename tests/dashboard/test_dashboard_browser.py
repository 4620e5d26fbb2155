"""The leaders' dashboard as a leader sees it: ``workbench serve`` on a copy of the demo archive,
opened in headless Chromium on a closed network (tests/browser_support.py).

One server and one page for the module: the page is opened once, then the year is changed and the
language switched, as a person would. A screenshot per language goes to reports/screenshots/.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from browser_support import assert_nothing_clipped, clipped, free_port, offline_page, stop_group

from workbench.archive.store import Archive
from workbench.dashboard import data as dd
from workbench.dashboard.fetch import fetch

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "reports" / "screenshots"
TOKEN = "wb-test-" + uuid.uuid4().hex[:8]
#: the third chart drawn; a selector, not a JS predicate: the dashboard's CSP forbids eval
CHARTS = ".wb-chart svg >> nth=2"
#: what must never reach a leader's page
FORBIDDEN = ("Traceback", "show_dashboard", "import os", "WORKBENCH_DB", "dashboard_view", "Error")



def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    """``workbench serve`` on a private copy of the demo archive, with a token, on a free port."""
    path = tmp_path_factory.mktemp("serve") / "demo.db"
    path.write_bytes(demo_db.read_bytes())
    port = free_port()
    log = open(path.parent / "serve.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "serve", "--db", str(path), "--port", str(port),
         "--token", TOKEN],
        cwd=path.parent, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "WORKBENCH_LANG": "zh"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/voila/static/voila.js", timeout=5).close()
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.time() > deadline:
                log.close()
                pytest.fail("workbench serve did not start:\n" + (path.parent / "serve.log").read_text())
            time.sleep(0.3)
    yield {"base": base, "url": f"{base}/?token={TOKEN}", "db": path, "digest": sha256(path), "port": port,
           "log": path.parent / "serve.log"}
    stop_group(proc)
    log.close()


@pytest.fixture(scope="module")
def expected(demo_db, catalogue):
    data = fetch(Archive(str(demo_db), read_only=True))
    return {y: dd.headline(data.results, catalogue, y, dd.ALL, data.extras) for y in (2019, 2020)}


@pytest.fixture(scope="module")
def page(server):
    with offline_page(1366, 768) as (page, log):
        page.goto(server["url"])
        page.wait_for_selector(CHARTS, timeout=90_000)
        wait_for_scope(page, "2020|all|zh")
        yield page, log


def wait_for_scope(page, scope: str) -> None:
    """Until the page shows ``year|area|lang`` everywhere (the status line is set last)."""
    page.wait_for_selector(f'.wb-status[data-scope="{scope}"]', timeout=30_000)
    page.wait_for_timeout(200)


def card(page, key: str) -> str:
    return page.inner_text(f'.wb-card[data-key="{key}"] .wb-num').strip()


def screenshot(page, name: str) -> Path:
    """The whole dashboard (Voilà scrolls inside the page, so grow the viewport to fit it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.querySelector('.wb-dash').scrollHeight")
    page.set_viewport_size({"width": 1366, "height": int(height) + 40})
    page.wait_for_timeout(300)
    out = SHOTS / name
    page.screenshot(path=str(out))
    page.set_viewport_size({"width": 1366, "height": 768})
    return out


def assert_clean(page, log) -> None:
    assert log.blocked == [], f"requests left 127.0.0.1: {log.blocked}"
    assert log.console_errors == [], log.console_errors
    assert log.page_errors == [], log.page_errors
    text = page.inner_text("body")
    source = page.content()
    for word in FORBIDDEN:
        assert word not in text, f"{word!r} visible on the page"
    assert "show_dashboard" not in source and "import os" not in source, "notebook source in the page"


def test_security_headers_and_no_csp_violation(server, page):
    """The page forbids framing, remote script and eval, sends no referrer, is not sniffed — and
    still renders: nothing in the console (a CSP violation is a console error in Chromium)."""
    page, log = page
    with urllib.request.urlopen(server["url"], timeout=60) as r:
        headers = r.headers
    csp = {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split("; ")}
    assert csp["default-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]  # measured: Voilà's inline boot scripts; no eval
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert page.locator(".wb-chart svg").count() >= 4
    assert not [m for m in log.console_errors if "Content Security Policy" in m]
    assert_clean(page, log)



def test_headline_numbers_and_charts_are_drawn(page, expected):
    page, log = page
    h = expected[2020]
    assert card(page, "matters") == str(h["matters"])
    assert card(page, "total") == "564"
    assert "市级 86 · 县级 478" in page.inner_text('.wb-card[data-key="total"]')
    assert card(page, "avg_pct") == f"{h['avg_pct']:.1f}%"
    assert card(page, "units_under") == str(h["units_under"])
    assert card(page, "open_rectifications") == str(h["open_rectifications"])
    drawn = page.evaluate("""() => [...document.querySelectorAll('.wb-chart')].map(c => ({
        name: c.dataset.chart,
        marks: [...c.querySelectorAll('svg .mark-rect path')].filter(p => {
            const b = p.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length }))""")
    assert len([c for c in drawn if c["marks"] > 0]) >= 3, drawn
    assert page.locator(".wb-chart svg text", has_text="完成情况百分比").count() >= 1
    assert page.evaluate("document.querySelector('.wb-dash').scrollWidth") <= 1366, "fits 1366 wide"
    assert_clean(page, log)
    screenshot(page, "dashboard-zh.png")


def test_nothing_clipped_in_chinese(page):
    page, _ = page
    assert_nothing_clipped(page, "dashboard (zh)")


def test_clicking_a_county_bar_shows_its_units(page):
    page, log = page
    before = page.inner_text('.wb-section[data-section="units"]')
    page.locator(".wb-county", has_text="青州市").click()
    wait_for_scope(page, "2020|370781|zh")
    assert page.locator(".widget-dropdown select").nth(1).input_value() == "370781" or \
        "青州市" in page.locator(".widget-dropdown select").nth(1).evaluate("s => s.options[s.selectedIndex].text")
    units = page.inner_text('.wb-section[data-section="units"]')
    assert units != before and "青州" in units, "the units chart shows the county's units"
    assert page.locator(".wb-county", has_text="青州市 ◀").count() == 1
    page.locator(".wb-county", has_text="青州市").click()  # again: back to the whole city
    wait_for_scope(page, "2020|all|zh")
    assert_clean(page, log)


def test_red_flags_turn_pages(page):
    page, log = page
    page.locator(".widget-dropdown select").first.select_option(label="2019年")
    wait_for_scope(page, "2019|all|zh")
    first = page.inner_text(".wb-flags tbody")
    assert page.locator(".wb-flags tbody tr").count() == 12
    page.get_by_role("button", name="下一页").click()
    # selectors, not JS predicates: the dashboard's CSP forbids eval
    page.locator(".wb-dash", has_text="第 2/").first.wait_for(timeout=10_000)
    assert page.inner_text(".wb-flags tbody") != first
    page.get_by_role("button", name="上一页").click()
    page.locator(".widget-dropdown select").first.select_option(label="2020年")
    wait_for_scope(page, "2020|all|zh")
    assert_clean(page, log)


def test_year_drop_down_changes_the_numbers(page, expected):
    page, log = page
    assert page.locator(".widget-dropdown select").first.input_value() is not None
    page.locator(".widget-dropdown select").first.select_option(label="2019年")
    wait_for_scope(page, "2019|all|zh")
    assert card(page, "matters") == str(expected[2019]["matters"]) != str(expected[2020]["matters"])
    assert card(page, "avg_pct") == f"{expected[2019]['avg_pct']:.1f}%"
    assert_clean(page, log)


def test_english_switch(page, expected):
    page, log = page
    page.get_by_role("button", name="English").click()
    wait_for_scope(page, "2019|all|en")
    assert "Matters evaluated" in page.inner_text(".wb-cards")
    assert "Units ranked" in page.inner_text(".wb-dash")
    assert card(page, "matters") == str(expected[2019]["matters"]), "the year stays chosen"
    assert "city 86 · county 478" in page.inner_text('.wb-card[data-key="total"]')
    page.locator(".widget-dropdown select").first.select_option(label="2020")
    wait_for_scope(page, "2020|all|en")
    assert card(page, "matters") == str(expected[2020]["matters"])
    assert page.locator(".wb-chart svg text", has_text="excellent").count() >= 1
    assert_clean(page, log)
    assert_nothing_clipped(page, "dashboard (en)")
    page.locator(".widget-dropdown select").nth(1).select_option(index=1)
    page.wait_for_timeout(300)
    assert clipped(page) == [], "a long area name fits its drop-down"
    page.locator(".widget-dropdown select").nth(1).select_option(index=0)
    wait_for_scope(page, "2020|all|en")
    screenshot(page, "dashboard-en.png")


def test_the_page_needs_the_token(server):
    """Without the token Voilà sends the visitor to its login form and starts no kernel."""
    with urllib.request.urlopen(server["base"] + "/", timeout=30) as r:
        body, where = r.read().decode("utf-8"), r.geturl()
    assert "/login" in where and "kernelId" not in body and "wb-dash" not in body


def test_browser_cannot_execute_code(server, tmp_path):
    """An execute_request sent over the kernel websocket is dropped; widget traffic still flows."""
    import websocket

    with urllib.request.urlopen(server["url"], timeout=120) as r:
        page = r.read().decode("utf-8")
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    marker = tmp_path / "pwned.txt"
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server['port']}/api/kernels/{config['kernelId']}/channels?token={TOKEN}",
        origin=server["base"], timeout=30)
    session = uuid.uuid4().hex

    def send(msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({"channel": "shell", "header": {
            "msg_id": msg_id, "msg_type": msg_type, "session": session, "username": "test",
            "date": "2020-01-01T00:00:00Z", "version": "5.3"}, "parent_header": {}, "metadata": {},
            "content": content, "buffers": []}))
        return msg_id

    def replies(parent: str, seconds: float) -> list[dict]:
        got, end = [], time.time() + seconds
        while time.time() < end:
            ws.settimeout(max(0.1, end - time.time()))
            try:
                msg = json.loads(ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if msg.get("parent_header", {}).get("msg_id") == parent:
                got.append(msg)
                if msg["msg_type"].endswith("_reply"):
                    break
        return got

    try:
        info = send("kernel_info_request", {})
        assert any(m["msg_type"] == "kernel_info_reply" for m in replies(info, 30)), "channel works"
        code = f"open({str(marker)!r}, 'w').write('x')\nprint('executed')"
        run = send("execute_request", {"code": code, "silent": False, "store_history": False,
                                       "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        assert replies(run, 5) == [], "the kernel answered an execute_request from the browser"
    finally:
        ws.close()
    assert not marker.exists()
    assert 'Received message of type "execute_request", which is not allowed' in server["log"].read_text()


def test_archive_bytes_unchanged_after_use(server, page):
    db: Path = server["db"]
    assert sha256(db) == server["digest"], "the dashboard changed the archive"
    assert not [p.name for p in db.parent.iterdir() if p.name.startswith(db.name + "-")], "journal files"

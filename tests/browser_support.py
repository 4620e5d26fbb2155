"""Headless Chromium for tests, as a closed network would see it.

Debian's ``/usr/bin/chromium`` driven by Playwright (never a downloaded browser). Every request to
a host other than 127.0.0.1/localhost is aborted and recorded; console errors are recorded; tests
assert both lists are empty.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass
class PageLog:
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def free_port() -> int:
    """A port nobody listens on (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc, why, seconds: float = 60) -> None:
    """Wait until the server ``proc`` started listens on ``port``; listening is enough (a GET of a
    Voilà page would start a kernel of its own). Fails with ``why()`` (its log) if it dies or is late."""
    deadline = time.time() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"the server did not start: {why()}")
            time.sleep(0.3)


def stop_group(proc) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it started (kernels)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def running_app(db, folder, officer: str = "王建华"):
    """``workbench app`` on the archive ``db``, its log in ``folder``/app.log; yields the page's address."""
    port = free_port()
    with open(folder / "app.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbench.cli", "app", "--db", str(db), "--port", str(port), "--officer", officer],
            cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "WORKBENCH_LANG": "zh"})
        try:
            wait_listening(port, proc, lambda: (folder / "app.log").read_text(), 120)
            yield f"http://127.0.0.1:{port}/"
        finally:
            stop_group(proc)


def require_chromium() -> None:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (.ci/run installs it)")


@contextmanager
def offline_page(width: int = 1366, height: int = 768, locale: str = "zh-CN"):
    """Yield ``(page, log)``: a page whose non-local requests are blocked and recorded."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    log = PageLog()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)

        def guard(route, request):
            host = urlparse(request.url).hostname or ""
            if request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
                route.continue_()
            else:
                log.blocked.append(request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: log.page_errors.append(str(e)))
        try:
            yield page, log
        finally:
            context.close()
            browser.close()


#: what a reader could see cut: controls, their labels, tabs' titles, and every text of an SVG chart
_CLIPPED_JS = r"""() => {
  const out = [];
  const canvas = document.createElement('canvas').getContext('2d');
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const textWidth = (el, text) => { canvas.font = getComputedStyle(el).font; return canvas.measureText(text).width; };
  const name = el => (el.innerText || el.value || el.textContent || '').trim().slice(0, 60);
  const controls = 'button, label, .widget-label, .widget-inline-hbox .widget-label, .jupyter-button, '
                 + '.widget-toggle-button, .widget-checkbox span, .widget-dropdown select, select, [role=button], '
                 + '.lm-TabBar-tabLabel';  // a tab's title: cut at the tab's width, with no ellipsis
  for (const el of document.querySelectorAll(controls)) {
    if (!shown(el)) continue;
    if (el.tagName === 'SELECT') {  // the chosen option's text against the box, arrow excluded
      const opt = el.options[el.selectedIndex];
      if (!opt) continue;
      const s = getComputedStyle(el);
      const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - 16;
      if (textWidth(el, opt.text) > room + 0.5) out.push(`drop-down "${opt.text}" is wider than its box`);
      continue;
    }
    const s = getComputedStyle(el);
    const ellipsed = s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1;
    if (el.scrollWidth > el.clientWidth + 1 && (s.overflowX !== 'visible' || ellipsed))
      out.push(`${el.tagName.toLowerCase()} "${name(el)}" is cut (${el.scrollWidth} > ${el.clientWidth})`);
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (!shown(svg)) continue;
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const text = t.textContent || '';
      if (!text.trim()) continue;
      if (text.endsWith('…')) { out.push(`chart label "${text}" is truncated`); continue; }
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1))
        out.push(`chart label "${text}" overflows its chart`);
    }
  }
  return out;
}"""


def clipped(page) -> list[str]:
    """Every visible control, label or chart text on the page whose words do not fit their box."""
    return page.evaluate(_CLIPPED_JS)


def assert_nothing_clipped(page, where: str = "") -> None:
    """Fail naming each button, drop-down, label or chart axis label that is cut off or ellipsised."""
    found = clipped(page)
    assert not found, f"clipped on {where or page.url}:\n" + "\n".join(found)

"""The on-site verification form in a real browser: Voilà serves notebooks/04_verification.ipynb
on 127.0.0.1, headless Chromium (Debian's, no download) changes a grade and saves, and the
archive holds the new verified entry. Every request to another host is blocked and recorded; the
test fails if any was attempted, or if the console reports a script that did not load. A
screenshot of the form is kept under reports/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import free_port, offline_page, require_chromium, wait_listening

from workbench.archive.store import Archive

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
RID, OFFICER = "2021-city", "王建华"



def open_matter(archive: Archive, catalogue) -> tuple[str, str, str]:
    """A matter not yet fully verified, its first graded indicator, and a grade to change it to."""
    m = archive.round_matters(RID)
    cur = archive.current_entries(RID, "verified")
    done = cur.groupby("matter_id").size()
    m = m.assign(entered=m["matter_id"].map(done).fillna(0))
    need = m["category"].map(catalogue.indicators.groupby("category").size())
    row = m[m["entered"] < need].iloc[0]
    ind = catalogue.indicators_of(row["category"])
    graded = ind[ind["kind"] == "graded"].index[0]
    now = cur.set_index(["matter_id", "indicator_id"])["result"].get((row["matter_id"], graded))
    return row["matter_id"], graded, "基本落实" if now == "部分落实" else "部分落实"


@pytest.fixture
def voila(demo_archive, catalogue):
    """Voilà on a free port serving the verification notebook for one open matter."""
    require_chromium()
    from workbench.dashboard.serve import CONFIG_DIR  # the CDN-free template of the dashboard issue

    matter, indicator, grade = open_matter(demo_archive, catalogue)
    port = free_port()
    env = {**os.environ, "WORKBENCH_DB": demo_archive.url, "WORKBENCH_LANG": "zh",
           "WORKBENCH_OFFICER": OFFICER, "WORKBENCH_MATTER": matter,
           "JUPYTER_PATH": os.pathsep.join(filter(None, [str(CONFIG_DIR), os.environ.get("JUPYTER_PATH")]))}
    voila_bin = Path(sys.executable).with_name("voila")
    proc = subprocess.Popen(
        [str(voila_bin), str(ROOT / "notebooks" / "04_verification.ipynb"), "--no-browser",
         f"--port={port}", "--Voila.ip=127.0.0.1", "--template=workbench",
         "--VoilaConfiguration.show_tracebacks=True"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    wait_listening(port, proc, lambda: proc.stderr.read().decode(errors='replace')[-2000:], 60)
    try:
        yield url, matter, indicator, grade
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.browser
@pytest.mark.slow
def test_change_a_grade_in_the_browser_and_save(voila, demo_archive):
    url, matter, indicator, grade = voila
    before = len(demo_archive.entry_history(RID))
    with offline_page() as (page, log):
        page.goto(url, timeout=90_000)
        page.wait_for_selector(".wt-save", timeout=90_000)
        assert page.get_by_text("现场核查 · On-site verification").is_visible()
        assert page.get_by_text(matter, exact=True).first.is_visible()  # the matter opened
        live = page.locator(".wt-live")
        first_graded = page.locator(".wt-indicator-row .wt-graded select:visible").first
        first_graded.select_option(grade)
        page.wait_for_function("document.querySelector('.wt-live').innerText.length > 0")
        text_after_change = live.inner_text()
        page.locator(".wt-save button, button.wt-save").first.click()
        page.wait_for_selector(".wt-message >> text=已保存", timeout=30_000)
        REPORTS.mkdir(exist_ok=True)
        page.screenshot(path=str(REPORTS / "verification_form.png"), full_page=True)
        assert log.blocked == [], log.blocked
        script_errors = [e for e in log.console_errors if "script" in e.lower() or "failed to load" in e.lower()]
        assert script_errors == [], log.console_errors
        assert log.page_errors == []
    assert "完成百分比" in text_after_change or "未填写" in text_after_change
    cur = demo_archive.current_entries(RID, "verified").set_index(["matter_id", "indicator_id"])
    assert cur.at[(matter, indicator), "result"] == grade
    assert cur.at[(matter, indicator), "entered_by"] == OFFICER
    assert len(demo_archive.entry_history(RID)) > before

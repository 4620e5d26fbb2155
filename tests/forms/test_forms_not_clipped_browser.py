"""Nothing cut off in the officer's forms: Voilà serves the the survey, verification and feedback notebooks on 127.0.0.1 (a copy
of the demo, the 2021 city round in progress), headless Chromium opens each at 1366×768 in Chinese
and in English, and ``assert_nothing_clipped`` fails naming any button, drop-down or label whose
words do not fit ("上传填好的调查…", "从评定结果生成整…")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import clipped, free_port, offline_page, require_chromium, wait_listening

ROOT = Path(__file__).resolve().parents[2]
#: the forms named in the issue as cut: the survey's upload, the rectification's "propose" button
NOTEBOOKS = ("03_survey", "04_verification", "06_feedback_rectification")

pytestmark = [pytest.mark.browser, pytest.mark.slow]



@pytest.fixture(params=["zh", "en"])
def voila(request, demo_archive):
    """Voilà serving the notebooks folder in one language."""
    require_chromium()
    from workbench.dashboard.serve import CONFIG_DIR  # the CDN-free template

    port = free_port()
    env = {**os.environ, "WORKBENCH_DB": demo_archive.url, "WORKBENCH_ROUND": "2021-city",
           "WORKBENCH_LANG": request.param, "WORKBENCH_OFFICER": "王建华",
           "JUPYTER_PATH": os.pathsep.join(filter(None, [str(CONFIG_DIR), os.environ.get("JUPYTER_PATH")]))}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("voila")), str(ROOT / "notebooks"), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--template=workbench", "--VoilaConfiguration.show_tracebacks=True"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_listening(port, proc, lambda: proc.stderr.read().decode(errors='replace')[-2000:], 60)
    try:
        yield f"http://127.0.0.1:{port}/voila/render", request.param
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_no_control_is_cut_off(voila):
    base, lang = voila
    found = {}
    with offline_page(1366, 768, locale="zh-CN" if lang == "zh" else "en-GB") as (page, log):
        for name in NOTEBOOKS:
            page.goto(f"{base}/{name}.ipynb", timeout=120_000)
            # the form is drawn when its widgets are: wait for one, then for the layout to settle
            page.wait_for_selector(".widget-button, .jupyter-button", state="attached", timeout=120_000)
            page.wait_for_timeout(1500)
            assert page.locator(".jupyter-widgets").count() > 0, name
            cut = clipped(page)
            if cut:
                found[name] = cut
        assert log.blocked == [], log.blocked
    assert not found, "cut off in the forms (" + lang + "):\n" + "\n".join(
        f"{name}: {c}" for name, cuts in found.items() for c in cuts)

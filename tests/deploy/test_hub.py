"""A real JupyterHub on 127.0.0.1 (deploy/jupyterhub_config.py, configurable-http-proxy,
jupyterhub-nativeauthenticator) in front of the shared PostgreSQL archive: two county officers
and a leader sign in through headless Chromium; each gets a server holding their own database
role, and sees and may change only what the database allows them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.access_support import ROUNDS, build_shared, drop_roles
from tests.browser_support import free_port, offline_page
from workbench.paths import NOTEBOOKS_DIR

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHP = shutil.which("configurable-http-proxy") or shutil.which("configurable-http-proxy", path=str(BIN))

pytestmark = [pytest.mark.pg, pytest.mark.browser, pytest.mark.slow]

PEOPLE = {"hanting": ("officer", "370703", None), "qingzhou": ("officer", "370781", None),
          "leader": ("leader", "city", None)}
HUB_PASSWORD = "hub-pass-7Qx!2024"



def wait_for(url: str, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


@pytest.fixture
def hub(pg_url, tmp_path):
    if CHP is None:
        pytest.skip("configurable-http-proxy is not installed (npm install -g configurable-http-proxy; .ci/run does)")
    if not shutil.which("jupyterhub", path=str(BIN)):
        pytest.skip("JupyterHub is not installed (pip install '.[deploy]')")
    owner, urls = build_shared(pg_url, PEOPLE)
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    logins = {}
    for key, url in urls.items():
        u = sa.engine.make_url(url)
        (secrets / u.username).write_text(u.password + "\n")
        logins[key] = u.username
    state = tmp_path / "hub"
    state.mkdir()
    port = free_port()
    env = {**os.environ, "WORKBENCH_HUB_DB": pg_url, "WORKBENCH_HUB_SECRETS": str(secrets),
           "WORKBENCH_HUB_PORT": str(port), "WORKBENCH_HUB_API_PORT": str(free_port()),
           "WORKBENCH_HUB_PROXY_API_PORT": str(free_port()), "WORKBENCH_HUB_SPAWNER": "simple",
           "WORKBENCH_HUB_OPEN_SIGNUP": "1", "WORKBENCH_CHP": CHP, "WORKBENCH_LANG": "zh",
           "WORKBENCH_HUB_NOTEBOOKS": str(_notebooks(tmp_path, ROUNDS["370703"])),
           "WORKBENCH_HUB_OFFICER_URL": "/voila/render/04_verification.ipynb",
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    env.pop("WORKBENCH_DB", None)
    log = open(tmp_path / "hub.log", "w")
    proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(ROOT / "deploy" / "jupyterhub_config.py")],
                            cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/hub/health", 60)
        yield base, owner, logins
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the hub stops the proxy and the servers it spawned
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        owner.dispose()
        drop_roles(pg_url)


def _notebooks(tmp_path: Path, round_id: str) -> Path:
    """The shipped notebooks, with the verification notebook's round set to ``round_id`` in its
    parameters cell, as an officer sets it in JupyterLab (no environment variable overrides it)."""
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = folder / "04_verification.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    cell["source"] = re.sub(r'^round_id = "[^"]*"', f'round_id = "{round_id}"', source, count=1, flags=re.M)
    assert cell["source"] != source
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return folder


def sign_in(page, base: str, login: str) -> None:
    """Sign up (open sign-up in the test; an admin approves in an office), then sign in."""
    page.goto(f"{base}/hub/signup")
    page.fill("#username_input", login)
    page.fill("#password_input", HUB_PASSWORD)
    page.fill("#password_confirmation_input", HUB_PASSWORD)
    page.click("#signup_submit")
    page.wait_for_load_state()
    page.goto(f"{base}/hub/login")
    page.fill("#username_input", login)
    page.fill("#password_input", HUB_PASSWORD)
    page.click("#login_submit")


def test_officers_and_a_leader_behind_the_hub(hub):
    base, owner, logins = hub
    # 寒亭区's officer lands on the verification form of 寒亭区's round and saves a value.
    with offline_page() as (page, log):
        sign_in(page, base, logins["hanting"])
        page.wait_for_url(f"**/user/{logins['hanting']}/voila/render/04_verification.ipynb**", timeout=90_000)
        page.wait_for_selector(".wt-save", timeout=90_000)
        page.locator(".wt-indicator-row .wt-graded select:visible").first.select_option("完全落实")
        page.locator(".wt-save button, button.wt-save").first.click()
        page.wait_for_selector(".wt-message >> text=已保存", timeout=30_000)
        assert logins["hanting"] in page.inner_text(".wt-message")
        assert log.blocked == []  # nothing leaves the machine, MathJax included
    saved = owner.entry_history(ROUNDS["370703"])
    assert saved["entered_by"].tolist() == [logins["hanting"]]  # the signed-in login, from the database

    # 青州市's officer opens the same page: that round does not exist for them.
    with offline_page() as (page, log):
        sign_in(page, base, logins["qingzhou"])
        page.wait_for_url(f"**/user/{logins['qingzhou']}/voila/**", timeout=90_000)
        page.wait_for_load_state("networkidle", timeout=90_000)
        page.screenshot(path=str(ROOT / "reports" / "screenshots" / "hub-other-county.png"))
        text = page.inner_text("body")
        assert page.locator(".wt-save").count() == 0 and "寒亭区财政局" not in text
        # …and the page says why: whose round it is, and who is asking.
        assert f"轮次 {ROUNDS['370703']} 属于寒亭区;您的账号({logins['qingzhou']},青州市)无权查看" in text
        # In the officers' app the area picker offers only 青州市, the area the database lets them read.
        page.goto(f"{base}/user/{logins['qingzhou']}/voila/render/officer_app.ipynb")
        page.wait_for_selector(".wb-area select", timeout=90_000)
        assert page.locator(".wb-area select option").all_inner_texts() == ["青州市"]

    # The leader lands on the dashboard, behind the hub's sign-in, reading every area.
    with offline_page() as (page, log):
        page.goto(f"{base}/user/{logins['leader']}/voila/render/dashboard.ipynb")
        assert "/hub/login" in page.url  # not without signing in
        sign_in(page, base, logins["leader"])
        page.wait_for_url(f"**/user/{logins['leader']}/voila/render/dashboard.ipynb**", timeout=90_000)
        page.wait_for_selector("text=领导看板", timeout=90_000)
        page.wait_for_selector("td >> text=青州市", timeout=60_000)  # the counties table, not the area picker
        page.screenshot(path=str(ROOT / "reports" / "screenshots" / "hub-leader-dashboard.png"))
        text = page.inner_text("body")
        assert "领导看板" in text and "寒亭区" in text and "青州市" in text  # every area, read-only
    # Each server holds its own role: the hub gave no one the owner's or another's credentials.
    with sa.create_engine(owner.url).connect() as conn:
        users = {r for (r,) in conn.execute(sa.text(
            "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database()"))}
    assert users <= {*logins.values(), "postgres"}

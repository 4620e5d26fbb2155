"""Installable anywhere: the wheel, installed into a fresh virtual environment outside the
checkout, runs ``workbench new``, ``demo``, ``batch`` and ``serve`` in an empty folder — the
notebooks, templates, catalogue, weights and organisation come from the package.

The wheel is built from a copy of the sources (nothing is written into the checkout) and
installed with ``--no-deps`` into a venv made without system site-packages. Its dependencies are
those of the environment running the tests, made visible through a ``.pth`` file that lists that
environment's site-packages directories only: directories named there are put on ``sys.path``
but their own ``.pth`` files (the editable install's finder) are not run, so ``workbench`` can
only come from the wheel — which the test checks. Set ``WORKBENCH_WHEEL_FULL_INSTALL=1`` to let
pip resolve every dependency from the package index instead (slow: several minutes).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("workbench", "notebooks", "parameters", "pyproject.toml", "README.md", "LICENSE")
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A fresh venv with the wheel installed; returns its paths and a clean environment."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif p.exists():
            shutil.copy2(p, src / name)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "WORKBENCH_DB", "WORKBENCH_PROJECT", "VIRTUAL_ENV", "JUPYTER_PATH")}
    dist = base / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(src)],
                       capture_output=True, text=True, timeout=300, env=env, cwd=base)
    assert r.returncode == 0, r.stdout + r.stderr
    wheel = next(dist.glob("workbench-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120, env=env)
    python = venv / "bin" / "python"
    full = os.environ.get("WORKBENCH_WHEEL_FULL_INSTALL") == "1"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--ignore-installed", str(wheel)]
    r = subprocess.run(pip if full else [*pip, "--no-deps"], capture_output=True, text=True,
                       timeout=1800 if full else 300, env=env, cwd=base)
    assert r.returncode == 0, r.stdout + r.stderr
    if not full:
        site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        deps = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
        Path(site, "zz_test_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
        # and their data files (nbconvert's and Voilà's templates, lab assets), as an install
        # would put them in the venv; not the kernel specs: the venv makes its own
        shared = venv / "share" / "jupyter"
        shared.mkdir(parents=True, exist_ok=True)
        for folder in (Path(sys.prefix) / "share" / "jupyter").iterdir():
            if folder.name != "kernels":
                (shared / folder.name).symlink_to(folder)
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", WORKBENCH_LANG="en")
    return {"venv": venv, "python": python, "workbench": venv / "bin" / "workbench", "env": env,
            "project": base / "office"}


def test_the_wheel_carries_its_files_and_imports_from_the_venv(installed):
    code = ("import workbench, workbench.paths as p; print(workbench.__file__); print(p.IN_CHECKOUT); "
            "print(all((p.SHIPPED_PARAMETERS / n).is_file() for n in "
            "('organisation.yaml', 'catalogue.yaml', 'county_performance.yaml', '2018.yaml', 'weights/official.yaml'))); "
            "print((p.NOTEBOOKS_DIR / 'dashboard.ipynb').is_file() and (p.TEMPLATES / 'feedback_letter.docx').is_file() "
            "and (p.VOILA_CONFIG / 'voila.json').is_file())")
    r = subprocess.run([str(installed["python"]), "-c", code], capture_output=True, text=True,
                       env=installed["env"], cwd=installed["venv"].parent)
    assert r.returncode == 0, r.stderr
    where, in_checkout, params, others = r.stdout.split()
    assert where.startswith(str(installed["venv"])) and in_checkout == "False"
    assert params == "True" and others == "True"


def test_new_demo_batch_and_serve_in_an_empty_folder(installed):
    office = installed["project"]
    office.mkdir()
    run = lambda *a, **kw: subprocess.run([str(installed["workbench"]), *a], capture_output=True,  # noqa: E731
                                          text=True, env=installed["env"], cwd=office, **kw)
    r = run("new", ".")
    assert r.returncode == 0, r.stderr
    assert (office / "parameters" / "organisation.yaml").is_file() and (office / "reports").is_dir()
    assert run("new", ".").returncode == 2  # never overwrites an office's parameters
    r = run("demo", timeout=300)
    assert r.returncode == 0, r.stderr
    assert (office / "data" / "workbench.db").is_file()
    r = run("batch", "--year", "2018", "--areas", "city", "--jobs", "1", timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (office / "reports" / "2018" / "city" / "2018-city.html").is_file()
    assert (office / "reports" / "2018" / "index.html").is_file()
    # --project from elsewhere reaches the same archive
    r = subprocess.run([str(installed["workbench"]), "--project", str(office), "filings", "--year", "2019"],
                       capture_output=True, text=True, env=installed["env"], cwd=office.parent)
    assert r.returncode == 0 and "370781" in r.stdout, r.stderr

    port = _free_port()
    log = open(office / "serve.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(installed["workbench"]), "serve", "--port", str(port)], cwd=office,
                            env=installed["env"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, body = time.time() + 120, None
        while body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as resp:
                    assert resp.status == 200
                    body = resp.read().decode("utf-8", "replace")
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.time() > deadline:
                    log.close()
                    pytest.fail("workbench serve did not start:\n" + (office / "serve.log").read_text())
                time.sleep(0.5)
        assert "voila" in body.lower() and "dashboard" in body
        # serving the page raised nothing (stopping the server below may log the kernel's shutdown)
        assert "Traceback" not in (office / "serve.log").read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()

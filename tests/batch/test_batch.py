"""The yearly batch run for real: papermill executes the report notebook for two rounds in two
worker processes, each with its own kernel. Checked as the batch operator would: the files, the
manifest, byte-identical re-runs, a round that fails without stopping the other, ``--resume``,
and HTML that works offline and carries the round's Chinese title."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from browser_support import offline_page
from docx import Document

from workbench.archive.store import Archive
from workbench.batch.params import file_hash, plan_year
from workbench.batch.run import Manifest, run_batch
from workbench.followup import rescore

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AREAS = ["city", "370781"]
TITLES = {"city": "2018年度潍坊市(市级)机构编制事项跟踪问效报告",
          "370781": "2018年度潍坊市青州市机构编制事项跟踪问效报告"}


def make_project(base: Path, **changes) -> Path:
    """A project folder holding parameters/2018.yaml (two areas); reports go to base/reports."""
    params = base / "parameters"
    params.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load((ROOT / "parameters" / "2018.yaml").read_text(encoding="utf-8"))
    raw.update({"areas": AREAS, **changes})
    (params / "2018.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return params


@contextmanager
def served(folder: Path):
    """The reports folder over HTTP on 127.0.0.1, as a file share's web view would serve it."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def manifest(base: Path) -> dict:
    return json.loads((base / "reports" / "2018" / "manifest.json").read_text(encoding="utf-8"))


def tables(base: Path) -> dict[str, bytes]:
    """Result tables and letters: the files that must come out the same, byte for byte."""
    out = base / "reports" / "2018"
    return {p.name: p.read_bytes() for a in AREAS for p in sorted((out / a).rglob("*"))
            if p.suffix in (".csv", ".xlsx", ".docx")}


@pytest.fixture(scope="module")
def first_run(demo_db, tmp_path_factory):
    """One real batch, as the operator runs it: the CLI, two rounds, two jobs. Its archive is a
    private copy; the last test of this module changes it."""
    base = tmp_path_factory.mktemp("batch")
    shutil.copy(demo_db, base / "demo.db")
    archive = Archive(str(base / "demo.db"))
    params = make_project(base)
    cmd = [sys.executable, "-m", "workbench.cli", "batch", "--year", "2018", "--jobs", "2",
           "--db", archive.url, "--params-dir", str(params)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=base, timeout=300)
    yield base, archive, params, done
    archive.dispose()


def test_two_rounds_two_jobs_files_and_manifest(first_run):
    tmp_path, demo_archive, _, done = first_run
    assert done.returncode == 0, done.stderr
    assert "[2/2]" in done.stderr  # progress: rounds done / total
    assert "2 轮完成" in done.stdout

    out = tmp_path / "reports" / "2018"
    first = manifest(tmp_path)
    assert set(first["rounds"]) == {"2018-city", "2018-370781"}
    for area in AREAS:
        rid = f"2018-{area}"
        entry = first["rounds"][rid]
        assert entry["status"] == "ok" and entry["seconds"] > 0
        assert set(entry["inputs"]) == {"archive", "catalogue", "parameters", "notebook", "software",
                                        "letter_template"}
        assert entry["inputs"]["catalogue"] == first["catalogue_hash"]
        assert set(entry["timings"]) == {"kernel", "execute", "convert", "letters"}
        names = {f"{rid}.{ext}" for ext in ("ipynb", "html", "csv", "xlsx")}
        letters = {n for n in entry["outputs"] if n.startswith("letters/")}
        assert set(entry["outputs"]) - letters == names
        assert {p.relative_to(out / area).as_posix() for p in (out / area).rglob("*.*")} == set(entry["outputs"])
        for name, digest in entry["outputs"].items():
            assert file_hash(out / area / name) == digest
        # The round is sealed in the demo: one feedback letter per unit, as issued.
        units = demo_archive.round_matters(rid)["unit_id"].nunique()
        assert len(letters) == units and all(n.endswith("_情况反馈.docx") for n in letters)
        assert Document(out / area / sorted(letters)[0]).paragraphs  # opens in Word's format
        page = (out / area / f"{rid}.html").read_text(encoding="utf-8")
        assert TITLES[area] in page
        assert first["catalogue_hash"] in page and "workbench 0.1.0" in page  # provenance
        assert not re.search(r"<script[^>]+src=[\"']?https?:", page)
        assert "<svg" in page and "load_round_report" not in page  # charts inline, no code
    assert not list(out.glob(".*"))  # no staging folders or temporary files left
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="city/2018-city.html"' in index and 'href="370781/2018-370781.html"' in index
    assert "<script" not in index and "设立" in index


@pytest.mark.browser
def test_html_report_in_an_offline_browser(first_run):
    """The report opened in Chromium on a closed network: nothing is fetched, the Chinese title
    and the charts are visible, no code is."""
    base = first_run[0]
    with served(base / "reports") as url, offline_page(1200, 900) as (page, log):
        page.goto(f"{url}/2018/index.html")
        page.click("text=" + TITLES["city"])
        page.wait_for_load_state("load")
        assert page.locator("h1").first.inner_text() == TITLES["city"]
        assert page.locator(".jp-RenderedSVG svg").count() == 2
        assert page.locator(".jp-RenderedSVG svg").first.is_visible()
        assert "load_round_report" not in page.inner_text("body")
        assert not log.blocked and not log.console_errors and not log.page_errors


def test_rerun_is_identical_and_resume_skips_what_is_unchanged(first_run, catalogue):
    tmp_path, demo_archive, params, _ = first_run
    out = tmp_path / "reports" / "2018"
    first = manifest(tmp_path)
    before = tables(tmp_path)
    assert len(before) > 4
    result = run_batch([2018], db=demo_archive.url, params_dir=params, jobs=2)
    assert result.ok and result.ran == 2
    again = manifest(tmp_path)
    assert tables(tmp_path) == before  # byte for byte
    for rid, entry in again["rounds"].items():
        assert entry["result_hash"] == first["rounds"][rid]["result_hash"]
        assert entry["inputs"] == first["rounds"][rid]["inputs"]
        for name in (f"{rid}.csv", f"{rid}.xlsx"):
            assert entry["outputs"][name] == first["rounds"][rid]["outputs"][name]

    # --resume: nothing changed, nothing runs.
    unchanged = run_batch([2018], db=demo_archive.url, params_dir=params, resume=True)
    assert (unchanged.ran, unchanged.skipped) == (0, 2)
    assert manifest(tmp_path)["rounds"]["2018-city"]["resumed"] is True

    # A re-entered grade changes one round's archive content: only that round runs again. The
    # round is sealed, so the re-check is an amendment: the entry, the new version, who and why.
    current = demo_archive.current_entries("2018-370781", "verified")
    graded = catalogue.indicators.index[catalogue.indicators["kind"] == "graded"]
    entry = current[current["indicator_id"].isin(graded)].iloc[0]
    new = "未落实" if entry["result"] != "未落实" else "完全落实"
    with demo_archive.amending(["2018-370781"]):
        demo_archive.add_entries(entry[["round_id", "matter_id", "indicator_id", "source"]]
                                 .to_frame().T.assign(result=new, note="re-checked"))
        rescore(demo_archive, "2018-370781", catalogue, "测试", "re-checked")
    changed = run_batch([2018], db=demo_archive.url, params_dir=params, resume=True)
    assert (changed.ran, changed.skipped) == (1, 1)
    rounds = manifest(tmp_path)["rounds"]
    assert rounds["2018-370781"]["resumed"] is False
    assert rounds["2018-370781"]["inputs"]["archive"] != first["rounds"]["2018-370781"]["inputs"]["archive"]
    assert rounds["2018-370781"]["result_hash"] != first["rounds"]["2018-370781"]["result_hash"]
    assert rounds["2018-city"]["inputs"] == first["rounds"]["2018-city"]["inputs"]

    # An output edited by hand is not trusted: that round would run again.
    plan = plan_year(2018, Archive(demo_archive.url, read_only=True), params)
    city = next(t for t in plan.tasks if t.area == "city")
    assert Manifest.open(plan).unchanged(city)
    (out / "city" / "2018-city.csv").write_text("edited")
    assert not Manifest.open(plan).unchanged(city)


def test_a_failing_round_does_not_stop_the_other(demo_archive, tmp_path):
    broken = tmp_path / "parameters" / "weights" / "broken.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("weights: {EST-01: 99}\n", encoding="utf-8")
    params = make_project(tmp_path, overrides={
        "370781": {"parameters": {"weights": "parameters/weights/broken.yaml"}},
        "city": {"parameters": {"lang": "en"}}})
    cmd = [sys.executable, "-m", "workbench.cli", "batch", "--year", "2018", "--jobs", "2",
           "--db", demo_archive.url, "--params-dir", str(params)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 1  # the exit code says a round failed
    assert "2018-370781" in done.stderr and "CatalogueError" in done.stderr

    out = tmp_path / "reports" / "2018"
    rounds = manifest(tmp_path)["rounds"]
    assert rounds["2018-city"]["status"] == "ok"
    page = (out / "city" / "2018-city.html").read_text(encoding="utf-8")  # in English
    assert '<html lang="en">' in page and "Weifang (city level)" in page and "Unit ranking" in page
    bad = rounds["2018-370781"]
    assert bad["status"] == "failed" and bad["outputs"] == {}
    assert bad["error"]["ename"] == "CatalogueError" and bad["error"]["step"] == "notebook"
    assert "broken.yaml" in bad["error"]["evalue"]
    assert bad["error"]["source"].startswith("report = rr.load_round_report")
    assert isinstance(bad["error"]["cell"], int)
    assert (out / bad["error"]["notebook"]).is_file()  # the executed notebook, kept to read
    assert not (out / "370781").exists()  # nothing half-written looks complete
    assert not list(out.glob(".*"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "CatalogueError" in index and 'href="city/2018-city.html"' in index


@pytest.mark.pg
def test_batch_on_postgresql(pg_url, demo_db, catalogue, tmp_path):
    """The shared deployment: the batch against PostgreSQL gives the very result table the
    SQLite archive gives."""
    from workbench.batch.report import load_round_report, write_tables
    from workbench.demo.build import build_demo

    build_demo(Archive(pg_url), catalogue)
    params = make_project(tmp_path, areas=["370781"])
    result = run_batch([2018], db=pg_url, params_dir=params, jobs=1)
    assert result.ok, manifest(tmp_path)
    produced = tmp_path / "reports" / "2018" / "370781" / "2018-370781.csv"
    expected = write_tables(load_round_report("2018-370781", db=str(demo_db)), tmp_path / "sqlite")
    assert produced.read_bytes() == expected[0].read_bytes()
    again = plan_year(2018, Archive(pg_url, read_only=True), params).tasks[0]
    assert again.inputs == manifest(tmp_path)["rounds"]["2018-370781"]["inputs"]

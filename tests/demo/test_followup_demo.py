"""The demo's follow-through is realistic, and the officer's notebook runs on it (papermill)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from workbench.archive.store import Archive
from workbench.core.rules import summarise
from workbench.followup import result_use as U
from workbench.followup.rectification import items_as_of
from workbench.followup.sealing import check_seal

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(demo_db):
    return Archive(str(demo_db), read_only=True)


def test_demo_decisions_some_proposals_some_suspensions_most_units_clean(demo):
    found = U.dry_run(demo, date(2021, 3, 31))
    s = summarise(found, demo.units())
    assert 2 <= s["proposal"] <= 15
    assert 5 <= s["suspension"] <= 50
    assert s["clean_units"] >= 0.8 * s["units"]
    assert s["provenance"] == 0  # rule (a): every archived result carries its provenance
    # every proposal is an establishment matter under 60%, with its reasons in words
    props = found[found["rule"] == "proposal"]
    assert props["reason_text"].str.contains("设立类").all() and props["reason_text"].str.contains("低于60%").all()


def test_demo_decision_records_and_items(demo):
    d = U.read_decisions(demo)
    assert set(d["status"]) == {"signed", "draft"}
    assert set(d.loc[d["status"] == "draft", "round_id"].str[:4]) == {"2020"}
    assert {"proposal", "suspension", "lift"} <= set(d["rule"])
    assert len(U.suspended_units(demo)) > 0
    states = items_as_of(demo, date(2021, 3, 31))
    share = states["state"].value_counts(normalize=True)
    assert share["passed"] > 0.7 and 0 < share.get("overdue", 0) < 0.1


def test_demo_rounds_sealed_and_intact(demo):
    for rid in ("2018-city", "2019-370781", "2020-370786"):
        report = check_seal(demo, rid)
        assert report.ok, report.message()


@pytest.mark.slow
def test_notebook_runs_with_papermill(demo_db, tmp_path):
    import nbformat
    import papermill

    from workbench.batch.run import ensure_kernelspec

    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    out = tmp_path / "06.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "06_feedback_rectification.ipynb"), str(out),
        parameters={"round_id": "2020-city", "db": str(db), "lang": "zh", "officer": "王建华",
                    "as_of": "2020-09-30", "out_dir": str(tmp_path / "fb")},
        kernel_name=ensure_kernelspec(), cwd=str(tmp_path), progress_bar=False, execution_timeout=300)
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") if isinstance(o.get("data", {}).get("text/html", ""), str)
                   else "".join(o["data"]["text/html"]) for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert "封存校验通过" in html and "已逾期" in html
    widgets = [o for c in nb.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == 1  # the form

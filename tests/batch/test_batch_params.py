"""Batch parameters are checked before anything runs, and every bad input names its key or file.
Also the parts of the batch that need no kernel: reproducible .xlsx, the kernelspec, the
kernel-port retry, the progress line."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from workbench.archive.store import Archive
from workbench.batch import run as batch
from workbench.batch.params import plan_year, round_title
from workbench.batch.report import FIXED_W3CDTF, FIXED_ZIP_TIME, normalise_office_file
from workbench.errors import WorkbenchError
from workbench.files.exports import export_table
from workbench.organisation import default_organisation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ro_archive(demo_db):
    a = Archive(str(demo_db), read_only=True)
    yield a
    a.dispose()


def write_params(base: Path, text: str | None = None, file_year: int = 2018, **changes) -> Path:
    params = base / "parameters"
    params.mkdir(parents=True, exist_ok=True)
    if text is None:
        raw = yaml.safe_load((ROOT / "parameters" / "2018.yaml").read_text(encoding="utf-8"))
        raw.update(changes)
        text = yaml.safe_dump(raw, allow_unicode=True)
    (params / f"{file_year}.yaml").write_text(text, encoding="utf-8")
    return params


def test_demo_year_plans_every_round(ro_archive, tmp_path):
    plan = plan_year(2018, ro_archive, write_params(tmp_path))
    assert len(plan.tasks) == 13 and plan.tasks[0].round_id == "2018-city"
    assert plan.output == (tmp_path / "reports" / "2018").resolve()
    task = plan.tasks[0]
    assert task.parameters["round_id"] == "2018-city" and task.parameters["db"] == ro_archive.url
    assert task.parameters["lang"] == "zh" and "output_dir" not in task.parameters
    assert len({t.inputs["archive"] for t in plan.tasks}) == 13


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_shipped_parameter_files_are_valid(ro_archive, tmp_path, year):
    params = tmp_path / "parameters"
    params.mkdir()
    (params / f"{year}.yaml").write_bytes((ROOT / "parameters" / f"{year}.yaml").read_bytes())
    assert len(plan_year(year, ro_archive, params).tasks) == 13


BAD = [
    # (changes or raw text, words the message must contain)
    ("year: [2018\n", ["2018.yaml", "YAML"]),
    ("- just\n- a list\n", ["2018.yaml", "mapping"]),
    ({"colour": "red"}, ["colour", "unknown key", "未知参数"]),
    ({"timeout": "ten"}, ["timeout", "int"]),
    ({"window": ["2016-10-01"]}, ["window"]),
    ({"year": 2019}, ["year", "2019"]),
    ({"areas": ["city", "370799"]}, ["areas", "370799", "no round"]),
    ({"overrides": {"370799": {"eval_date": "2018-04-20"}}}, ["overrides", "370799"]),
    ({"overrides": {"city": {"lang": "en"}}}, ["overrides.city.lang", "unknown key"]),
    ({"output": "../elsewhere"}, ["output", "outside the project"]),
    ({"output": "/tmp"}, ["output", "outside the project"]),
    ({"eval_date": "2018-05-01"}, ["eval_date", "2018-05-01", "2018-04-15", "2018-city"]),
    ({"parameters": {"round_id": "2018-city"}}, ["parameters.round_id", "set by the batch"]),
    ({"parameters": {"colour": "red"}}, ["parameters.colour", "round_report.ipynb", "lang"]),
    ({"parameters": {"lang": 1}}, ["parameters.lang", "str"]),
    ({"parameters": {"lang": "fr"}}, ["parameters.lang", "fr", "zh, en"]),
    ({"overrides": {"city": {"parameters": {"source": "x"}}}}, ["overrides.city.parameters.source"]),
    ({"parameters": {"weights": "parameters/weights/nope.yaml"}}, ["parameters.weights", "nope.yaml"]),
    ({"notebook": "notebooks/nope.ipynb"}, ["notebook", "nope.ipynb"]),
    ({"notebook": "/etc/hostname"}, ["notebook", "/etc/hostname", "project's notebooks", "执行"]),
]


@pytest.mark.parametrize("change,words", BAD, ids=[str(w[0]) for _, w in BAD])
def test_bad_parameters_name_the_key(ro_archive, tmp_path, change, words):
    if isinstance(change, str):
        params = write_params(tmp_path, text=change)
    else:
        change = {k: (pd.Timestamp(v).date() if k == "eval_date" else v) for k, v in change.items()}
        params = write_params(tmp_path, **change)
    with pytest.raises(WorkbenchError) as err:
        plan_year(2018, ro_archive, params)
    for word in words:
        assert word in str(err.value)


def test_only_the_projects_notebooks_are_run(ro_archive, tmp_path):
    """A parameters file may name a notebook, but the batch executes it: one outside the project's
    notebooks (a copy of a real one, or a link pointing out) is refused with the reason."""
    outside = tmp_path / "evil.ipynb"
    outside.write_bytes((ROOT / "notebooks" / "round_report.ipynb").read_bytes())
    with pytest.raises(WorkbenchError, match="project's notebooks") as err:
        plan_year(2018, ro_archive, write_params(tmp_path, notebook=str(outside)))
    assert "evil.ipynb" in str(err.value) and "2018.yaml" in str(err.value)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "report.ipynb").symlink_to(outside)
    with pytest.raises(WorkbenchError, match="project's notebooks"):
        plan_year(2018, ro_archive, write_params(tmp_path, notebook="notebooks/report.ipynb"))
    shipped = ROOT / "notebooks" / "round_report.ipynb"
    assert plan_year(2018, ro_archive, write_params(tmp_path, notebook=str(shipped))).tasks[0].notebook == shipped


def test_year_without_data(ro_archive, tmp_path):
    with pytest.raises(WorkbenchError, match="2025.yaml"):
        plan_year(2025, ro_archive, write_params(tmp_path))
    params = write_params(tmp_path, text="year: 2025\n", file_year=2025)
    with pytest.raises(WorkbenchError, match="no rounds for 2025.*2018, 2019, 2020, 2021"):
        plan_year(2025, ro_archive, params)


def test_output_folder_not_writable(ro_archive, tmp_path):
    (tmp_path / "reports").write_text("a file where the folder should be")
    with pytest.raises(WorkbenchError, match="not writable"):
        plan_year(2018, ro_archive, write_params(tmp_path))


def test_areas_filter_must_be_in_the_file(ro_archive, tmp_path):
    params = write_params(tmp_path, areas=["city", "370781"])
    assert [t.area for t in plan_year(2018, ro_archive, params, areas=["370781"]).tasks] == ["370781"]
    with pytest.raises(WorkbenchError, match="--areas.*370782"):
        plan_year(2018, ro_archive, params, areas=["370782"])


def test_areas_may_be_named(ro_archive, tmp_path):
    """An area by its name, in the file and on the command line, is the area's code."""
    params = write_params(tmp_path, areas=["city", "青州市", "诸城市"], overrides={"青州市": {"parameters": {"lang": "en"}}})
    plan = plan_year(2018, ro_archive, params, areas=["Qingzhou", "诸城市"])
    assert [(t.area, t.parameters["lang"]) for t in plan.tasks] == [("370781", "en"), ("370782", "zh")]


def test_messages_come_in_both_languages(ro_archive, tmp_path):
    with pytest.raises(WorkbenchError) as err:
        plan_year(2018, ro_archive, write_params(tmp_path, colour="red"))
    assert "未知参数 colour" in str(err.value) and "unknown key colour" in str(err.value)


def test_cli_reports_bad_input_without_traceback(demo_db, tmp_path, capsys):
    from workbench.cli import main

    params = write_params(tmp_path, areas=["370799"])
    assert main(["batch", "--year", "2018", "--db", str(demo_db), "--params-dir", str(params)]) == 2
    err = capsys.readouterr().err
    assert "370799" in err and "Traceback" not in err


def test_round_titles():
    org = default_organisation()
    assert round_title(org, 2018, "city") == "2018年度潍坊市(市级)机构编制事项跟踪问效报告"
    assert round_title(org, 2019, "370781") == "2019年度潍坊市青州市机构编制事项跟踪问效报告"
    assert "Qingzhou, Weifang" in round_title(org, 2019, "370781", "en")


def test_xlsx_is_reproducible(tmp_path):
    df = pd.DataFrame({"unit_name": ["市财政局"], "completion_pct": [97.5]})
    paths = []
    for name in ("a.xlsx", "b.xlsx"):
        path = export_table(df, tmp_path / name)
        normalise_office_file(path)
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with zipfile.ZipFile(paths[0]) as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_ZIP_TIME}
        assert FIXED_W3CDTF in z.read("docProps/core.xml").decode()
    assert pd.read_excel(paths[0]).equals(df)


def test_kernelspec_starts_this_interpreter():
    from jupyter_client.kernelspec import KernelSpecManager

    name = batch.ensure_kernelspec()
    spec = KernelSpecManager().get_kernel_spec(name)
    assert spec.argv[0] == sys.executable
    assert batch.ensure_kernelspec() == name  # idempotent


def test_kernel_port_race_is_retried(monkeypatch, tmp_path):
    import papermill
    import zmq

    calls = []

    def flaky(*args, **kwargs):
        calls.append(kwargs["kernel_name"])
        if len(calls) < 3:
            try:
                raise zmq.error.ZMQError(98, "Address already in use (addr='tcp://127.0.0.1:5')")
            except zmq.error.ZMQError as exc:
                raise RuntimeError("Kernel died before replying to kernel_info") from exc
        return "nb"

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    task = batch.RoundTask("2018-city", 2018, "city", tmp_path / "n.ipynb", tmp_path / "city", {},
                           60, "workbench", tmp_path)
    assert batch._execute(task, tmp_path / "o.ipynb", tmp_path)[0] == "nb"
    assert calls == ["workbench"] * 3

    def broken(*args, **kwargs):
        calls.append("x")
        raise ValueError("something else")

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    calls.clear()
    with pytest.raises(ValueError):
        batch._execute(task, tmp_path / "o.ipynb", tmp_path)
    assert calls == ["x"]  # other errors are not retried


def test_progress_lines():
    stream = io.StringIO()
    progress = batch.Progress(3, stream)
    progress.finished("2018-city", {"status": "ok", "seconds": 4.2})
    progress.finished("2018-370781", {"status": "failed", "seconds": 1.0, "error": {
        "cell": 3, "ename": "CatalogueError", "evalue": "bad", "notebook": "_failed/x.ipynb"}})
    progress.finished("2018-370782", {"status": "failed", "seconds": 1.0, "error": {
        "step": "letters", "cell": None, "ename": "LetterTemplateError", "evalue": "no {{ items }}"}})
    text = stream.getvalue()
    assert re.search(r"letters\W+LetterTemplateError", text)
    assert "[1/3]" in text and "2018-city" in text and "[2/3]" in text
    assert "CatalogueError" in text and "_failed/x.ipynb" in text


def test_manifest_is_json_with_sorted_rounds(tmp_path):
    from workbench.batch.params import YearPlan

    plan = YearPlan(2018, tmp_path / "2018.yaml", tmp_path, [], "abc")
    m = batch.Manifest.open(plan)
    m.record("2018-370781", {"status": "ok"})
    m.record("2018-city", {"status": "ok"})
    doc = json.loads((tmp_path / "manifest.json").read_text())
    assert list(doc["rounds"]) == ["2018-370781", "2018-city"] and doc["catalogue_hash"] == "abc"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]


def test_db_password_stays_out_of_the_notebook(ro_archive, tmp_path, monkeypatch):
    monkeypatch.setattr(ro_archive, "url", "postgresql://officer:s3cret@dbhost/workbench")
    task = plan_year(2018, ro_archive, write_params(tmp_path, areas=["city"])).tasks[0]
    assert task.parameters["db"] == "" and "s3cret" in task.db_url
    assert "s3cret" not in json.dumps(task.parameters) + json.dumps(task.inputs)


def test_one_batch_at_a_time_per_folder(tmp_path):
    lock = batch._lock(tmp_path)
    with pytest.raises(WorkbenchError, match=f"process {os.getpid()}"):
        batch._lock(tmp_path)
    lock.write_text("999999999")  # a process that is gone: its lock is taken over
    assert batch._lock(tmp_path) == lock and lock.read_text() == str(os.getpid())


def test_year_overview_counts_and_units_under_60():
    from workbench.batch.index import overview

    rows = [  # round, area, level, unit, matter, category, status, completion %, band
        ("2019-city", "city", "city", "C1", "m1", "establish", "complete", 55.0, "差"),
        ("2019-city", "city", "city", "C1", "m2", "change", "complete", 62.0, "中"),
        ("2019-city", "city", "city", "C2", "m3", "change", "complete", 95.0, "优"),
        ("2019-370781", "370781", "county", "Q1", "m4", "merge", "complete", 81.0, "良"),
        ("2019-370781", "370781", "county", "Q2", "m5", "abolish", "incomplete", None, None),
    ]
    cols = ["round_id", "area", "level", "unit_id", "matter_id", "category", "status",
            "completion_pct", "band"]
    results = pd.DataFrame(rows, columns=cols).assign(unit_name=lambda d: "单位" + d["unit_id"])
    view = overview(results, "zh")
    table = view["level_category"]
    assert table.loc["市级", "设立"] == 1 and table.loc["市级", "变更"] == 2
    assert table.loc["县(市、区)", "合计"] == 2 and table.loc["合计", "合计"] == 5
    assert view["bands"].to_dict() == {"优": 1, "良": 1, "中": 1, "差": 1}
    assert view["under_60"] == [{"area": "潍坊市(市级)", "round_id": "2019-city", "unit": "单位C1",
                                 "pct": 58.5, "matters": 2}]


def test_progress_on_a_terminal_shows_the_running_rounds():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = batch.Progress(13, stream)
    progress.tick(["2018-city", "2018-370702"])
    line = stream.getvalue()
    assert line.startswith("\r") and "[0/13] 00:00" in line and "2018-city, 2018-370702" in line

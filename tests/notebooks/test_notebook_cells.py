"""What a JupyterLab user opens: code collapsed, and the round a notebook names is the round it
uses (issue 13: ``WORKBENCH_ROUND`` silently replaced the round of notebooks 06 and 07)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_opens_collapsed_except_the_parameters(path):
    for cell in code_cells(path):
        hidden = cell["metadata"].get("jupyter", {}).get("source_hidden", False)
        assert hidden != ("parameters" in cell["metadata"].get("tags", [])), (path.name, "".join(cell["source"])[:60])


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if any(
    "round_id =" in "".join(c["source"]) for c in code_cells(p))], ids=lambda p: p.name)
def test_the_round_in_the_parameters_cell_wins_over_the_environment(path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_ROUND", "1999-city")
    params = next(c for c in code_cells(path) if "parameters" in c["metadata"].get("tags", []))
    scope: dict = {}
    exec("".join(params["source"]), scope)  # the cell as JupyterLab would run it
    assert scope["round_id"] != "1999-city" and scope["round_id"][:4].isdigit()


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS if p.name != "round_report.ipynb"])
def test_a_served_page_has_a_chinese_title(name):  # the batch report gets its title from the round
    # Voilà uses the notebook's metadata title for the browser tab, else the file name
    # ("officer_app"): an English identifier is the first thing an officer would read.
    title = json.loads((NOTEBOOKS[0].parent / name).read_text(encoding="utf-8"))["metadata"].get("title", "")
    assert title.startswith("跟踪问效"), title

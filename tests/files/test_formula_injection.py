"""Formula injection: ids, names and notes that a spreadsheet would run come out of every export
as text — read back from the written .csv/.xlsx — while the archive keeps them exactly."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workbench.archive.store import Archive
from workbench.cli import main
from workbench.files import csv_bytes, write_workbook
from workbench.files.importing import import_entries, import_matters, import_units
from workbench.rounds.lifecycle import create_round, select_round
from workbench.rounds.survey import export_survey

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\tTAB", "\rCR"]
UNITS = ("unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,approved_sections\n"
         "=U1,=HYPERLINK(\"http://evil.example\"),city,,事业单位,20,18,3,4\n"
         "@U2,+cmd|' /C calc'!A0,city,,事业单位,10,9,1,2\n")
MATTERS = ("matter_id,unit_id,category,approved_on,doc_no,summary\n"
           "-M1,=U1,设立,2017-05-10,=1+1,@SUM(A1)\n"
           "+M2,@U2,设立,2017-06-01,-3,=cmd\n")


def live_csv_cells(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [c for row in rows for c in row if c[:1] in ("=", "+", "@", "\t", "\r")
            or (c[:1] == "-" and not _is_number(c))]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def formula_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


@pytest.fixture
def hostile(tmp_path, catalogue) -> Archive:
    """An archive whose ids, names, document numbers, summaries and notes all start like formulas,
    with every indicator of both matters entered, so the round can be scored."""
    a = Archive(str(tmp_path / "a.db"))
    (tmp_path / "u.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "m.csv").write_text(MATTERS, encoding="utf-8")
    import_units(a, tmp_path / "u.csv")
    import_matters(a, tmp_path / "m.csv")
    create_round(a, 2018, "city")
    select_round(a, "2018-city")
    ind = catalogue.indicators[catalogue.indicators["category"] == "establish"]
    answer = {"graded": "基本落实", "yes_no": "是", "ratio": "0.9"}
    rows = [{"matter_id": m, "indicator_id": i, "source": s, "result": answer[k], "note": HOSTILE[n % 6]}
            for m in ("-M1", "+M2") for s in ("self", "verified")
            for n, (i, k) in enumerate(ind["kind"].items())]
    pd.DataFrame(rows).to_csv(tmp_path / "e.csv", index=False, lineterminator="\r\n")  # quotes the CR
    import_entries(a, tmp_path / "e.csv", catalogue)
    return a


def test_the_writers_neutralise_text_and_keep_numbers(tmp_path):
    df = pd.DataFrame({"text": HOSTILE + ["plain"], "number": [-1.5, -2, 3, 0, 1, 2, 7]})
    data = csv_bytes(df)
    assert live_csv_cells(data) == []
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["number"].tolist() == [-1.5, -2, 3, 0, 1, 2, 7]  # negative numbers stay numbers
    assert back["text"].iloc[0] == "'" + HOSTILE[0]
    path = write_workbook(tmp_path / "x.xlsx", {"s": df})
    assert formula_cells(path) == []
    ws = openpyxl.load_workbook(path)["s"]
    assert ws["A2"].value == HOSTILE[0] and ws["A2"].data_type == "s"  # exact text, as a string cell
    assert ws["B2"].value == -1.5 and ws["B2"].data_type == "n"


def test_every_export_of_a_hostile_archive(tmp_path, hostile, catalogue):
    db = str(tmp_path / "a.db")
    out = tmp_path / "out"
    assert main(["score", "--db", db, "--round", "2018-city",
                 "--out", str(out / "r.csv"), "--out", str(out / "r.xlsx")]) == 0
    assert "-M1" in hostile.latest_results("2018-city")["matter_id"].tolist()  # archive keeps it exact
    assert live_csv_cells((out / "r.csv").read_bytes()) == []
    assert "'-M1" in (out / "r.csv").read_text(encoding="utf-8-sig")
    assert formula_cells(out / "r.xlsx") == []

    assert main(["history", "--db", db, "--unit", "=U1", "--out", str(out / "h.zip")]) == 0
    with zipfile.ZipFile(out / "h.zip") as z:
        csvs = [n for n in z.namelist() if n.endswith(".csv")]
        assert csvs and all(live_csv_cells(z.read(n)) == [] for n in csvs)

    assert main(["robustness", "--db", db, "--round", "2018-city", "--draws", "50",
                 "--out", str(out / "rob.xlsx")]) == 0
    assert formula_cells(out / "rob.xlsx") == []
    assert main(["robustness", "--db", db, "--round", "2018-city", "--draws", "50",
                 "--out", str(out / "rob.csv")]) == 0
    for f in out.glob("rob*.csv"):
        assert live_csv_cells(f.read_bytes()) == [], f.name

    survey = export_survey(hostile, "2018-city", "=U1", out / "survey.xlsx", catalogue)
    assert formula_cells(survey) == []
    texts = {c.value for ws in openpyxl.load_workbook(survey).worksheets for row in ws.iter_rows() for c in row}
    assert "-M1" in texts  # the unit sees its matter id as it is

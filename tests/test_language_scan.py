"""Chinese everywhere in zh mode, English in en mode: every table, workbook, CSV, zip and page the
workbench writes from the demo is scanned as a reader would see it.

zh: no untranslated identifier — a snake_case word or a column key (a schema column or a glossary
key such as ``matters``, ``change``, ``complete``) — in any visible header or cell of an .xlsx,
a .csv, a zip's CSVs and JSON, or the text of an HTML page. en: no Chinese in the words that
should be English (headers, sheet names, headings, chart axes and legends), proper names and
data (unit names, areas) excepted. A failure names the file (and cell) and the leak.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import ipywidgets as W
import openpyxl
import pytest

from workbench.archive import Archive
from workbench.archive.schema import metadata
from workbench.batch import report as batch_report
from workbench.cli import main
from workbench.dashboard.view import Dashboard
from workbench.files import load_catalogue
from workbench.labels import LABELS
from workbench.rounds import survey

ROUND, OPEN_ROUND, UNIT = "2020-city", "2021-city", "C001"
CJK = re.compile(r"[\u3400-\u9fff]")
SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
#: a lower-case word standing alone (not part of a path, file name, code or URL)
WORD = re.compile(r"(?<![\w./#-])[a-z][a-z0-9_]+(?![\w/.-])")


def column_keys() -> set[str]:
    return ({k for k in LABELS if re.fullmatch(r"[a-z][a-z0-9_]*", k)}
            | {c.name for table in metadata.tables.values() for c in table.columns})


def produce(demo_db: Path, out: Path, lang: str) -> Path:
    """Every kind of file an officer or a leader gets, written from a copy of the demo in ``lang``."""
    out.mkdir(parents=True)
    db = out / "demo.db"
    shutil.copy(demo_db, db)
    cli = ["--lang", lang]
    assert main([*cli, "score", "--db", str(db), "--round", ROUND, "--out", str(out / "score.csv"),
                 "--out", str(out / "score.xlsx"), "--dry-run"]) == 0  # sealed: shown, not archived
    assert main([*cli, "feedback", "--db", str(db), "--round", ROUND, "--out", str(out / "feedback"),
                 "--by", "王建华", "--issued-on", "2020-06-01"]) == 0
    assert main([*cli, "history", "--db", str(db), "--unit", UNIT, "--out", str(out / "history.zip")]) == 0
    assert main([*cli, "decisions", "--db", str(db), "--out", str(out / "decisions.xlsx")]) == 0
    assert main([*cli, "decisions", "--db", str(db), "--out", str(out / "decisions.csv")]) == 0
    archive, catalogue = Archive(str(db)), load_catalogue()
    unit = survey.round_units(archive, OPEN_ROUND)["unit_id"].iloc[0]
    survey.export_survey(archive, OPEN_ROUND, unit, out / "survey.xlsx", catalogue, lang)
    report = batch_report.load_round_report(ROUND, str(db))
    sections = (batch_report.header, batch_report.scope, batch_report.results_table, batch_report.unit_ranking,
                batch_report.self_vs_verified)
    (out / "batch-report.html").write_text("".join(f(report, lang).data for f in sections))
    page = Dashboard(Archive(str(db), read_only=True), lang=lang)
    (out / "dashboard.html").write_text("".join(_html_of(page.widget)))
    archive.dispose()
    db.unlink()
    return out


def _html_of(widget):
    if isinstance(widget, W.HTML):
        yield widget.value
    for child in getattr(widget, "children", ()):
        yield from _html_of(child)


def visible_text(name: str, data: bytes) -> list[tuple[str, str, bool]]:
    """(where, text, is_a_label) of everything a reader sees in a file; zips are opened."""
    out: list[tuple[str, str, bool]] = []
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        for ws in book.worksheets:
            if ws.sheet_state != "visible":  # the re-import's machine sheet
                continue
            hidden = {k for k, d in ws.column_dimensions.items() if d.hidden}
            out.append((f"{name}[{ws.title}]", ws.title, True))
            for row in ws.iter_rows():
                out += [(f"{name}[{ws.title}]!{c.coordinate}", c.value, c.row == 1) for c in row
                        if isinstance(c.value, str) and c.column_letter not in hidden]
    elif name.endswith(".csv"):
        for i, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8-sig")))):
            out += [(f"{name} row {i + 1}", v, i == 0) for v in row]
    elif name.endswith(".json"):
        def walk(o):
            if isinstance(o, dict):
                for k, v in o.items():
                    yield k, "." not in k  # a file's name (its checksum's key) is data, not a label
                    yield from walk(v)
            elif isinstance(o, list):
                for v in o:
                    yield from walk(v)
            elif isinstance(o, str):
                yield o, False
        out += [(name, s, label) for s, label in walk(json.loads(data))]
    elif name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for n in z.namelist():
                out += visible_text(f"{name}!{n}", z.read(n))
    elif name.endswith(".html"):
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", data.decode(), flags=re.S)
        labels = [m.group(2) for m in re.finditer(r"<(th|h[1-6]|label|button|title|caption)\b[^>]*>(.*?)</\1>",
                                                   text, re.S)]
        labels += re.findall(r"<text\b[^>]*>(.*?)</text>", text, re.S)  # SVG axes, legends, titles
        out += [(name, html.unescape(re.sub(r"<[^>]+>", "", s)), True) for s in labels]
        out.append((name, html.unescape(re.sub(r"<[^>]+>", " ", text)), False))
    return out


def scan(folder: Path, found) -> list[str]:
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for where, text, is_label in visible_text(str(path.relative_to(folder)), path.read_bytes()):
            leaks += [f"{where}: {leak}" for leak in found(str(text), is_label)]
    return sorted(set(leaks))


@pytest.fixture(scope="module")
def outputs(demo_db, tmp_path_factory):
    # ``main(["--lang", …])`` sets WORKBENCH_LANG for the process: put it back for the tests after
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_LANG", os.environ.get("WORKBENCH_LANG", "zh"))
        return {lang: produce(demo_db, tmp_path_factory.mktemp(lang) / "out", lang) for lang in ("zh", "en")}


def test_every_file_scanned(outputs):
    """The scan covers what the issue lists: a missing kind of file would pass a scan silently."""
    for folder in outputs.values():
        names = {p.name for p in folder.rglob("*")}
        assert {"score.csv", "score.xlsx", "history.zip", "survey.xlsx", "batch-report.html", "dashboard.html",
                f"{ROUND}-问效汇总.xlsx", f"{ROUND}-专题问效报告.html", "decisions.xlsx", "decisions.csv"} <= names
        with zipfile.ZipFile(folder / "history.zip") as z:
            assert {"manifest.json", "events.csv", "decisions.csv", "results.csv"} <= set(z.namelist())


def test_zh_outputs_have_no_untranslated_identifier(outputs):
    keys = column_keys()

    def found(text: str, _is_label: bool) -> list[str]:
        return sorted({w for w in WORD.findall(text) if SNAKE.fullmatch(w) or w in keys})

    leaks = scan(outputs["zh"], found)
    assert not leaks, "English identifiers in zh outputs:\n" + "\n".join(leaks[:80])


def test_the_scan_catches_a_leak(tmp_path):
    """The zh check fails on what it is meant to catch (a raw key header, a code value, JSON keys)."""
    keys = column_keys()
    (tmp_path / "t.csv").write_text("事项编号,lowest_pct\nM1,change\n", encoding="utf-8-sig")
    (tmp_path / "m.json").write_text(json.dumps({"counts": {"结果": 1}}))
    leaks = scan(tmp_path, lambda text, _: [w for w in WORD.findall(text) if SNAKE.fullmatch(w) or w in keys])
    assert leaks == ["m.json: counts", "t.csv row 1: lowest_pct", "t.csv row 2: change"]


def test_en_labels_have_no_chinese(outputs, demo_db):
    """Headers, sheet names, headings and chart words are English; names of units and areas are data."""
    archive = Archive(str(demo_db), read_only=True)
    names = set(archive.units()["name"]) | set(archive.organisation().counties.values())
    archive.dispose()

    def found(text: str, is_label: bool) -> list[str]:
        bare = re.sub(r"^\d+\. ", "", text).strip(" ◀")
        return [text] if is_label and CJK.search(text) and bare not in names else []

    leaks = scan(outputs["en"], found)
    assert not leaks, "Chinese in en labels:\n" + "\n".join(leaks[:80])

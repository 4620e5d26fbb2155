"""The organisation is configuration: the file is checked (every mistake named), recorded in the
archive, and a second office — 淄博市, made-up units on real division codes — runs the core, a
round, feedback letters, a county filing and the dashboard without a word about Weifang."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from docx import Document

from workbench.archive.store import Archive
from workbench.cli import main
from workbench.core.selection import select_matters
from workbench.dashboard.data import area_options, headline
from workbench.dashboard.fetch import fetch
from workbench.errors import ValidationError, WorkbenchError
from workbench.organisation import (
    area_name,
    default_organisation,
    load_organisation,
    parse,
    validate,
)

ZIBO = Path(__file__).resolve().parent / "zibo"
WEIFANG_WORDS = ("潍坊", "潍编", "Weifang", "潍城", "青州")


def zibo_doc() -> dict:
    return yaml.safe_load((ZIBO / "organisation.yaml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the file
def test_the_shipped_organisation_is_weifangs():
    org = default_organisation()
    assert org.office_name == "潍坊市机构编制委员会办公室" and org.own == "city"
    assert len(org.counties) == 12 and org.counties["370781"] == "青州市"
    assert area_name(org, "city") == "潍坊市(市级)" and area_name(org, "city", "en") == "Weifang (city level)"
    assert org.letter_no("city", 2018) == "潍编办函〔2018〕  号"
    assert org.letter_no("370781", 2018) == "青州编办函〔2018〕  号"
    assert org.resolve_area("青州市") == org.resolve_area("Qingzhou") == "370781"
    assert org.resolve_area("潍坊市") == "city"
    with pytest.raises(WorkbenchError, match="上海"):
        org.resolve_area("上海")


def test_every_mistake_is_named():
    doc = zibo_doc()
    doc["office"].pop("short")
    doc["level"] = "town"
    doc["subordinates"][0]["code"] = "37030"      # five digits
    doc["subordinates"][1]["code"] = "370321"     # the same as the third
    doc["subordinates"][2]["name_en"] = ""
    doc["doc_numbers"]["letter"] = "淄编办函〔{year}〕号"  # no {n}
    with pytest.raises(ValidationError) as info:
        validate(doc, "organisation.yaml")
    f = info.value.failures
    assert set(f["column"]) == {"office.short", "level", "subordinates[1].code", "subordinates[3].code",
                                "subordinates[3].name_en", "doc_numbers.letter"}
    assert "6 处错误" in str(info.value) and "organisation.yaml" in str(info.value)
    assert all(f["reason"].str.len() > 0)


def test_names_must_be_unique_and_a_county_office_has_no_subordinates():
    doc = zibo_doc()
    doc["subordinates"][1]["name"] = "淄川区"
    with pytest.raises(ValidationError) as info:
        validate(doc)
    assert list(info.value.failures["column"]) == ["subordinates[2].name"]
    doc = zibo_doc()
    doc["level"] = "county"
    with pytest.raises(ValidationError, match="1 处错误"):
        validate(doc)
    with pytest.raises(ValidationError, match="organisation"):
        parse("office: [unclosed")


def test_a_county_office_and_a_provincial_office():
    county = validate({"office": {"name": "桓台县机构编制委员会办公室", "short": "桓编办", "name_en": "Huantai Staffing Office"},
                       "level": "county", "area": {"code": "370321", "name": "桓台县", "name_en": "Huantai"},
                       "doc_numbers": {"letter": "桓编办函〔{year}〕{n}号", "approval": "桓编〔{year}〕{n}号"}})
    assert county.areas == ("county",) and county.counties == {}
    assert area_name(county, "county") == "桓台县(县级)"
    province = validate({"office": {"name": "山东省机构编制委员会办公室", "short": "鲁编办", "name_en": "Shandong Staffing Office"},
                         "level": "province", "area": {"code": "370000", "name": "山东省", "name_en": "Shandong"},
                         "subordinates": [{"code": "370300", "name": "淄博市", "name_en": "Zibo"},
                                          {"code": "370700", "name": "潍坊市", "name_en": "Weifang"}],
                         "doc_numbers": {"letter": "鲁编办函〔{year}〕{n}号", "approval": "鲁编〔{year}〕{n}号"}})
    assert province.areas == ("province", "370300", "370700") and province.subordinate_level == "city"
    assert province.office_of("370300") == "淄博市机构编制委员会办公室"
    # Selection: the office's own units by level, a subordinate's by its code.
    units = pd.DataFrame({"unit_id": ["P1", "C1"], "level": ["province", "city"], "county": [None, "370300"]})
    matters = pd.DataFrame({"matter_id": ["m1", "m2"], "unit_id": ["P1", "C1"], "category": ["change"] * 2,
                            "approved_on": [date(2017, 5, 1)] * 2})
    from workbench.core.selection import make_round
    own = select_matters(matters, units, make_round(2018, "province", areas=province.areas))
    sub = select_matters(matters, units, make_round(2018, "370300", areas=province.areas))
    assert list(own["eligible"]) == [True, False] and list(sub["eligible"]) == [False, True]


def test_init_records_the_organisation_and_refuses_a_bad_file(tmp_path, capsys):
    db = str(tmp_path / "a.db")
    bad = tmp_path / "bad.yaml"
    bad.write_text((ZIBO / "organisation.yaml").read_text(encoding="utf-8").replace('"370303"', '"3703"'),
                   encoding="utf-8")
    assert main(["init", "--org", str(bad), "--db", db]) == 2
    assert "subordinates[2].code" in capsys.readouterr().err and not Path(db).exists()
    assert main(["init", "--db", db]) == 0
    assert Archive(db).organisation().office_name.startswith("潍坊")  # none recorded: the default
    assert main(["init", "--org", str(ZIBO / "organisation.yaml"), "--db", db, "--by", "t"]) == 0
    org = Archive(db, read_only=True).organisation()
    assert org == load_organisation(ZIBO / "organisation.yaml")
    areas = Archive(db).read("organisation_areas")
    assert list(areas.sort_values("position")["area"]) == ["city", "370302", "370303", "370321"]


def test_an_organisation_cannot_drop_areas_the_archive_uses(demo_archive):
    before = demo_archive.organisation()
    with pytest.raises(WorkbenchError, match="370781"):
        demo_archive.record_organisation(load_organisation(ZIBO / "organisation.yaml"))
    assert Archive(demo_archive.url).organisation() == before


# ------------------------------------------------------------------ a second office end to end
def _entries(archive: Archive, catalogue, round_id: str, short: dict) -> Path:
    rows = []
    for m in archive.round_matters(round_id).to_dict("records"):
        for ind in catalogue.indicators_of(m["category"]).to_dict("records"):
            full = {"graded": "完全落实", "yes_no": "是"}.get(ind["kind"], "1.00")
            rows.append({"matter_id": m["matter_id"], "indicator_id": ind["indicator_id"], "source": "verified",
                         "result": short.get((m["matter_id"], ind["indicator_id"]), full), "note": ""})
    return pd.DataFrame(rows)


def _no_weifang(text: str, where: str) -> None:
    found = [w for w in WEIFANG_WORDS if w in text]
    assert not found, f"{where} mentions {found}"


def test_a_second_office_end_to_end(tmp_path, catalogue, capsys, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    db = str(tmp_path / "zibo.db")
    run = lambda *a: main([*a, "--db", db])  # noqa: E731
    assert run("init", "--org", str(ZIBO / "organisation.yaml")) == 0
    assert run("import", "units", str(ZIBO / "units.csv"), "--by", "刘敏") == 0
    assert run("import", "matters", str(ZIBO / "matters.csv"), "--by", "刘敏") == 0
    archive = Archive(db)
    assert dict(archive.units().set_index("unit_id")["county"].dropna()) == {
        "H01": "370321", "H02": "370321", "D01": "370303"}  # names typed in the file, codes stored
    # A round for the city's own units and one for a county, the county named as a user types it.
    assert run("round", "create", "--year", "2018", "--area", "city", "--by", "刘敏") == 0
    assert run("round", "create", "--year", "2018", "--area", "桓台县", "--by", "刘敏") == 0
    assert set(archive.rounds()["round_id"]) == {"2018-city", "2018-370321"}
    assert run("round", "create", "--year", "2018", "--area", "青州市", "--by", "刘敏") == 2
    assert "青州市" in capsys.readouterr().err
    out = {}
    for rid, short in (("2018-city", {("ZC-2018-001", "EST-01"): "未落实", ("ZC-2018-001", "EST-06"): "否"}),
                       ("2018-370321", {("HT-2018-002", "CHG-03"): "部分落实"})):
        assert run("select", "--round", rid, "--by", "刘敏") == 0
        entries = tmp_path / f"{rid}-entries.csv"
        _entries(archive, catalogue, rid, short).to_csv(entries, index=False, encoding="utf-8-sig")
        assert run("import", "entries", str(entries), "--round", rid, "--by", "刘敏") == 0
        out[rid] = tmp_path / f"{rid}.csv"
        assert run("score", "--round", rid, "--out", str(out[rid]), "--out", str(out[rid].with_suffix(".xlsx")),
                   "--by", "刘敏") == 0
    city = pd.read_csv(out["2018-city"], encoding="utf-8-sig")
    assert set(city["事项编号"]) == {"ZC-2018-001", "ZC-2018-002", "ZC-2018-003"}
    assert set(pd.read_csv(out["2018-370321"], encoding="utf-8-sig")["事项编号"]) == {"HT-2018-001", "HT-2018-002"}
    for path in out.values():
        _no_weifang(path.read_text(encoding="utf-8-sig"), path.name)

    # Feedback: letters from 淄博's office with its own 文号 format.
    for rid in out:
        assert run("feedback", "--round", rid, "--out", str(tmp_path / "fb" / rid), "--issued-on", "2018-05-20",
                   "--by", "刘敏") == 0
    letters = sorted((tmp_path / "fb" / "2018-city").rglob("*.docx"))
    assert len(letters) == 3
    text = "\n".join(p.text for p in Document(str(letters[0])).paragraphs)
    text += "\n".join(c.text for tbl in Document(str(letters[0])).tables for row in tbl.rows for c in row.cells)
    assert "淄博市机构编制委员会办公室" in text and "淄编办函〔2018〕" in text
    county_letter = sorted((tmp_path / "fb" / "2018-370321").rglob("*.docx"))[0]
    assert "桓台县机构编制委员会办公室" in "\n".join(p.text for p in Document(str(county_letter)).paragraphs)
    for p in (tmp_path / "fb").rglob("*"):
        if p.suffix == ".docx":
            _no_weifang("\n".join(x.text for x in Document(str(p)).paragraphs), p.name)
        elif p.suffix in (".html", ".csv"):
            _no_weifang(p.read_text(encoding="utf-8-sig"), p.name)
        elif p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                _no_weifang(" ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()), p.name)

    # The county files with the city: a package, received and recorded.
    archive.set_round_status("2018-370321", "completed")
    pkg = tmp_path / "报备.zip"
    # 桓台县 makes its signing key; the city registers its public half
    assert main(["keys", "new", "--area", "370321", "--out", str(tmp_path / "keys")]) == 0
    assert run("keys", "register", "--area", "370321", str(tmp_path / "keys" / "370321.pub"), "--by", "刘敏") == 0
    assert run("file", "--round", "2018-370321", "--out", str(pkg), "--by", "赵强", "--on", "2018-06-01",
               "--key", str(tmp_path / "keys" / "370321.key")) == 0
    assert run("receive", str(pkg), "--by", "刘敏", "--on", "2018-06-02") == 0
    filings = archive.read("filings")
    assert list(filings["area"]) == ["370321"] and list(filings["status"]) == ["received"]
    with zipfile.ZipFile(pkg) as z:
        names = z.namelist()
        assert any("桓台县" in n for n in names)
        cover = next(n for n in names if n.endswith("报备函.docx"))
        z.extract(cover, tmp_path / "cover")
    cover_text = "\n".join(p.text for p in Document(str(tmp_path / "cover" / cover)).paragraphs)
    assert "淄博市机构编制委员会办公室" in cover_text and "桓台编办报〔2018〕" in cover_text
    _no_weifang(cover_text, "cover letter")
    assert run("filings", "--year", "2018", "--as-of", "2018-12-31") == 0
    shown = capsys.readouterr().out
    assert "桓台县" in shown and "张店区" in shown  # every county of the organisation, even idle ones
    _no_weifang(shown, "filings table")

    # The dashboard's data: the organisation's areas, names and headline.
    data = fetch(Archive(db, read_only=True), today=date(2018, 12, 31))
    assert data.org.office_name.startswith("淄博")
    assert area_options(data.rounds, data.org.areas) == ["all", "city", "370321"]
    h = headline(data.results, catalogue, 2018)
    assert h["city_matters"] == 3 and h["county_matters"] == 2
    assert area_name(data.org, "city") == "淄博市(市级)"

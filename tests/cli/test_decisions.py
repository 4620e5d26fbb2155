"""``workbench decisions``: the result-use decisions listed with their numbers, as an officer reads
them — only ``rules``, when it saved new drafts, used to print the numbers ``decide`` needs."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from workbench.cli import main

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def db(demo_archive, monkeypatch) -> str:
    # ``main(["--lang", …])`` sets WORKBENCH_LANG for the process: undone after each test
    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    return demo_archive.url


def listed(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["decisions", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_zh_lists_numbers_names_and_words(db, capsys):
    code, out, err = listed(capsys, "--round", "2018-370784", "--db", db)
    assert code == 0, err
    for header in ("决定编号", "被问效对象", "问效事项", "结果运用", "状态", "截至日期", "决定人", "理由"):
        assert header in out, header
    # the unit by name, the matter by its 文号 and category, the rule and status in words
    assert "安丘市融媒体中心" in out and "安丘编〔2017〕1号 设立" in out
    assert "提出机构撤并或核减编制的处理意见" in out and "已签发" in out
    for english in ("decision_id", "unit_id", "matter_id", "reason_text", "proposal", "suspension", "signed",
                    "establish", "None", "NaT", "370784-14"):
        assert english not in out, english


def test_en_lists_in_english(db, capsys):
    code = main(["--lang", "en", "decisions", "--round", "2020-city", "--status", "draft", "--db", db])
    en = capsys.readouterr().out
    assert code == 0
    header = en.splitlines()[0]
    assert not CJK.search(header) and "Decision" in header and "Rule" in header and "Status" in header
    assert "suspend accepting the unit's staffing applications" in en and "draft" in en
    assert "市发展和改革委员会" in en  # names are data, shown as they are
    for chinese in ("草案", "暂停受理", "决定编号"):
        assert chinese not in en, chinese


def test_filter_by_round_and_status(db, capsys, tmp_path):
    out = tmp_path / "d.csv"
    assert listed(capsys, "--round", "2020-city", "--out", str(out), "--db", db)[0] == 0
    every = pd.read_csv(out, encoding="utf-8-sig")
    assert set(every["问效轮次编号"]) == {"2020-city"} and len(every) == 9
    assert set(every["状态"]) == {"草案"}

    assert listed(capsys, "--status", "signed", "--out", str(out), "--db", db)[0] == 0
    signed = pd.read_csv(out, encoding="utf-8-sig")
    assert len(signed) > 50 and set(signed["状态"]) == {"已签发"} and "2020-city" not in set(signed["问效轮次编号"])

    # a rejected draft is listed with who rejected it and why; drafts no longer include it
    first = int(every["决定编号"].min())
    assert main(["decide", str(first), "--reject", "已整改到位", "--by", "王建华", "--db", db]) == 0
    code, text, _ = listed(capsys, "--round", "2020-city", "--status", "rejected", "--db", db)
    assert code == 0 and f"{first}" in text and "已驳回" in text and "已整改到位" in text and "王建华" in text
    assert listed(capsys, "--round", "2020-city", "--status", "draft", "--out", str(out), "--db", db)[0] == 0
    drafts = pd.read_csv(out, encoding="utf-8-sig")
    assert first not in set(drafts["决定编号"]) and len(drafts) == 8


def test_nothing_found_is_said(db, capsys):
    code, out, _ = listed(capsys, "--round", "2018-city", "--status", "rejected", "--db", db)
    assert code == 0 and "没有" in out and "决定编号" not in out


def test_exported_workbook_is_in_chinese(db, capsys, tmp_path):
    out = tmp_path / "d.xlsx"
    assert listed(capsys, "--round", "2018-370784", "--out", str(out), "--db", db)[0] == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["结果运用"]
    headers = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert headers[:2] == ["决定编号", "问效轮次编号"]
    assert all(CJK.search(h) for h in headers), headers
    rows = pd.read_excel(out)
    assert "安丘编〔2017〕1号 设立" in set(rows["问效事项"]) and set(rows["被问效对象"]) >= {"安丘市融媒体中心"}


def test_an_unknown_round_is_refused(db, capsys):
    code, out, err = listed(capsys, "--round", "2031-city", "--db", db)
    assert code == 2 and out == ""
    assert "2031-city" in err and "不存在" in err and "Traceback" not in err

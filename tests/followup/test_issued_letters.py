"""A letter is issued once (issue 12, defect 2): re-issuing feedback re-prints it as issued (same
date, same 文号, same bytes); the only change is a numbered 更正函 citing the letter it corrects,
logged with who, when and why. Every 文号 comes from the register, unique, checked."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from followup_support import build_round, snapshot

from workbench.archive.store import Archive
from workbench.cli import main
from workbench.followup.docnumbers import DocNumberError, next_free, parse_doc_no, read_register
from workbench.followup.documents import issue_feedback
from workbench.followup.letters import correct_letter, issue_letters, read_corrections, read_letters
from workbench.followup.sealing import check_seal

ISSUED = date(2018, 5, 20)
FMT = "潍编办函〔{year}〕{n}号"


@pytest.fixture
def fed_back(tmp_path, catalogue):
    archive = Archive(str(tmp_path / "a.db"))
    rid = build_round(archive, catalogue)
    out = issue_feedback(archive, rid, tmp_path / "first", ISSUED, "王建华", catalogue=catalogue)
    return archive, rid, out


def test_register_numbers_in_order_and_checks_typed_numbers():
    assert parse_doc_no(FMT, "潍编办函〔2020〕17号") == (2020, 17)
    assert parse_doc_no(FMT, "潍编函〔2020〕17号") is None and parse_doc_no(FMT, "潍编办函〔2020〕号") is None
    import pandas as pd
    assert next_free(pd.Series([], dtype="int64")) == 1 and next_free(pd.Series([1, 2, 7])) == 8


def test_feedback_numbers_each_letter_from_the_register(fed_back):
    archive, rid, out = fed_back
    sent = read_letters(archive, rid)
    assert sent["doc_no"].tolist() == ["潍编办函〔2018〕1号", "潍编办函〔2018〕2号", "潍编办函〔2018〕3号"]
    reg = read_register(archive, 2018)
    assert reg["doc_no"].tolist() == sent["doc_no"].tolist() and reg["ref"].tolist() == [
        f"letter:{rid}:C1", f"letter:{rid}:C2", f"letter:{rid}:C3"]


def test_reissuing_feedback_on_a_sealed_round_reprints_the_letters_as_issued(fed_back, tmp_path, catalogue):
    archive, rid, first = fed_back
    before = read_letters(archive, rid)
    again = issue_feedback(archive, rid, tmp_path / "again", date(2026, 12, 3), "李晓梅", catalogue=catalogue)
    assert [p.read_bytes() for p in again["letter"]] == [p.read_bytes() for p in first["letter"]]
    after = read_letters(archive, rid)
    assert after.equals(before)  # nothing new issued, nothing re-numbered
    text = "\n".join(p.text for p in Document(str(again["letter"][1])).paragraphs)
    assert "2018年5月20日" in text and "2026" not in text
    # the letters command says the same
    paths = issue_letters(archive, rid, tmp_path / "third", date(2026, 12, 3), catalogue=catalogue)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in first["letter"]]
    assert check_seal(archive, rid).ok


def test_corrected_letter_is_numbered_cites_the_original_and_is_logged(fed_back, tmp_path, catalogue):
    archive, rid, _ = fed_back
    path = correct_letter(archive, rid, "C2", "事项M2完成度计算有误", "王建华", tmp_path / "fix", date(2018, 6, 2),
                          catalogue=catalogue)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "潍编办函〔2018〕4号" in text and "关于更正2018年度机构编制事项跟踪问效情况反馈意见的函" in text
    assert "我办于2018年5月20日向你单位发出的" in text and "(潍编办函〔2018〕2号)因事项M2完成度计算有误" in text
    assert "2018年6月2日" in text
    log = read_corrections(archive, rid)
    assert log[["unit_id", "doc_no", "reason", "by"]].values.tolist() == [
        ["C2", "潍编办函〔2018〕4号", "事项M2完成度计算有误", "王建华"]]
    original = read_letters(archive, rid).set_index("letter_id").at[int(log["corrects_letter_id"].iloc[0]), "doc_no"]
    assert original == "潍编办函〔2018〕2号"
    assert check_seal(archive, rid).ok  # the letters as sent are untouched


def test_correction_without_reason_or_with_a_taken_number_is_refused(fed_back, tmp_path, catalogue):
    archive, rid, _ = fed_back
    before = snapshot(archive)
    with pytest.raises(Exception, match="更正原因"):
        correct_letter(archive, rid, "C2", " ", "王建华", tmp_path / "fix", ISSUED, catalogue=catalogue)
    with pytest.raises(DocNumberError, match="文号“潍编办函〔2018〕2号”已用于 反馈函 2018-city · C2"):
        correct_letter(archive, rid, "C2", "更正", "王建华", tmp_path / "fix", ISSUED, "潍编办函〔2018〕2号",
                       catalogue=catalogue)
    with pytest.raises(DocNumberError, match="不符合本单位的文号格式"):
        correct_letter(archive, rid, "C2", "更正", "王建华", tmp_path / "fix", ISSUED, "第17号", catalogue=catalogue)
    assert snapshot(archive) == before and not (tmp_path / "fix").exists()
    path = correct_letter(archive, rid, "C2", "更正", "王建华", tmp_path / "fix", ISSUED, "潍编办函〔2018〕17号",
                          catalogue=catalogue)
    assert "潍编办函〔2018〕17号" in "\n".join(p.text for p in Document(str(path)).paragraphs)
    # the next free number goes on after the highest given
    correct_letter(archive, rid, "C1", "更正", "王建华", tmp_path / "fix", ISSUED, catalogue=catalogue)
    assert read_letters(archive, rid)["doc_no"].iloc[-1] == "潍编办函〔2018〕18号"


def test_cli_correct_letter(fed_back, tmp_path, capsys):
    archive, rid, _ = fed_back
    code = main(["letters", "--round", rid, "--out", str(tmp_path / "c"), "--correct", "C3", "--reason", "单位名称有误",
                 "--by", "王建华", "--issued-on", "2018-06-03", "--db", archive.url])
    out = capsys.readouterr().out
    assert code == 0 and "已生成更正函 潍编办函〔2018〕4号(更正 潍编办函〔2018〕3号)" in out
    code = main(["letters", "--round", rid, "--out", str(tmp_path / "c"), "--correct", "C3", "--by", "王建华",
                 "--db", archive.url])
    assert code == 2 and "更正原因" in capsys.readouterr().err


def test_chinese_numeral_date_for_templates_that_want_it():
    from workbench.followup.letters import cn_date, cn_numeral_date

    assert cn_numeral_date(date(2020, 9, 30)) == "二〇二〇年九月三十日"
    assert cn_numeral_date(date(2018, 10, 1)) == "二〇一八年十月一日"
    assert cn_numeral_date(date(2021, 12, 25)) == "二〇二一年十二月二十五日"
    assert cn_date(date(2020, 9, 30)) == "2020年9月30日"  # GB/T 9704-2012 §7.3.5.3: Arabic numerals


def test_cli_lists_the_register(fed_back, capsys):
    archive, rid, _ = fed_back
    assert main(["doc-numbers", "--year", "2018", "--db", archive.url]) == 0
    out = capsys.readouterr().out
    assert "潍编办函〔2018〕3号" in out and "反馈函 2018-city · C3" in out and "文号" in out
    assert "letter:" not in out  # the register's key is not shown to people


def test_what_a_number_numbers_in_words():
    from workbench.followup.docnumbers import ref_words

    assert ref_words("letter:2018-city:C3", "zh") == "反馈函 2018-city · C3"
    assert ref_words("correction:2020-city:C001:1", "en") == "correction 2020-city · C001 · 1"
    assert ref_words("filing:2020-370781", "zh") == "报备函 2020-370781"
    assert ref_words("something else", "zh") == "something else"

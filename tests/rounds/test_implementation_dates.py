"""Implementation dates as an officer records them: a file with Chinese (or English) headers through
the CLI, all-or-nothing with every bad cell named in the file's own words, or the verification
form's date pickers; the cycle comes back from the archive."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from workbench.archive import implementation
from workbench.cli import main
from workbench.forms.verify import VerificationForm
from workbench.rounds import read_cycles

ROUND = "2021-city"  # the demo's round in progress: no dates recorded yet
HEADERS_ZH = ["事项编号", "组建到位日期", "科室设置完成日期", "法人登记(变更登记)日期"]


def _matters(archive, n=2):
    return archive.round_matters(ROUND).head(n)[["matter_id", "approved_on"]].to_dict("records")


def test_import_with_chinese_headers_then_the_cycle(demo_archive, tmp_path):
    m1, m2 = _matters(demo_archive)
    path = tmp_path / "落实日期.csv"
    pd.DataFrame([[m1["matter_id"], "2021-01-10", "2021-02-20", ""],
                  [m2["matter_id"], "", "2021-03-01", "2021-03-15"]], columns=HEADERS_ZH) \
        .to_csv(path, index=False, encoding="gb18030")  # as Chinese Excel saves it
    assert main(["import", "implementation", str(path), "--round", ROUND, "--db", demo_archive.url,
                 "--by", "王建华"]) == 0
    cycles = read_cycles(demo_archive).set_index("matter_id")
    got = cycles.loc[m1["matter_id"]]
    assert got["sections_on"] == date(2021, 2, 20) and pd.isna(got["registered_on"])
    expected = (pd.Timestamp("2021-02-20") - pd.Timestamp(m1["approved_on"])).days / (365.25 / 12)
    assert got["sections_months"] == pytest.approx(expected, abs=0.01) and got["year"] == 2021


def test_a_bad_file_writes_nothing_and_names_every_cell(demo_archive, tmp_path, capsys):
    m1, m2 = _matters(demo_archive)
    before = demo_archive.read(implementation)
    path = tmp_path / "dates.xlsx"
    pd.DataFrame([[m1["matter_id"], "2021-13-01", "", ""],  # no 13th month
                  [m2["matter_id"], "", "2001-01-01", ""],  # before the approval
                  ["NOPE", "", "", ""]], columns=HEADERS_ZH).to_excel(path, index=False)
    assert main(["import", "implementation", str(path), "--round", ROUND, "--db", demo_archive.url]) == 2
    err = capsys.readouterr().err
    assert "dates.xlsx:3 处错误" in err
    assert "第2行 [组建到位日期] «2021-13-01»" in err and "第3行 [科室设置完成日期] «2001-01-01»: 早于批复日期" in err
    assert "第4行 [事项编号] «NOPE»: 该事项不在本轮问效范围内" in err
    assert demo_archive.read(implementation).equals(before)
    assert main(["import", "implementation", str(path), "--db", demo_archive.url]) == 2  # the round is needed
    assert "--round" in capsys.readouterr().err


def test_english_headers_and_a_correction_replaces(demo_archive, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "zh")  # ``--lang en`` sets it for the process: restored after
    (m1,) = _matters(demo_archive, 1)
    path = tmp_path / "d.csv"
    for sections in ("2021-02-20", "2021-01-31"):
        pd.DataFrame({"Matter ID": [m1["matter_id"]], "Sections set up on": [sections]}).to_csv(path, index=False)
        assert main(["--lang", "en", "import", "implementation", str(path), "--round", ROUND,
                     "--db", demo_archive.url]) == 0
    rows = demo_archive.read(implementation, implementation.c.matter_id == m1["matter_id"])
    assert len(rows) == 1 and rows.iloc[0]["sections_on"] == date(2021, 1, 31)


def test_the_verification_form_records_the_dates(demo_archive):
    form = VerificationForm(demo_archive, ROUND, lang="zh", officer="王建华")
    mid = form.matter.value
    assert [w.value for w in form.dates.values()] == [None, None, None]
    form.dates["staffed_on"].value, form.dates["sections_on"].value = date(2021, 1, 4), date(2021, 2, 1)
    form.dates_button.click()
    assert form.last_error is None and "已保存" in form.message.value
    again = VerificationForm(demo_archive, ROUND, lang="zh", officer="王建华", matter_id=mid)
    assert [w.value for w in again.dates.values()] == [date(2021, 1, 4), date(2021, 2, 1), None]
    form.dates["sections_on"].value = date(1999, 1, 1)  # before the approval: refused, nothing written
    form.dates_button.click()
    assert form.last_error and "早于批复日期" in form.message.value
    assert VerificationForm(demo_archive, ROUND, matter_id=mid).dates["sections_on"].value == date(2021, 2, 1)

"""The CLI as a user runs it: a subprocess end to end, and every user mistake as a clear
message on stderr with exit code 2 and no traceback."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300)


def test_end_to_end_from_empty_archive(tmp_path):
    db = str(tmp_path / "w.db")
    (tmp_path / "u.csv").write_text(
        "unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,approved_sections\n"
        "Q1,青州市数据中心,county,370781,事业单位,10,9,2,3\n", encoding="utf-8")
    (tmp_path / "m.csv").write_text(
        "matter_id,unit_id,category,approved_on,doc_no,summary\nQ-1,Q1,撤销,2017-05-01,青编〔2017〕1号,撤销\n",
        encoding="gb18030")
    (tmp_path / "e.csv").write_text(
        "matter_id,indicator_id,source,result,note\n"
        + "".join(f"Q-1,{i},verified,{v},\n" for i, v in
                  zip(["ABL-01", "ABL-02", "ABL-03", "ABL-04", "ABL-05"], ["完全落实", "0.8", "1", "是", "不适用"])),
        encoding="utf-8-sig")
    steps = [
        ["init", "--db", db],
        ["import", "units", str(tmp_path / "u.csv"), "--db", db],
        ["import", "matters", str(tmp_path / "m.csv"), "--db", db],
        ["round", "create", "--year", "2018", "--area", "370781", "--db", db],
        ["select", "--round", "2018-370781", "--db", db],
        ["import", "entries", str(tmp_path / "e.csv"), "--db", db, "--by", "王建华"],
        ["score", "--round", "2018-370781", "--db", db, "--out", str(tmp_path / "out.csv")],
    ]
    for step in steps:
        r = run(*step)
        assert r.returncode == 0, (step, r.stderr)
    assert "1 个被问效对象、1 个问效事项" in run("select", "--round", "2018-370781", "--db", db).stdout
    out = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")
    # a file for people: Chinese headers and words, the unit named beside its id
    assert list(out.columns) == ["事项编号", "单位编号", "单位名称", "事项类别", "状态", "得分", "适用权重",
                                 "完成情况百分比", "等次", "类内排名"]
    # (25 + 20 + 20 + 20) / 90
    assert out.iloc[0]["完成情况百分比"] == pytest.approx(94.44) and out.iloc[0]["等次"] == "优"
    assert out.iloc[0]["状态"] == "已完成"


def test_demo_and_score_print_the_2018_city_round(tmp_path):
    db = str(tmp_path / "d.db")
    assert run("demo", "--db", db).returncode == 0
    r = run("score", "--round", "2018-city", "--db", db, "--out", str(tmp_path / "r.xlsx"),
            "--out", str(tmp_path / "r.csv"), "--dry-run")  # as `make demo` does: the round is sealed
    assert r.returncode == 0 and "青州古城管委会" in r.stdout and "完成情况百分比" in r.stdout
    assert len(pd.read_excel(tmp_path / "r.xlsx")) == 14
    csv, xlsx = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig"), pd.read_excel(tmp_path / "r.xlsx")
    assert csv["完成情况百分比"].tolist() == xlsx["完成情况百分比"].tolist()
    again = run("demo", "--db", db)
    assert again.returncode == 2 and "--force" in again.stderr


def digest(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "args, message",
    [
        (["score", "--round", "2031-city", "--out", "x.csv"], "workbench round create"),
        (["round", "create", "--year", "2018", "--area", "beijing"], "370781"),
        (["select", "--round", "2018-nowhere"], "2018-nowhere"),
        (["import", "units", "/nonexistent/units.csv"], "文件不存在"),
        (["import", "units", "units.txt"], "仅支持"),
    ],
)
def test_user_mistakes_are_messages_not_tracebacks(demo_archive, capsys, args, message, tmp_path):
    db = str(demo_archive.url.removeprefix("sqlite:///"))
    before = digest(db)
    (tmp_path / "units.txt").write_text("x")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main([*args, "--db", db])
    finally:
        os.chdir(old)
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert digest(db) == before


def test_bad_weights_file_is_rejected(demo_archive, capsys, tmp_path):
    w = tmp_path / "w.yaml"
    w.write_text("weights: {EST-01: 50}\n", encoding="utf-8")
    code = main(["score", "--round", "2018-city", "--weights", str(w), "--out", str(tmp_path / "o.csv"),
                 "--db", demo_archive.url])
    assert code == 2 and "缺少权重" in capsys.readouterr().err


def test_bad_date_option_is_explained():
    r = run("round", "create", "--year", "2018", "--area", "city", "--eval-date", "2018/04/15")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr


def test_english_messages(demo_archive, capsys):
    code = main(["--lang", "en", "score", "--round", "2031-city", "--out", "x.csv", "--db", demo_archive.url])
    assert code == 2 and "does not exist" in capsys.readouterr().err
    os.environ.pop("WORKBENCH_LANG", None)


def test_a_chinese_session_prints_no_english(tmp_path, capsys, monkeypatch):
    # Walking the README in zh mode printed "archive ready: Archive(...)", "2 rows read, 2 written",
    # "window … evaluation …", "error: …" and a key list headed key_id/registered_by with None cells.
    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    db = str(tmp_path / "w.db")
    units = tmp_path / "u.csv"
    units.write_text("unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,"
                     "approved_sections\nQ1,青州市数据中心,county,370781,事业单位,10,9,2,3\n", encoding="utf-8")
    for argv in (["init", "--db", db], ["import", "units", str(units), "--db", db],
                 ["round", "create", "--year", "2018", "--area", "370781", "--db", db], ["keys", "list", "--db", db]):
        assert main(argv) == 0, argv
    assert main(["round", "create", "--year", "2018", "--area", "370781", "--db", db]) == 2
    out, err = capsys.readouterr()
    for english in ("archive ready", "rows read", "written", "window", "evaluation", "error:", "key_id",
                    "registered_by", "None"):
        assert english not in out + err, english
    assert "档案已就绪" in out and "读取 1 行" in out and "问效日期 2018-04-15" in out and err.startswith("错误:")


def test_users_are_listed_in_words():
    # `workbench users list` showed login/role/active headers, officer, True and None in zh mode
    from workbench.cli.users import users_table

    listed = pd.DataFrame([{"login": "wang_jh", "area": "370703", "role": "officer", "unit_id": None, "active": False,
                            "created_by": None, "created_at": pd.Timestamp("2026-01-05 10:00")},
                           {"login": "chen_zq", "area": "city", "role": "leader", "unit_id": "C001", "active": True,
                            "created_by": "admin", "created_at": pd.Timestamp("2026-01-05 10:00")}])
    text = users_table(listed, "zh")
    for english in ("login", "role", "active", "officer", "leader", "True", "False", "None", "city"):
        assert english not in text, english
    assert "经办人员" in text and "领导" in text and "市级" in text and "否" in text


@pytest.mark.parametrize("argv", [["rules", "--by", "王建华"], ["decide", "1", "--sign", "--by", "王建华"],
                                  ["round", "create", "--year", "2018", "--area", "city"], ["keys", "list"],
                                  ["decisions"]])
def test_a_missing_archive_is_named_not_made(tmp_path, capsys, argv, monkeypatch):
    # `workbench rules` against a mistyped --db (or from a folder without data/) made an empty
    # archive there and said "no new decisions"; only init and demo make an archive.
    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    db = tmp_path / "typo.db"
    assert main([*argv, "--db", str(db)]) == 2
    assert not db.exists()
    err = capsys.readouterr().err
    assert "不存在" in err and str(db) in err and "workbench init" in err and "workbench demo" in err

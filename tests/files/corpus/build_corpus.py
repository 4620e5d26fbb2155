"""Write the corpus's input files (run once; the files are committed beside cases.yaml).

``python tests/files/corpus/build_corpus.py`` rewrites them all. Files too big to commit (over
the size limits) are made by the test itself (``make:`` in cases.yaml).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent / "files"
UNIT_HEAD = "unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,approved_sections\n"
UNIT_ROW = "C900,市数据资源管理中心,city,,事业单位,20,18,3,4\n"
MATTER_HEAD = "matter_id,unit_id,category,approved_on,doc_no,summary\n"
ENTRY_HEAD = "matter_id,indicator_id,source,result,note\n"


def units(*rows: str) -> str:
    return UNIT_HEAD + UNIT_ROW + "".join(rows)


def quota(value: str) -> str:
    return units(f"C901,市大数据中心,city,,事业单位,{value},1,1,1\n")


def matter(approved_on: str) -> str:
    return MATTER_HEAD + f"X-9,C900,设立,{approved_on},潍编〔2017〕19号,新设\n"


def ratio(value: str) -> str:
    return ENTRY_HEAD + "X-1,EST-01,verified,完全落实,\n" + f"X-1,EST-04,verified,{value},\n"


TEXT = {
    "blank_lines.csv": "\n\n\n",
    "wrong_type.txt": units(),
    "extra_fields.csv": units("C901,市大数据中心,city,,事业单位,1,1,1,1,多出来,的字段\n"),
    "unclosed_quote.csv": units('C901,"市大数据中心,city,,事业单位,1,1,1,1\n'),
    "control_char.csv": units("C901,市大数据\x07中心,city,,事业单位,1,1,1,1\n"),
    "duplicate_header.csv": "unit_id,name,name,level\nC901,甲,乙,city\n",
    "wrong_headers.csv": "编号,名字\nC901,市大数据中心\n",
    "long_unit_id.csv": units(f"{'C' * 41},市大数据中心,city,,事业单位,1,1,1,1\n"),
    "long_name.csv": units(f"C901,{'很长的名称' * 41},city,,事业单位,1,1,1,1\n"),
    "long_summary.csv": MATTER_HEAD + f"X-9,C900,设立,2017-05-10,,{'摘' * 4001}\n",
    "quota_inf.csv": quota("inf"),
    "quota_1e30.csv": quota("1e30"),
    "quota_2p63.csv": quota("9223372036854775808"),
    "quota_nan.csv": quota("nan"),
    "quota_negative.csv": quota("-3"),
    "date_no_year.csv": matter("9/30"),
    "date_year_1.csv": matter("0001-09-30"),
    "date_2031.csv": matter("2031-01-01"),
    "date_9999.csv": matter("9999-12-31"),
    "date_words.csv": matter("去年九月"),
    "ratio_inf.csv": ratio("inf"),
    "ratio_1e309.csv": ratio("1e309"),
    "ratio_nan.csv": ratio("nan"),
    "ratio_huge.csv": ratio("1e30"),
    "evaluated_matter_moved.csv": MATTER_HEAD + "X-1,C901,撤销,2017-05-10,潍编〔2017〕9号,设立市数据资源管理中心\n",
    "matter_second_file.csv": MATTER_HEAD + "Q-1,Q900,撤销,2017-04-20,青编〔2017〕3号,另一份文件的摘要\n",
    "sealed_entry_changed.csv": ENTRY_HEAD + "X-1,EST-01,verified,未落实,\n",
    "weights_bomb.yaml": ('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                          'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nweights: *c\n'),
    "db_is_csv.csv": units(),
}

BINARY = {
    "empty.csv": b"",
    "nul_byte.csv": units("C901,市大数据\x00中心,city,,事业单位,1,1,1,1\n").encode("utf-8"),
    "big5.csv": units("C901,市數據資源管理中心,市級,,事業單位,1,1,1,1\n").replace(UNIT_ROW, "").encode("big5"),
    "undecodable.csv": UNIT_HEAD.encode() + b"C901,\x81\x30\xff\xfe\xc3\x28,city,,x,1,1,1,1\n",
    "utf16le_no_bom_nul_mixed.csv": b"unit_id,name\nC9\x00\x00\x00,x\n",
    # An encrypted .xlsx is an OLE container with an "EncryptedPackage" stream; an old .xls is
    # an OLE container without one. The header and the stream name are what the check reads.
    "encrypted.xlsx": codecs.decode("d0cf11e0a1b11ae1", "hex") + b"\x00" * 504
    + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512,
    "old_format.xlsx": codecs.decode("d0cf11e0a1b11ae1", "hex") + b"\x00" * 504
    + "Workbook".encode("utf-16-le") + b"\x00" * 512,
    "not_a_zip.xlsx": units().encode("utf-8"),
}


def formula_workbook(path: Path) -> None:
    """Formulas saved without computed values (as openpyxl and many generators write them)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(UNIT_HEAD.strip().split(","))
    ws.append(UNIT_ROW.strip().split(","))
    ws.append(["C901", "市大数据中心", "city", None, "事业单位", "=SUM(F2,1)", 1, 1, 1])
    wb.save(path)


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, text in TEXT.items():
        (HERE / name).write_bytes(text.encode("utf-8"))
    for name, data in BINARY.items():
        (HERE / name).write_bytes(data)
    formula_workbook(HERE / "formula_no_value.xlsx")


if __name__ == "__main__":
    main()

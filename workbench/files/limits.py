"""Bounds checked before anything is read into memory or written to the archive.

A file that comes in is bounded by its size on disk, and an .xlsx (a zip) also by what its
entries declare they unpack to, before openpyxl opens it; a cell by the length its column has in
``archive/schema.py`` (so SQLite, which would store anything, and PostgreSQL, which would fail
with a traceback, refuse the same values, before the database); a count by a sane range; a date
by a window around today; text by the characters a Chinese office's file can hold, so that a file
in another encoding is refused rather than stored as mojibake.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from workbench.labels import register, t

MAX_FILE_BYTES = 20 * 1024 * 1024  # a whole province's matters fit in a few MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # what an .xlsx's entries may declare, together
MAX_ZIP_ENTRIES = 2_000
MAX_ROWS = 100_000
MAX_TEXT_CHARS = 4_000  # a Text column (summary, note): a long paragraph, not a book
MAX_COUNT = 1_000_000  # quotas, staff, posts, sections: whole numbers far below this
FIRST_DATE = date(1949, 10, 1)  # no staffing decision of the People's Republic is older
FUTURE_DAYS = 366  # a decision dated more than a year ahead is a typing error

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls are OLE files

register({
    "lim_not_file": {"zh": "不是文件(可能是文件夹)", "en": "not a file (a folder?)"},
    "lim_empty": {"zh": "文件为空", "en": "the file is empty"},
    "lim_too_big": {"zh": "文件过大:{size} MB,上限 {limit} MB", "en": "file too large: {size} MB, limit {limit} MB"},
    "lim_unzipped": {
        "zh": "工作簿解压后过大或条目过多({what}),不予读取",
        "en": "the workbook unpacks too large or has too many parts ({what}); not read",
    },
    "lim_encrypted": {
        "zh": "工作簿设有打开密码(已加密),无法读取:请在 Excel 中取消密码后另存为 .xlsx 再导入",
        "en": "the workbook is password-protected (encrypted): remove the password in Excel, "
              "save as .xlsx and import again",
    },
    "lim_old_xls": {
        "zh": "这是旧版 .xls 文件:请在 Excel 中另存为 .xlsx 再导入",
        "en": "this is an old .xls file: save it as .xlsx in Excel and import again",
    },
    "lim_not_xlsx": {"zh": "不是有效的 .xlsx 工作簿", "en": "not a valid .xlsx workbook"},
    "lim_nul": {"zh": "含有空字符(NUL),文件可能已损坏", "en": "contains a NUL character; the file may be damaged"},
    "lim_control": {"zh": "含有不可见的控制字符", "en": "contains an invisible control character"},
    "lim_charset": {
        "zh": "含有中文表格中不应出现的字符 «{sample}»:文件编码可能不对(例如繁体 Big5),请另存为 UTF-8 或 GB18030",
        "en": "contains characters a Chinese table should not hold «{sample}»: the encoding is probably "
              "wrong (e.g. Big5); save it as UTF-8 or GB18030",
    },
    "lim_fields": {
        "zh": "该行有 {found} 个字段,表头只有 {expected} 个(多余的逗号?)",
        "en": "the row has {found} fields but the header has {expected} (a stray comma?)",
    },
    "lim_quote": {
        "zh": "引号未闭合:从该行开始的内容无法读取",
        "en": "an unclosed quote: the file cannot be read from this row on",
    },
    "lim_csv": {"zh": "CSV 格式错误:{why}", "en": "malformed CSV: {why}"},
    "lim_header": {"zh": "表头为空或列名重复", "en": "the header is empty or repeats a column name"},
    "lim_rows": {"zh": "行数 {rows} 超过上限 {limit}", "en": "{rows} rows; the limit is {limit}"},
    "lim_too_long": {"zh": "内容过长:{length} 个字符,上限 {limit}", "en": "too long: {length} characters, limit {limit}"},
    "lim_formula": {
        "zh": "公式单元格没有计算结果:请在 Excel 中打开并保存,或直接填写数值",
        "en": "a formula cell without a computed value: open and save it in Excel, or type the value",
    },
    "lim_count": {"zh": "应为 0 至 {limit} 之间的整数", "en": "must be a whole number from 0 to {limit}"},
    "lim_date_form": {
        "zh": "日期须写全年月日,如 2017-05-10",
        "en": "a date needs year, month and day, e.g. 2017-05-10",
    },
    "lim_date_range": {"zh": "日期须在 {first} 至 {last} 之间", "en": "the date must lie between {first} and {last}"},
    "lim_sheet": {"zh": "工作簿中没有工作表 {sheet}", "en": "the workbook has no sheet {sheet}"},
})


def check_path(path: Path, lang: str | None = None) -> str | None:
    """Why ``path`` cannot be read as an input table (None if it can): a folder, empty, too big."""
    if not path.is_file():
        return t("lim_not_file", lang)
    size = path.stat().st_size
    if size == 0:
        return t("lim_empty", lang)
    if size > MAX_FILE_BYTES:
        return t("lim_too_big", lang, size=round(size / 2**20, 1), limit=MAX_FILE_BYTES // 2**20)
    return None


def check_workbook_file(path: Path, lang: str | None = None) -> str | None:
    """Why an .xlsx must not be opened (None if it may): encrypted or old .xls (an OLE file), not a
    zip, or a zip whose entries declare more than the limits — checked from the central
    directory, before anything is unpacked."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head == OLE_MAGIC:
        # An encrypted .xlsx is an OLE container holding an "EncryptedPackage" stream.
        data = path.read_bytes()
        return t("lim_encrypted", lang) if "EncryptedPackage".encode("utf-16-le") in data else t("lim_old_xls", lang)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return t("lim_not_xlsx", lang)
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_ENTRIES or total > MAX_UNZIPPED_BYTES:
        return t("lim_unzipped", lang, what=f"{len(infos)} / {round(total / 2**20)} MB")
    if any(i.flag_bits & 0x1 for i in infos):
        return t("lim_encrypted", lang)
    return None


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What a Chinese office's table holds: ASCII, Latin-1, general punctuation, letter-like and number
# forms, arrows, circled numbers, CJK punctuation, CJK ideographs (all blocks), fullwidth forms.
_EXPECTED = re.compile(
    "[^\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2100-\u21ff\u2460-\u24ff\u3000-\u303f"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f]"
)


def cell_problem(text: str, check_charset: bool) -> str | None:
    """Why a cell's text must not be stored (None if it may)."""
    if "\x00" in text:
        return t("lim_nul")
    if _CONTROL.search(text):
        return t("lim_control")
    if check_charset:
        odd = _EXPECTED.findall(text)
        if odd:
            return t("lim_charset", sample="".join(dict.fromkeys(odd))[:8])
    return None


def declared_length(table: sa.Table, column: str) -> int:
    """The length ``schema.py`` declares for a column; ``MAX_TEXT_CHARS`` for a Text column."""
    length = getattr(table.c[column].type, "length", None)
    return int(length) if length else MAX_TEXT_CHARS


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?\s*$")


def parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates written with a four-digit year first (2017-05-10, 2017/5/10, 2017年5月10日, or as
    Excel hands a date over). Returns the dates (None where not one), the cells that are not a
    full date (``9/30`` has no year: refused, not guessed) and those outside the window."""
    parts = raw.astype("string").str.extract(_DATE)
    values = []
    for y, m, d in parts.itertuples(index=False):
        try:
            values.append(date(int(y), int(m), int(d)))
        except (TypeError, ValueError):
            values.append(None)
    parsed = pd.Series(values, index=raw.index, dtype=object)
    last = date.today() + timedelta(days=FUTURE_DAYS)
    outside = parsed.map(lambda v: v is not None and not (FIRST_DATE <= v <= last)).astype(bool)
    return parsed.where(~outside, None), parsed.isna(), outside


def date_window() -> dict[str, str]:
    return {"first": FIRST_DATE.isoformat(), "last": (date.today() + timedelta(days=FUTURE_DAYS)).isoformat()}


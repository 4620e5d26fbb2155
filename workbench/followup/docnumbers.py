"""The 文号 register (发文字号登记): every number the office gives a document, once.

A number belongs to a format (the organisation's, e.g. 潍编办函〔{year}〕{n}号) and a year. The
next free number is one more than the highest given in that format and year; an officer may type
one instead (a number already taken elsewhere, say), which must fit the format and be free. Each
number names what it numbers (``ref``), so asking again for the same document gives the same
number — a re-printed letter keeps its 文号. Writes happen inside the caller's transaction, so a
number is only taken if the document that uses it is stored too.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from workbench.archive import Archive, doc_numbers, now
from workbench.errors import WorkbenchError
from workbench.labels import LABELS, register, t

register({
    "err_doc_no_taken": {"zh": "文号“{doc_no}”已用于 {ref},不能重复使用;请换一个文号或留空由系统取下一个号",
                         "en": "document number “{doc_no}” is already used by {ref}; type another or leave it blank "
                               "for the next free one"},
    "ref": {"zh": "所编文件", "en": "Numbers"},
    "typed": {"zh": "人工填写", "en": "Typed"},
    "number_by": {"zh": "经办人", "en": "By"},
    "number_at": {"zh": "登记时间", "en": "Recorded at"},
    "ref_letter": {"zh": "反馈函", "en": "feedback letter"},
    "ref_correction": {"zh": "更正函", "en": "correction"},
    "ref_filing": {"zh": "报备函", "en": "filing letter"},
    "err_doc_no_format": {"zh": "文号“{doc_no}”不符合本单位的文号格式 {example}",
                          "en": "document number “{doc_no}” does not fit the office's format {example}"},
})


class DocNumberError(WorkbenchError):
    """A typed 文号 that is taken or does not fit the format."""


def ref_words(ref: str, lang: str | None = None) -> str:
    """Pure: what a number numbers, as people say it — ``letter:2018-city:C3`` → 反馈函 2018-city · C3
    (the register's key stays as stored; an unknown kind is shown as it is)."""
    kind, _, rest = str(ref).partition(":")
    if not rest or f"ref_{kind}" not in LABELS:
        return str(ref)
    return f"{t('ref_' + kind, lang)} {' · '.join(rest.split(':'))}"


def parse_doc_no(fmt: str, doc_no: str) -> tuple[int, int] | None:
    """(year, n) of ``doc_no`` if it fits ``fmt`` (``{year}`` and ``{n}`` placeholders), else None."""
    pattern = re.escape(fmt).replace(r"\{year\}", r"(?P<year>\d{4})").replace(r"\{n\}", r"(?P<n>\d{1,5})")
    m = re.fullmatch(pattern, doc_no.strip())
    return (int(m["year"]), int(m["n"])) if m else None


def next_free(taken: pd.Series) -> int:
    """Pure: the next number after those already given (1 for the first of a year)."""
    return int(taken.max()) + 1 if len(taken) else 1


def take_number(conn, fmt: str, year: int, ref: str, by: str = "", typed: str | None = None,
                at: datetime | None = None) -> str:
    """The 文号 of the document ``ref``: the one it already has, the ``typed`` one (checked), or
    the next free one in ``fmt`` and ``year``. Call inside the transaction that stores the document."""
    c = doc_numbers.c
    held = conn.execute(sa.select(c.doc_no).where(c.ref == ref)).scalar()
    if held is not None:
        if typed and typed.strip() != held:
            raise DocNumberError(t("err_doc_no_taken", doc_no=held, ref=ref_words(ref)))
        return held
    if typed:
        doc_no = typed.strip()
        parsed = parse_doc_no(fmt, doc_no)
        if parsed is None:
            raise DocNumberError(t("err_doc_no_format", doc_no=doc_no, example=fmt.format(year=year, n=1)))
        owner = conn.execute(sa.select(c.ref).where(
            (c.doc_no == doc_no) | ((c.format == fmt) & (c.year == parsed[0]) & (c.n == parsed[1])))).scalar()
        if owner is not None:
            raise DocNumberError(t("err_doc_no_taken", doc_no=doc_no, ref=ref_words(owner)))
        year, n = parsed
    else:
        taken = pd.Series([r for (r,) in conn.execute(sa.select(c.n).where((c.format == fmt) & (c.year == year)))],
                          dtype="int64")
        n = next_free(taken)
        doc_no = fmt.format(year=year, n=n)
    conn.execute(doc_numbers.insert().values(format=fmt, year=year, n=n, doc_no=doc_no, ref=ref,
                                             typed=bool(typed), by=by, at=at or now()))
    return doc_no


def read_register(archive: Archive, year: int | None = None) -> pd.DataFrame:
    """The register as a table (every number given, in order)."""
    where = [doc_numbers.c.year == year] if year else []
    return archive.read(doc_numbers, *where).rename(columns={"by": "number_by", "at": "number_at"})

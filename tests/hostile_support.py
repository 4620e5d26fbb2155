"""A small archive for hostile-input tests, and a snapshot that shows whether it changed."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from workbench.archive import Archive, metadata
from workbench.files import import_entries, import_matters, import_units
from workbench.followup import seal_round
from workbench.rounds import create_round, score_archived_round, select_round

UNITS = """unit_id,name,level,county,kind,approved_quota,staff_in_post,approved_leader_posts,approved_sections
C900,市数据资源管理中心,city,,事业单位,20,18,3,4
C901,市大数据中心,city,,事业单位,10,9,1,2
Q900,青州市古城保护中心,县级,370781,事业单位,12,12,2,3
"""
MATTERS = """matter_id,unit_id,category,approved_on,doc_no,summary
X-1,C900,设立,2017-05-10,潍编〔2017〕9号,设立市数据资源管理中心
X-2,C900,change,2017-06-01,潍编〔2017〕12号,更名
Q-1,Q900,撤销,2017-04-20,青编〔2017〕3号,撤销所属站所
"""


def build_archive(url: str, tmp: Path, catalogue, seal: bool = True) -> None:
    """Two city units and a county one, three matters, the 2018 city round scored and sealed
    (``seal=False``: scored only)."""
    a = Archive(url)
    (tmp / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp / "matters.csv").write_text(MATTERS, encoding="utf-8")
    import_units(a, tmp / "units.csv")
    import_matters(a, tmp / "matters.csv")
    create_round(a, 2018, "city")
    select_round(a, "2018-city")
    # both city matters verified in full: a round is sealed only when it is finished
    ind = catalogue.indicators
    answer = {"graded": "完全落实", "yes_no": "是", "ratio": "1"}
    lines = ["matter_id,indicator_id,source,result,note"] + [
        f"{m},{i},verified,{answer[k]},"
        for m, category in (("X-1", "establish"), ("X-2", "change"))
        for i, k in ind.loc[ind["category"] == category, "kind"].items()]
    (tmp / "entries.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_entries(a, tmp / "entries.csv", catalogue)
    score_archived_round(a, "2018-city", catalogue)
    if seal:
        seal_round(a, "2018-city", "tester", date(2018, 6, 30))
    a.dispose()


def snapshot(url: str) -> str:
    """SQLite: the file's bytes; PostgreSQL: every row of every table, in key order."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite":
        return hashlib.sha256(Path(u.database).read_bytes()).hexdigest()
    eng = sa.create_engine(url)
    digest = hashlib.sha256()
    with eng.connect() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(sa.select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
    eng.dispose()
    return digest.hexdigest()



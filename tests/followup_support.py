"""A small scored round for the follow-through tests, on any backend, and an archive snapshot
to prove that a refused action wrote nothing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from workbench.archive.schema import metadata
from workbench.archive.store import Archive
from workbench.core.catalogue import Catalogue
from workbench.rounds.lifecycle import create_round, score_archived_round, select_round

ROUND = "2018-city"
UNITS = pd.DataFrame([
    {"unit_id": "C1", "name": "市财政局", "level": "city", "county": None, "kind": "行政机关",
     "approved_quota": 40, "staff_in_post": 38, "approved_leader_posts": 5, "approved_sections": 9},
    {"unit_id": "C2", "name": "市大数据中心", "level": "city", "county": None, "kind": "事业单位",
     "approved_quota": 30, "staff_in_post": 22, "approved_leader_posts": 4, "approved_sections": 6},
    {"unit_id": "C3", "name": "市档案馆", "level": "city", "county": None, "kind": "事业单位",
     "approved_quota": 20, "staff_in_post": 20, "approved_leader_posts": 3, "approved_sections": 4},
])
MATTERS = pd.DataFrame([
    {"matter_id": "M1", "unit_id": "C1", "category": "change", "approved_on": date(2017, 5, 2),
     "doc_no": "潍编〔2017〕11号", "summary": "市财政局内设机构调整"},
    {"matter_id": "M2", "unit_id": "C2", "category": "establish", "approved_on": date(2017, 6, 1),
     "doc_no": "潍编〔2017〕23号", "summary": "设立市大数据中心"},
    {"matter_id": "M3", "unit_id": "C3", "category": "abolish", "approved_on": date(2017, 7, 1),
     "doc_no": "潍编〔2017〕31号", "summary": "撤销市档案馆所属站所"},
])
#: verified results that are not full marks: M2 (establishment) ends well under 60%
SHORT = {("M1", "CHG-03"): "部分落实", ("M2", "EST-01"): "未落实", ("M2", "EST-03"): "未落实",
         ("M2", "EST-05"): "0.40", ("M2", "EST-06"): "否", ("M2", "EST-08"): "否"}


def full_value(kind: str) -> str:
    return {"graded": "完全落实", "yes_no": "是"}.get(kind, "1.00")


def build_round(archive: Archive, catalogue: Catalogue) -> str:
    """Three units, three matters, verified and self entries, scored once."""
    archive.import_units(UNITS)
    archive.import_matters(MATTERS)
    create_round(archive, 2018, "city", created_by="王建华")
    select_round(archive, ROUND, decided_by="王建华")
    rows = []
    for m in MATTERS.to_dict("records"):
        for ind in catalogue.indicators_of(m["category"]).to_dict("records"):
            value = SHORT.get((m["matter_id"], ind["indicator_id"]), full_value(ind["kind"]))
            for source in ("self", "verified"):
                rows.append({"round_id": ROUND, "matter_id": m["matter_id"], "indicator_id": ind["indicator_id"],
                             "source": source, "result": value if source == "verified" else full_value(ind["kind"]),
                             "note": ""})
    archive.add_entries(pd.DataFrame(rows), entered_by="王建华")
    score_archived_round(archive, ROUND, catalogue, computed_by="王建华")
    return ROUND


def snapshot(archive: Archive) -> dict[str, int]:
    """Row count of every table: equal before and after means nothing was written."""
    out = {}
    with archive.engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            out[name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    return out

"""The demo archive: Weifang's city and 12 counties, completed rounds 2018–2020, a 2021 city
round in progress.

Deterministic (fixed seeds, fixed timestamps) and built to reproduce the source's figures:
564 matters evaluated in the completed rounds — 86 city-level, 478 county-level — and a 2018 city
round of 10 units with 14 matters drawn from Oct 2016 – Sep 2017, among them 青州古城管委会,
市工业和信息化局 and 市财政局. Scores are spread as in real life: most matters carried out,
some 差, some late, some self-assessments inflated.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from workbench.archive import (
    Archive,
    entries,
    implementation,
    matters,
    round_matters,
    rounds,
    units,
)
from workbench.core import (
    Catalogue,
    default_eval_date,
    default_window,
    make_round,
    make_round_id,
    select_matters,
)
from workbench.files import load_catalogue
from workbench.organisation import load_organisation
from workbench.paths import SHIPPED_PARAMETERS
from workbench.rounds import score_archived_round

from .filing import build_filing_demo
from .followup import build_followup_demo

COMPLETED_YEARS = (2018, 2019, 2020)
IN_PROGRESS_YEAR = 2021
#: the demo is Weifang's: its organisation is the shipped one, whatever the project configures
ORGANISATION = load_organisation(SHIPPED_PARAMETERS / "organisation.yaml")
CITY = ORGANISATION.own
COUNTIES = ORGANISATION.counties

CITY_MATTERS = {2018: 14, 2019: 34, 2020: 38, 2021: 16}  # 14 + 34 + 38 = 86
COUNTY_MATTERS_TOTAL = 478
CITY_2018_UNITS = 10
NAMED_2018_UNITS = ("青州古城管委会", "市工业和信息化局", "市财政局")
CATEGORY_SHARE = {"establish": 0.36, "change": 0.36, "merge": 0.17, "abolish": 0.11}
OFFICERS = ("王建华", "李晓梅", "张国栋", "刘文静", "陈志强")

CITY_UNITS = [
    ("青州古城管委会", "参公事业单位"), ("市工业和信息化局", "行政机关"), ("市财政局", "行政机关"),
    ("市发展和改革委员会", "行政机关"), ("市教育局", "行政机关"), ("市科学技术局", "行政机关"),
    ("市民政局", "行政机关"), ("市司法局", "行政机关"), ("市人力资源和社会保障局", "行政机关"),
    ("市自然资源和规划局", "行政机关"), ("市生态环境局", "行政机关"), ("市住房和城乡建设局", "行政机关"),
    ("市交通运输局", "行政机关"), ("市水利局", "行政机关"), ("市农业农村局", "行政机关"),
    ("市商务局", "行政机关"), ("市文化和旅游局", "行政机关"), ("市卫生健康委员会", "行政机关"),
    ("市退役军人事务局", "行政机关"), ("市应急管理局", "行政机关"), ("市审计局", "行政机关"),
    ("市市场监督管理局", "行政机关"), ("市医疗保障局", "行政机关"), ("市行政审批服务局", "行政机关"),
    ("市地方金融监督管理局", "参公事业单位"), ("市住房公积金管理中心", "参公事业单位"),
    ("市大数据中心", "事业单位"), ("市机关事务服务中心", "事业单位"), ("市公共资源交易中心", "事业单位"),
    ("市检验检测中心", "事业单位"), ("市农业科学院", "事业单位"), ("市规划设计研究院", "事业单位"),
    ("市社会福利院", "事业单位"), ("市档案馆", "事业单位"), ("市政务服务中心", "事业单位"),
    ("市园林环卫服务中心", "事业单位"), ("市综合行政执法支队", "参公事业单位"),
    ("市总工会", "群团"), ("市妇女联合会", "群团"), ("共青团潍坊市委", "群团"),
]
COUNTY_UNITS = [
    ("教育和体育局", "行政机关"), ("财政局", "行政机关"), ("行政审批服务局", "行政机关"),
    ("综合行政执法局", "行政机关"), ("农业农村局", "行政机关"), ("卫生健康局", "行政机关"),
    ("市场监督管理局", "行政机关"), ("自然资源局", "行政机关"), ("水利局", "行政机关"),
    ("退役军人事务局", "行政机关"), ("医疗保障局", "行政机关"), ("应急管理局", "行政机关"),
    ("机关事务服务中心", "事业单位"), ("融媒体中心", "事业单位"), ("经济发展服务中心", "事业单位"),
    ("大数据中心", "事业单位"), ("检验检测中心", "事业单位"), ("社会治理服务中心", "事业单位"),
    ("住房公积金服务中心", "参公事业单位"), ("总工会", "群团"),
]
SUMMARIES = {
    "establish": "设立{u}下属{x},核定事业编制{n}名",
    "change": "{u}更名并调整隶属关系,{x}职责划入",
    "merge": "将{x}并入{u},整合相关职责",
    "abolish": "撤销{u}所属{x},人员编制收回",
}
#: bodies created in the 2019 institutional reform (机构改革): they exist, and have matters, only from then
REFORM_2019 = ("自然资源和规划局", "生态环境局", "农业农村局", "文化和旅游局", "卫生健康委员会", "退役军人事务局",
               "应急管理局", "医疗保障局", "教育和体育局", "卫生健康局", "自然资源局")
REFORM_CITY, REFORM_COUNTY = date(2019, 1, 25), date(2019, 3, 1)
SUB_BODIES = ("服务中心", "事务中心", "保障中心", "发展中心", "监测站", "执法大队", "研究所", "管理站")


def county_round_counts(seed: int = 478) -> dict[tuple[int, str], int]:
    """Matters per county round: 9–18 each, adjusted deterministically to sum to exactly 478."""
    keys = [(y, c) for y in COMPLETED_YEARS for c in COUNTIES]
    counts = np.random.default_rng(seed).integers(9, 19, len(keys))
    diff = COUNTY_MATTERS_TOTAL - int(counts.sum())
    i = 0
    while diff:
        step = 1 if diff > 0 else -1
        if 9 <= counts[i % len(keys)] + step <= 18:
            counts[i % len(keys)] += step
            diff -= step
        i += 1
    return dict(zip(keys, (int(c) for c in counts)))


def build_units(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for i, (name, kind) in enumerate(CITY_UNITS, 1):
        rows.append(_unit(rng, f"C{i:03d}", name, "city", None, kind))
    for code, cname in COUNTIES.items():
        for i, (suffix, kind) in enumerate(COUNTY_UNITS, 1):
            rows.append(_unit(rng, f"{code}-{i:02d}", cname + suffix, "county", code, kind))
    table = pd.DataFrame(rows)
    reform = table["name"].str.endswith(REFORM_2019)
    table["formed_on"] = [(REFORM_CITY if lv == CITY else REFORM_COUNTY) if r else None
                          for r, lv in zip(reform, table["level"])]
    table["dissolved_on"] = None
    return table


def _unit(rng, unit_id, name, level, county, kind) -> dict:
    quota = int(rng.integers(12, 90))
    return {
        "unit_id": unit_id, "name": name, "level": level, "county": county, "kind": kind,
        "approved_quota": quota, "staff_in_post": int(quota - rng.integers(0, max(2, quota // 6))),
        "approved_leader_posts": int(rng.integers(3, 7)), "approved_sections": int(rng.integers(4, 14)),
    }


def build_matters(rng: np.random.Generator, unit_table: pd.DataFrame) -> pd.DataFrame:
    """Matters published in each round's window, on units of that round's area."""
    plan = [(y, CITY, n) for y, n in CITY_MATTERS.items()]
    plan += [(y, c, n) for (y, c), n in county_round_counts().items()]
    rows = []
    for year, area, n in plan:
        pool = unit_table[unit_table["level"] == CITY] if area == CITY else unit_table[unit_table["county"] == area]
        unit_ids = _pick_units(rng, pool, year, area, n)
        start, end = default_window(year)
        cats = rng.choice(list(CATEGORY_SHARE), size=n, p=list(CATEGORY_SHARE.values()))
        for k, (uid, cat) in enumerate(zip(unit_ids, cats), 1):
            # Mostly 6–12 months old at evaluation; about a fifth older, so flagged late.
            late = rng.random() < 0.2
            lo, hi = (start, date(year - 1, 4, 14)) if late else (date(year - 1, 4, 16), end)
            approved = lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))
            prefix = "C" if area == CITY else area
            uname = pool.set_index("unit_id").at[uid, "name"]
            rows.append({
                "matter_id": f"{prefix}-{year}-{k:03d}", "unit_id": uid, "category": str(cat),
                "approved_on": approved, "doc_no": ORGANISATION.approval_no(area, approved.year, int(rng.integers(1, 80))),
                "summary": SUMMARIES[str(cat)].format(u=uname, x=str(rng.choice(SUB_BODIES)),
                                                       n=int(rng.integers(5, 30))),
            })
    return _true_to_history(pd.DataFrame(rows), unit_table)


def _true_to_history(table: pd.DataFrame, unit_table: pd.DataFrame) -> pd.DataFrame:
    """No matter for a body before it was formed (moved to the next unit of its area that
    existed), and one 文号 per matter (numbered in approval order within each area and year)."""
    units = unit_table.set_index("unit_id")
    formed = pd.to_datetime(table["unit_id"].map(units["formed_on"]))
    early = formed.notna() & (pd.to_datetime(table["approved_on"]) < formed)
    area_of = units["county"].fillna("")
    round_of = table["matter_id"].str.rsplit("-", n=1).str[0]
    moved: dict[tuple[str, str], str] = {}
    for idx in table.index[early.to_numpy(dtype=bool)]:
        uid = table.at[idx, "unit_id"]
        pool = list(units[(units["level"] == units.at[uid, "level"]) & (area_of == area_of[uid])
                          & units["formed_on"].isna()].index)
        pool = [u for u in pool if u > uid] + [u for u in pool if u <= uid]
        used = set(table.loc[round_of == round_of[idx], "unit_id"])
        # one stand-in per body and round, a unit the round does not have yet: a round keeps as
        # many units as it was drawn with
        key = (round_of[idx], uid)
        new = moved.setdefault(key, next((u for u in pool if u not in used), pool[0]))
        table.at[idx, "unit_id"] = new
        table.at[idx, "summary"] = table.at[idx, "summary"].replace(units.at[uid, "name"], units.at[new, "name"])
    area = table["matter_id"].str.split("-").str[0].map(lambda p: CITY if p == "C" else p)
    year = pd.to_datetime(table["approved_on"]).dt.year
    n = table.assign(area=area, year=year).sort_values(["approved_on", "matter_id"]).groupby(["area", "year"]).cumcount() + 1
    table["doc_no"] = [ORGANISATION.approval_no(a, int(y), int(k)) for a, y, k in zip(area, year, n.reindex(table.index))]
    return table


def _pick_units(rng, pool: pd.DataFrame, year: int, area: str, n: int) -> list[str]:
    ids = list(pool["unit_id"])
    if area == CITY and year == 2018:
        # The source: 10 units, 14 matters, among them the three it names.
        named = list(pool.loc[pool["name"].isin(NAMED_2018_UNITS), "unit_id"])
        others = [u for u in ids if u not in named]
        chosen = named + list(rng.choice(others, CITY_2018_UNITS - len(named), replace=False))
        extra = list(rng.choice(chosen, n - len(chosen), replace=False))
        return sorted(chosen + extra)
    # Some units have several matters in a year, most have one.
    return sorted(rng.choice(ids, n, replace=True))


def build_entries(rng: np.random.Generator, scope: pd.DataFrame, catalogue: Catalogue,
                  unit_quality: pd.Series, complete: bool = True) -> pd.DataFrame:
    """Verified and self-assessed results for every matter in scope.

    Each unit has a latent diligence; grades, ratios and yes/no answers are drawn around it.
    About one matter in five is self-assessed generously (grades pushed up)."""
    ind = catalogue.indicators
    grid = scope[["round_id", "matter_id", "unit_id", "category"]].merge(
        ind[["indicator_id", "category", "kind"]], on="category")
    n = len(grid)
    q = grid["unit_id"].map(unit_quality).to_numpy() + rng.normal(0, 0.08, n)
    q = np.clip(q, 0.05, 1.0)
    words = np.array(catalogue.vocab.grade_words)  # best → worst
    u = rng.random(n)
    grade_idx = np.select([u < q, u < q + (1 - q) * 0.6, u < q + (1 - q) * 0.9], [0, 1, 2], default=3)
    ratio = np.clip(q + rng.normal(0.05, 0.12, n), 0.2, 1.0).round(2)
    over = rng.random(n) < 0.015  # the odd over-quota case, which scores 0 where flagged
    ratio = np.where(over, 1.1, ratio)
    yes = rng.random(n) < (0.35 + 0.65 * q)
    verified = np.select(
        [grid["kind"] == "graded", grid["kind"] == "ratio"],
        [words[grade_idx], np.char.mod("%.2f", ratio).astype(object)],
        default=np.where(yes, "是", "否"),
    ).astype(object)
    na = rng.random(n) < 0.06
    verified = np.where(na, "不适用", verified)
    # Self-assessment: equal to the verified value, or better for the generous fifth.
    generous = grid["matter_id"].map(
        dict(zip(scope["matter_id"], rng.random(len(scope)) < 0.2))).to_numpy()
    self_grade = words[np.maximum(grade_idx - np.where(generous, 2, 0), 0)]
    self_vals = np.select(
        [na, grid["kind"] == "graded", grid["kind"] == "ratio"],
        ["不适用", self_grade, np.where(generous, "1.00", np.char.mod("%.2f", ratio))],
        default=np.where(yes | generous, "是", "否"),
    ).astype(object)
    base = grid[["round_id", "matter_id", "indicator_id"]]
    ver = base.assign(source="verified", result=verified, note="")
    own = base.assign(source="self", result=self_vals, note="")
    if not complete:
        # In progress: self-assessments mostly in, verification under way.
        done = grid["matter_id"].map(dict(zip(scope["matter_id"], rng.random(len(scope)) < 0.45))).to_numpy()
        partial = grid["matter_id"].map(dict(zip(scope["matter_id"], rng.random(len(scope)) < 0.3))).to_numpy()
        keep_ver = done | (partial & (rng.random(n) < 0.5))
        ver = ver[keep_ver]
    return pd.concat([own, ver], ignore_index=True)


def build_demo(archive: Archive, catalogue: Catalogue | None = None, seed: int = 2018) -> dict[str, int]:
    """Fill an empty archive with the demo. Returns counts for the caller to print."""
    catalogue = catalogue or load_catalogue()
    if not archive.units().empty:
        raise ValueError("the demo needs an empty archive")
    archive.record_organisation(ORGANISATION, "demo")
    rng = np.random.default_rng(seed)
    unit_table = build_units(rng)
    matter_table = build_matters(rng, unit_table)
    archive.write_many([(units, unit_table), (matters, matter_table)])
    quality = pd.Series(np.clip(rng.beta(6, 1.6, len(unit_table)), 0.3, 0.99), index=unit_table["unit_id"])
    plan = [(y, a) for y in COMPLETED_YEARS for a in (CITY, *COUNTIES)] + [(IN_PROGRESS_YEAR, CITY)]
    round_rows, scope_rows, entry_rows = [], [], []
    for year, area in plan:
        spec = make_round(year, area)
        rid = make_round_id(year, area)
        done = year in COMPLETED_YEARS
        officer = OFFICERS[(year + len(area)) % len(OFFICERS)]
        created = datetime.combine(spec.eval_date - timedelta(days=30), datetime.min.time())
        round_rows.append({
            "round_id": rid, "year": year, "area": area, "window_start": spec.window_start,
            "window_end": spec.window_end, "eval_date": spec.eval_date,
            "status": "completed" if done else "open", "team": "、".join(OFFICERS[:3]),
            "created_by": officer, "created_at": created,
        })
        judged = select_matters(matter_table, unit_table, spec)
        judged = judged[judged["reason"] != "other_area"]
        scope_rows.append(judged.assign(round_id=rid, included=judged["eligible"], decided_by=officer,
                                        decided_at=created))
        chosen = judged[judged["eligible"]].assign(round_id=rid)
        ent = build_entries(rng, chosen, catalogue, quality, complete=done)
        at = datetime.combine(spec.eval_date, datetime.min.time())
        entry_rows.append(ent.assign(entered_by=officer, entered_at=at))
    archive.write_many([
        (rounds, pd.DataFrame(round_rows)),
        (round_matters, pd.concat(scope_rows, ignore_index=True)),
        (entries, pd.concat(entry_rows, ignore_index=True)),
    ])
    _work_logs(archive, rng, plan)
    _implementation_dates(archive, plan, seed)
    evaluated = {"city": 0, "county": 0}
    for year, area in plan:
        rid = make_round_id(year, area)
        at = datetime.combine(default_eval_date(year) + timedelta(days=20), datetime.min.time())
        for source in ("self", "verified"):
            table = score_archived_round(archive, rid, catalogue, source=source, computed_by="demo", at=at)
        if year in COMPLETED_YEARS:
            evaluated["city" if area == CITY else "county"] += len(table)
    build_followup_demo(archive, catalogue)
    build_filing_demo(archive, catalogue)
    return {"units": len(unit_table), "matters": len(matter_table), "rounds": len(plan),
            "evaluated": evaluated["city"] + evaluated["county"], **evaluated}


def _work_logs(archive: Archive, rng: np.random.Generator, plan: list[tuple[int, str]]) -> None:
    """On-site work counters: 600+ documents, 300+ questions, 100+ items, 50 suggestions in all."""
    sel = archive.read("round_matters")
    sizes = sel[sel["included"].astype(bool)].groupby("round_id").size()
    completed = [make_round_id(y, a) for y, a in plan if y in COMPLETED_YEARS]
    suggestions = np.bincount(rng.choice(len(completed), 50), minlength=len(completed))
    for rid, s in zip(completed, suggestions):
        n = int(sizes.get(rid, 0))
        archive.set_work_log(rid, documents=n + int(rng.integers(0, 3)),
                             questions=n // 2 + int(rng.integers(0, 3)),
                             items_verified=n // 5 + int(rng.integers(0, 2)), suggestions=int(s))


#: mean months from approval to the sections set up, per year: the source's city units went from
#: 5 to 3 months (组建效率提升40%); counties follow a step behind
SECTION_MONTHS = {CITY: {2018: 5.0, 2019: 4.0, 2020: 3.0}, "county": {2018: 6.0, 2019: 5.0, 2020: 4.0}}
#: share of public institutions' matters with a legal-person registration: rising, as in the source
REGISTERED_SHARE = {2018: 0.3, 2019: 0.55, 2020: 0.95}


def _implementation_dates(archive: Archive, plan: list[tuple[int, str]], seed: int) -> None:
    """组建到位、科室设置完成、法人登记 dates of every matter of the completed rounds, so that the
    section-setup cycle of city units falls from 5 to 3 months on average. A generator of its own
    keeps the rest of the demo as it was."""
    rng = np.random.default_rng(seed + 7)
    sel = archive.read("round_matters")
    sel = sel[sel["included"].astype(bool)].merge(archive.matters(), on="matter_id") \
        .merge(archive.units()[["unit_id", "kind"]], on="unit_id")
    rows = []
    for year, area in plan:
        if year not in COMPLETED_YEARS:
            continue
        m = sel[sel["round_id"] == make_round_id(year, area)].sort_values("matter_id")
        if m.empty:
            continue
        noise = rng.normal(0, 0.6, len(m))
        months = SECTION_MONTHS[CITY if area == CITY else "county"][year] + noise - noise.mean()  # the mean exact
        months = np.clip(months, 1.0, None)
        approved = pd.to_datetime(m["approved_on"])
        sections = approved + pd.to_timedelta(np.round(months * 30.44), unit="D")
        staffed = approved + pd.to_timedelta(np.round(np.clip(months - rng.uniform(0.5, 1.5, len(m)), 0.3, None)
                                                       * 30.44), unit="D")
        public = m["kind"].isin(["事业单位", "参公事业单位"]).to_numpy() & m["category"].isin(["establish", "change"]).to_numpy()
        # an exact share of them, so that the yearly count rises as in the source whatever the mix
        registered = np.zeros(len(m), dtype=bool)
        registered[rng.permutation(np.flatnonzero(public))[:round(REGISTERED_SHARE[year] * public.sum())]] = True
        rows.append(pd.DataFrame({
            "matter_id": m["matter_id"].to_numpy(), "round_id": make_round_id(year, area),
            "staffed_on": staffed.dt.date.to_numpy(), "sections_on": sections.dt.date.to_numpy(),
            "registered_on": np.where(registered, (staffed + pd.Timedelta(days=20)).dt.date, None),
            "entered_by": "demo", "entered_at": datetime.combine(default_eval_date(year), datetime.min.time()),
        }))
    archive.write_many([(implementation, pd.concat(rows, ignore_index=True))])

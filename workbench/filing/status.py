"""Which county rounds were filed with the city, on time or not, and how the counties' evaluation
work counts in their annual performance evaluation (年度机构编制工作绩效管理评价).

**Filing deadline.** A county round is due for filing ``deadline_days`` (30) after its feedback
date — the day the units were told their results and the round was sealed, which is also the
first day a package can be built — or, with ``counted_from: eval_date``, after its evaluation
date. Both live in ``parameters/county_performance.yaml``. A round is then

- *on time* — a package was received (``received_on``, the date the city records) on or before
  the deadline; the 报备函's own date (``filed_on``) is kept beside it, and a gap of more than
  ``receipt_gap_days`` between the two is flagged;
- *late* — the first package was received after the deadline;
- *missing* — nothing received (or only packages sent back) and the deadline has passed;
- *due* — nothing received yet, the deadline still ahead; *in progress* — not yet fed back;
- *rejected* — the only packages received were sent back after review.

**Performance points** (the same YAML, one rule per criterion, 100 points in all): matters
evaluated against a target, rounds filed on time (late ones at a fraction), the share of
rectification items passed at re-check, the share of rule decisions signed off, the mean
completion %. A criterion with nothing due is left out and the work score rescaled over the rest;
the filing record (on time / late / missing) is a gate that places the county in a band of points,
so missing < late < on time always holds. A year without county rounds has no ranking (an empty
table). ``performance_points`` is pure and prints its inputs beside its points.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from workbench.archive import Archive, seals
from workbench.errors import WorkbenchError
from workbench.followup import assessment_results, items_as_of, read_decisions
from workbench.labels import register, t
from workbench.organisation import Organisation, area_name, subordinate_mask
from workbench.paths import parameter_file
from workbench.scoring import COMPLETE
from workbench.yamlfile import read_yaml

from .package import read_filings
from .rules import BANDS, CRITERIA, FACT_COLUMNS, FILING_KEYS, judge_filings, performance_points

register({
    **{f"filing_status_{s}": w for s, w in {
        "on_time": {"zh": "按时报备", "en": "on time"}, "late": {"zh": "逾期报备", "en": "late"},
        "missing": {"zh": "未报备", "en": "missing"}, "none": {"zh": "无问效轮次", "en": "no round"},
        "rejected": {"zh": "已退回", "en": "sent back"},
        "due": {"zh": "待报备", "en": "due"}, "in_progress": {"zh": "问效进行中", "en": "in progress"}}.items()},
    **{f"filing_col_{c}": w for c, w in {
        "round_id": {"zh": "问效轮次", "en": "Round"}, "year": {"zh": "年度", "en": "Year"},
        "area": {"zh": "地区代码", "en": "Area code"}, "area_name": {"zh": "县(市、区)", "en": "County"},
        "eval_date": {"zh": "问效日期", "en": "Evaluation date"}, "feedback_on": {"zh": "反馈日期", "en": "Feedback on"},
        "deadline": {"zh": "报备期限", "en": "Filing deadline"}, "filing_id": {"zh": "报备编号", "en": "Filing"},
        "filed_on": {"zh": "报备函日期", "en": "Letter dated"}, "received_on": {"zh": "接收日期", "en": "Received on"},
        "receipt_gap_days": {"zh": "接收距报备函天数", "en": "Days letter to receipt"},
        "days_after_eval": {"zh": "距问效日期(天)", "en": "Days after evaluation"},
        "days_after_feedback": {"zh": "距反馈日期(天)", "en": "Days after feedback"},
        "days_late": {"zh": "逾期天数", "en": "Days late"}, "status": {"zh": "报备情况", "en": "Filing status"},
        "filings": {"zh": "收到报备包数", "en": "Packages received"}, "problems": {"zh": "待核问题", "en": "To check"},
        "rounds": {"zh": "完成轮次", "en": "Rounds completed"}, "on_time": {"zh": "按时报备", "en": "Filed on time"},
        "late": {"zh": "逾期报备", "en": "Filed late"}, "missing": {"zh": "未报备", "en": "Not filed"},
        "matters": {"zh": "问效事项数", "en": "Matters evaluated"},
        "completion_pct": {"zh": "平均完成度", "en": "Mean completion %"},
        "items": {"zh": "整改事项", "en": "Rectification items"}, "items_passed": {"zh": "复查通过", "en": "Items passed"},
        "decisions": {"zh": "结果运用决定", "en": "Rule decisions"},
        "decisions_signed": {"zh": "已签发决定", "en": "Decisions signed"},
        "pts_matters": {"zh": "事项得分", "en": "Points: matters"}, "pts_filing": {"zh": "报备得分", "en": "Points: filing"},
        "pts_rectification": {"zh": "整改得分", "en": "Points: rectification"},
        "pts_decisions": {"zh": "结果运用得分", "en": "Points: decisions"},
        "pts_completion": {"zh": "完成度得分", "en": "Points: completion"},
        "work": {"zh": "工作得分(按适用项折算)", "en": "Work score (over criteria that apply)"},
        "filing_class": {"zh": "报备档次", "en": "Filing record"},
        "points": {"zh": "绩效得分", "en": "Performance points"}, "rank": {"zh": "排名", "en": "Rank"}}.items()},
    "filing_no_ranking": {"zh": "{year} 年度没有完成的县级问效轮次,不排名。",
                          "en": "{year}: no county round completed, no ranking."},
    "filing_err_rule": {"zh": "{path}:绩效计分规则有误:{problems}",
                        "en": "{path}: the performance scoring rule is wrong: {problems}"},
})


class PerformanceRuleError(WorkbenchError):
    """``parameters/county_performance.yaml`` is not a valid scoring rule."""


def load_rule(path: str | Path | None = None) -> dict:
    """The filing deadline and the points per criterion; every problem named by its key."""
    path = Path(path or parameter_file("county_performance.yaml"))
    try:
        raw = read_yaml(path) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PerformanceRuleError(t("filing_err_rule", path=path, problems=exc)) from exc
    problems = [f"unknown key {k}" for k in set(raw) - {"filing", "bands", "criteria"}]
    filing, crit = raw.get("filing") or {}, raw.get("criteria") or {}
    problems += [f"filing.{k}: unknown" for k in set(filing) - FILING_KEYS]
    if not isinstance(filing.get("deadline_days", 30), int) or filing.get("deadline_days", 30) < 0:
        problems.append("filing.deadline_days: a whole number of days ≥ 0")
    gap = filing.get("receipt_gap_days", 10)
    if not isinstance(gap, int) or isinstance(gap, bool) or gap < 0:
        problems.append("filing.receipt_gap_days: a whole number of days ≥ 0")
    if filing.get("counted_from", "feedback") not in ("feedback", "eval_date"):
        problems.append("filing.counted_from: feedback or eval_date")
    for name, keys in CRITERIA.items():
        c = crit.get(name)
        if not isinstance(c, dict) or set(c) != keys:
            problems.append(f"criteria.{name}: needs exactly {sorted(keys)}")
        elif not all(isinstance(v, (int, float)) and v >= 0 for v in c.values()):
            problems.append(f"criteria.{name}: numbers ≥ 0")
    problems += [f"criteria.{k}: unknown (valid: {', '.join(CRITERIA)})" for k in set(crit) - set(CRITERIA)]
    bands = raw.get("bands") or {}
    problems += [f"bands.{k}: unknown (valid: {', '.join(BANDS)})" for k in set(bands) - set(BANDS)]
    ok = [k for k in BANDS if isinstance(bands.get(k), list) and len(bands[k]) == 2
          and all(isinstance(v, (int, float)) for v in bands[k]) and 0 <= bands[k][0] <= bands[k][1] <= 100]
    problems += [f"bands.{k}: needs [low, high] with 0 ≤ low ≤ high ≤ 100" for k in BANDS if k not in ok]
    if len(ok) == len(BANDS) and not (bands["missing"][1] < bands["late"][0] and bands["late"][1] < bands["on_time"][0]):
        problems.append("bands: must not overlap (missing below late below on_time)")
    if not problems and abs(sum(c["points"] for c in crit.values()) - 100) > 1e-9:
        problems.append("criteria: points must add up to 100")
    if problems:
        raise PerformanceRuleError(t("filing_err_rule", path=path, problems="; ".join(sorted(problems))))
    return {"deadline_days": int(filing.get("deadline_days", 30)),
            "counted_from": filing.get("counted_from", "feedback"), "criteria": crit,
            "receipt_gap_days": int(filing.get("receipt_gap_days", 10)),
            "bands": {k: [float(v) for v in bands[k]] for k in BANDS}}








# --------------------------------------------------------------------------- archive edges
def filing_status(archive: Archive, year: int | None = None, as_of: date | None = None,
                  rule: dict | None = None) -> pd.DataFrame:
    """Per county round (of ``year``, or all): filed?, when, days after evaluation/feedback, status."""


    rule = rule or load_rule()
    rounds = archive.rounds()
    if year is not None:
        rounds = rounds[rounds["year"] == int(year)]
    out = judge_filings(rounds, archive.read(seals), read_filings(archive, year), as_of or date.today(),
                        rule["deadline_days"], rule["counted_from"], rule.get("receipt_gap_days"))
    org = archive.organisation()
    out.insert(3, "area_name", out["area"].map(lambda a: area_name(org, a)))
    return out


def county_facts(archive: Archive, year: int, as_of: date, status: pd.DataFrame) -> pd.DataFrame:
    """What each county office did in ``year`` (every county, a row of zeros if it did nothing)."""

    rounds = archive.rounds()
    done = rounds[(rounds["year"] == int(year)) & subordinate_mask(rounds["area"]) & (rounds["status"] == "completed")]
    ids = set(done["round_id"])
    res = assessment_results(archive)
    res = res[res["round_id"].isin(ids) & (res["status"] == COMPLETE)]
    area_of = dict(zip(done["round_id"], done["area"]))
    items = items_as_of(archive, as_of)
    items = items[items["round_id"].isin(ids)]
    dec = read_decisions(archive)
    dec = dec[dec["round_id"].isin(ids) & (dec["status"] != "rejected")]
    st = status[status["round_id"].isin(ids)]
    facts = pd.DataFrame({"area": list(archive.organisation().counties)}).set_index("area")
    facts["rounds"] = done.groupby("area").size()
    for s in ("on_time", "late"):
        facts[s] = st[st["status"] == s].groupby("area").size()
    facts["missing"] = st[st["status"].isin(["missing", "rejected"])].groupby("area").size()
    by_area = res.assign(area=res["round_id"].map(area_of)).groupby("area")["completion_pct"]
    facts["matters"], facts["completion_pct"] = by_area.size(), by_area.mean().round(2)
    it = items.assign(area=items["round_id"].map(area_of), passed=items["state"] == "passed").groupby("area")
    facts["items"], facts["items_passed"] = it.size(), it["passed"].sum()
    d = dec.assign(area=dec["round_id"].map(area_of), signed=dec["status"] == "signed").groupby("area")
    facts["decisions"], facts["decisions_signed"] = d.size(), d["signed"].sum()
    counts = [c for c in FACT_COLUMNS if c != "completion_pct"]
    facts[counts] = facts[counts].fillna(0).astype(int)
    return facts.reset_index()


def county_performance(archive: Archive, year: int, as_of: date | None = None,
                       rule: dict | None = None) -> pd.DataFrame:
    """The annual performance view of each county office's evaluation work, with its points.

    Items, decisions and filings are judged as of ``as_of`` — default 31 December of ``year``
    (or today, if that is earlier)."""
    rule = rule or load_rule()
    as_of = as_of or min(date(int(year), 12, 31), date.today())
    status = filing_status(archive, year, as_of, rule)
    facts = county_facts(archive, int(year), as_of, status)
    if not (facts["rounds"] > 0).any():  # a year without county rounds: nothing to rank
        facts = facts.iloc[0:0]
    out = performance_points(facts.assign(year=int(year)), rule)
    org = archive.organisation()
    out.insert(1, "area_name", out["area"].map(lambda a: area_name(org, a)))
    return out


def labelled(df: pd.DataFrame, lang: str | None = None, org: Organisation | None = None) -> pd.DataFrame:
    """For people: status words, county names (from ``org``, the archive's organisation; without
    it the names stay as they are) and column headers in the user's language, and a dash where
    there is nothing (no filing yet)."""
    out = df.copy()
    for col in ("status", "filing_class"):
        if col in out:
            out[col] = out[col].map(lambda s: t(f"filing_status_{s}", lang))
    if "area_name" in out and "area" in out and org is not None:
        out["area_name"] = out["area"].map(lambda a: area_name(org, a, lang or "zh"))
    out = out.astype(object).where(out.notna(), "—")
    return out.rename(columns={c: t(f"filing_col_{c}", lang) for c in out.columns})











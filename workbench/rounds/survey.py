"""Survey and self-assessment workbooks (调查摸底 / 自评自查): one Excel file per unit, out and back.

The exported workbook has three sheets: the unit's facts for the survey statistics table
(调查摸底情况统计表: quota, staff in post, leader posts, sections, registration), one row per
indicator of each of the unit's matters for its self-assessment (with drop-downs of the valid
words), and a hidden ``_meta`` sheet naming round, unit and language. Importing checks that the
file belongs to the round and unit, that no column was renamed or removed, and every cell, before
writing anything; what the unit typed arrives unchanged, and importing the same file twice adds
nothing.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from workbench.archive import Archive, now, survey_facts
from workbench.core import Catalogue
from workbench.errors import ValidationError, WorkbenchError
from workbench.files import Failures, check_entries, load_catalogue, save_workbook, workbook_problem
from workbench.labels import register, t

FORMAT = "workbench-survey/1"
META_SHEET = "_meta"
FACTS = ("quota", "staff", "leader_posts", "sections", "registration")
REGISTRATION = ("已登记", "未登记", "不适用")
FACT_COLUMNS = ("fact", "item", "approved", "reported", "note")
SELF_COLUMNS = ("matter_id", "summary", "indicator_id", "indicator", "kind", "evidence", "result", "note")


register({
    "wt_sheet_facts": {"zh": "调查摸底情况统计表", "en": "Survey statistics"},
    "wt_sheet_self": {"zh": "自评自查", "en": "Self-assessment"},
    "wt_col_fact": {"zh": "项目代码", "en": "Item code"},
    "wt_col_item": {"zh": "项目", "en": "Item"},
    "wt_col_approved": {"zh": "核定数", "en": "Approved"},
    "wt_col_reported": {"zh": "实际情况(单位填写)", "en": "Actual (filled in by the unit)"},
    "wt_col_note": {"zh": "说明", "en": "Note"},
    "wt_col_kind": {"zh": "填写要求", "en": "How to answer"},
    "wt_col_evidence": {"zh": "佐证材料", "en": "Evidence checked"},
    "wt_col_result": {"zh": "自评结果(单位填写)", "en": "Self-assessment (filled in by the unit)"},
    "wt_fact_quota": {"zh": "核定编制 / 实际使用编制", "en": "Staffing quota / quota in use"},
    "wt_fact_staff": {"zh": "实有人员", "en": "Staff in post"},
    "wt_fact_leader_posts": {"zh": "领导职数 / 实际配备", "en": "Leader posts / filled"},
    "wt_fact_sections": {"zh": "内设机构 / 实际设置", "en": "Internal sections / set up"},
    "wt_fact_registration": {"zh": "法人登记", "en": "Legal-person registration"},
    "wt_kind_graded": {"zh": "选择:{words}", "en": "choose: {words}"},
    "wt_kind_ratio": {"zh": "填写比例(如 0.85,目标 {target}),或 不适用", "en": "a ratio (e.g. 0.85; target {target}) or 不适用"},
    "wt_kind_yes_no": {"zh": "选择:是、否、不适用", "en": "choose: 是 (yes), 否 (no), 不适用 (n/a)"},
    "wt_reg_choice": {"zh": "应填 已登记、未登记 或 不适用", "en": "must be 已登记, 未登记 or 不适用"},
    "wt_not_survey": {
        "zh": "不是本系统导出的调查摸底表(缺少 _meta 工作表);请重新导出模板",
        "en": "not a survey workbook exported by the workbench (no _meta sheet); export the template again",
    },
    "wt_wrong_round": {
        "zh": "文件属于问效轮次 {found},不是 {expected};请导入本轮的文件",
        "en": "the file belongs to round {found}, not {expected}; import this round's file",
    },
    "wt_wrong_unit": {
        "zh": "文件属于单位 {found},不是 {expected}",
        "en": "the file belongs to unit {found}, not {expected}",
    },
    "wt_unit_not_in_round": {"zh": "单位 {unit} 在本轮没有问效事项", "en": "unit {unit} has no matter in this round"},
    "wt_missing_sheet": {"zh": "缺少工作表“{sheet}”", "en": "sheet “{sheet}” is missing"},
    "wt_bad_header": {
        "zh": "表头被改动:应为“{expected}”,实为“{found}”(请勿改动模板的列)",
        "en": "header changed: expected “{expected}”, found “{found}” (do not change the template's columns)",
    },
    "wt_imported": {
        "zh": "{file}:已写入 {entries} 条自评、{facts} 项统计数据",
        "en": "{file}: {entries} self-assessment entries and {facts} survey facts written",
    },
    "wt_self_done": {"zh": "自评已填", "en": "Self entries"},
    "wt_self_needed": {"zh": "应填", "en": "Needed"},
})


def _headers(columns: tuple[str, ...], lang: str) -> list[str]:
    keys = {"fact": "wt_col_fact", "item": "wt_col_item", "approved": "wt_col_approved",
            "reported": "wt_col_reported", "note": "wt_col_note", "kind": "wt_col_kind",
            "evidence": "wt_col_evidence", "result": "wt_col_result", "indicator": "indicator"}
    return [t(keys.get(c, c), lang) for c in columns]


def round_units(archive: Archive, round_id: str) -> pd.DataFrame:
    """unit_id, unit_name, matters: the units with at least one matter in the round."""
    m = archive.round_matters(round_id)
    return (m.groupby(["unit_id", "unit_name"]).size().rename("matters").reset_index()
            .sort_values("unit_id").reset_index(drop=True))


def _unit_matters(archive: Archive, round_id: str, unit_id: str, lang: str | None) -> pd.DataFrame:
    m = archive.round_matters(round_id)
    m = m[m["unit_id"] == unit_id]
    if m.empty:
        raise WorkbenchError(t("wt_unit_not_in_round", lang, unit=unit_id))
    return m


def facts_frame(archive: Archive, round_id: str, unit_id: str, lang: str = "zh") -> pd.DataFrame:
    """The facts rows as exported: approved numbers from the archive, actual as last reported."""
    unit = archive.units().set_index("unit_id").loc[unit_id]
    approved = {"quota": unit["approved_quota"], "staff": unit["approved_quota"],
                "leader_posts": unit["approved_leader_posts"], "sections": unit["approved_sections"],
                "registration": None}
    known = archive.read(survey_facts, survey_facts.c.round_id == round_id,
                         survey_facts.c.unit_id == unit_id).set_index("fact")
    reported = {"staff": unit["staff_in_post"]}
    rows = []
    for f in FACTS:
        rep = known.at[f, "reported"] if f in known.index else reported.get(f)
        rows.append({"fact": f, "item": t("wt_fact_" + f, lang),
                     "approved": None if pd.isna(approved[f]) else int(approved[f]),
                     "reported": None if rep is None or pd.isna(rep) else rep,
                     "note": known.at[f, "note"] if f in known.index else ""})
    return pd.DataFrame(rows, columns=list(FACT_COLUMNS))


def self_frame(archive: Archive, round_id: str, unit_id: str, catalogue: Catalogue,
               lang: str = "zh") -> pd.DataFrame:
    """One row per indicator of each of the unit's matters, with the current self entry."""
    m = _unit_matters(archive, round_id, unit_id, lang)
    ind = catalogue.indicators
    grid = m[["matter_id", "summary", "category"]].merge(
        ind[["indicator_id", "category", "kind", "target", "evidence"]], on="category")
    grid["indicator"] = grid["indicator_id"].map(lambda i: catalogue.name(i, lang))
    words = "、".join(catalogue.vocab.grade_words) + "、不适用"
    grid["kind"] = [t("wt_kind_" + k, lang, words=words, target=f"{tg:g}")
                    for k, tg in zip(grid["kind"], grid["target"], strict=True)]
    cur = archive.current_entries(round_id, "self")[["matter_id", "indicator_id", "result", "note"]]
    grid = grid.merge(cur, on=["matter_id", "indicator_id"], how="left")
    grid["note"] = grid["note"].fillna("")
    return grid.sort_values(["matter_id", "indicator_id"])[list(SELF_COLUMNS)].reset_index(drop=True)


def export_survey(archive: Archive, round_id: str, unit_id: str, path: str | Path,
                  catalogue: Catalogue | None = None, lang: str = "zh") -> Path:
    """Write the unit's survey + self-assessment workbook (atomically)."""
    catalogue = catalogue or load_catalogue()
    path = Path(path)
    facts = facts_frame(archive, round_id, unit_id, lang)
    selfs = self_frame(archive, round_id, unit_id, catalogue, lang)
    kinds = selfs["indicator_id"].map(catalogue.indicators["kind"])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = t("wt_sheet_facts", lang)
    _write(ws, _headers(FACT_COLUMNS, lang), facts, editable=("reported", "note"),
           widths=(14, 28, 10, 26, 30))
    # the item code is what the import matches on, not something to read: hidden, the item named beside it
    ws.column_dimensions["A"].hidden = True
    reg = DataValidation(type="list", formula1='"' + ",".join(REGISTRATION) + '"', allow_blank=True,
                         showErrorMessage=True, error=t("wt_reg_choice", lang))
    ws.add_data_validation(reg)
    reg.add(f"D{2 + FACTS.index('registration')}")
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, error=t("err_bad_int", lang))
    ws.add_data_validation(counts)
    counts.add(f"D2:D{1 + FACTS.index('registration')}")

    ws2 = wb.create_sheet(t("wt_sheet_self", lang))
    _write(ws2, _headers(SELF_COLUMNS, lang), selfs, editable=("result", "note"),
           widths=(16, 36, 10, 28, 34, 30, 18, 30))
    col = openpyxl.utils.get_column_letter(SELF_COLUMNS.index("result") + 1)
    lists = {
        "graded": (list(catalogue.vocab.grade_words) + ["不适用"], t("err_bad_grade", lang, options="、".join(
            catalogue.vocab.grade_words) + "、不适用")),
        "yes_no": (["是", "否", "不适用"], t("err_bad_yes_no", lang)),
    }
    for kind, (words, message) in lists.items():
        dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                            showErrorMessage=True, error=message)
        ws2.add_data_validation(dv)
        for r in (kinds[kinds == kind].index + 2):
            dv.add(f"{col}{r}")
    ratio_rows = list(kinds[kinds == "ratio"].index + 2)
    if ratio_rows:
        first = ratio_rows[0]
        dv = DataValidation(type="custom", formula1=f'OR(ISNUMBER({col}{first}),{col}{first}="不适用")',
                            allow_blank=True, showErrorMessage=True, error=t("err_bad_number", lang))
        ws2.add_data_validation(dv)
        for r in ratio_rows:
            dv.add(f"{col}{r}")

    meta = wb.create_sheet(META_SHEET)
    for row in (("format", FORMAT), ("round_id", round_id), ("unit_id", unit_id), ("lang", lang),
                ("catalogue_hash", catalogue.hash)):
        meta.append(row)
    meta.sheet_state = "hidden"
    return save_workbook(wb, path)


def _write(ws, headers: list[str], df: pd.DataFrame, editable: tuple[str, ...], widths: tuple) -> None:
    ws.append(headers)
    for rec in df.itertuples(index=False):
        ws.append([None if (v is None or (isinstance(v, float) and pd.isna(v))) else v for v in rec])
    fill = PatternFill("solid", fgColor="FFF7D6")
    for i, name in enumerate(df.columns, 1):
        letter = openpyxl.utils.get_column_letter(i)
        ws.column_dimensions[letter].width = widths[i - 1]
        ws.cell(1, i).font = Font(bold=True)
        if name in editable:
            for r in range(2, len(df) + 2):
                ws.cell(r, i).fill = fill
                ws.cell(r, i).number_format = "@" if name != "reported" else "General"
        for r in range(1, len(df) + 2):
            ws.cell(r, i).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def _cell(v) -> str | None:
    """A cell as the unit typed it: whole-number floats as integers, blanks as None."""
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip()
    return text or None


def import_survey(archive: Archive, path: str | Path, round_id: str, unit_id: str | None = None,
                  catalogue: Catalogue | None = None, entered_by: str = "",
                  lang: str | None = None) -> dict[str, int]:
    """Validate the whole workbook, then write its self entries and facts; nothing on any error."""
    catalogue = catalogue or load_catalogue()
    path = Path(path)
    fail = Failures(path.name)

    def stop() -> ValidationError:
        frame = fail.frame()
        return ValidationError(t("err_import_failed", lang, file=path.name, count=len(frame)), frame)

    problem = workbook_problem(path, lang) if path.exists() else None
    if problem:  # bounded before openpyxl unpacks anything
        fail.add(None, "", "", problem)
        raise stop()
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except FileNotFoundError:
        fail.add(None, "", str(path), t("err_file_missing", lang))
        raise stop() from None
    except Exception as exc:  # a corrupt or non-Excel file: openpyxl raises many kinds
        fail.add(None, "", "", f"{t('err_file_type', lang)} ({type(exc).__name__})")
        raise stop() from exc
    if META_SHEET not in wb.sheetnames:
        fail.add(None, "", "", t("wt_not_survey", lang))
        raise stop()
    meta = {str(r[0]): _cell(r[1]) for r in wb[META_SHEET].iter_rows(values_only=True) if r and r[0]}
    if meta.get("format") != FORMAT:
        fail.add(None, "", meta.get("format"), t("wt_not_survey", lang))
        raise stop()
    if meta.get("round_id") != round_id:
        fail.add(None, "", meta.get("round_id"), t("wt_wrong_round", lang, found=meta.get("round_id"),
                                                   expected=round_id))
        raise stop()
    found_unit = meta.get("unit_id") or ""
    if unit_id and found_unit != unit_id:
        fail.add(None, "", found_unit, t("wt_wrong_unit", lang, found=found_unit, expected=unit_id))
        raise stop()
    matters = archive.round_matters(round_id)
    matters = matters[matters["unit_id"] == found_unit].assign(round_id=round_id)
    if matters.empty:
        fail.add(None, "", found_unit, t("wt_unit_not_in_round", lang, unit=found_unit))
        raise stop()
    file_lang = meta.get("lang") or "zh"
    facts_raw = _sheet(wb, t("wt_sheet_facts", file_lang), FACT_COLUMNS, file_lang, fail, lang)
    self_raw = _sheet(wb, t("wt_sheet_self", file_lang), SELF_COLUMNS, file_lang, fail, lang)
    if fail:
        raise stop()

    entries = self_raw[["matter_id", "indicator_id", "result", "note"]].assign(source="self")
    entries = entries[entries["result"].notna() | entries["note"].notna()]
    with _messages_in(lang):  # the core's validation words follow the process language
        clean, _ = check_entries(entries.reset_index(drop=True), matters,
                                 catalogue, _Renumbered(fail, entries.index))
    facts = _check_facts(facts_raw, fail, lang)
    if fail:
        raise stop()
    written = archive.add_entries(
        clean[["round_id", "matter_id", "indicator_id", "source", "result", "note"]], entered_by=entered_by)
    return {"entries": written, "facts": _save_facts(archive, round_id, found_unit, facts, entered_by),
            "rows": len(self_raw)}


@contextmanager
def _messages_in(lang: str | None):
    """Let the core's checks (which word their messages in ``WORKBENCH_LANG``) speak ``lang``."""
    saved = os.environ.get("WORKBENCH_LANG")
    if lang:
        os.environ["WORKBENCH_LANG"] = lang
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("WORKBENCH_LANG", None)
        else:
            os.environ["WORKBENCH_LANG"] = saved


class _Renumbered(Failures):
    """Failures of a filtered frame reported with the rows of the sheet they came from."""

    def __init__(self, inner: Failures, index: pd.Index):
        super().__init__(inner.file)
        self.rows = inner.rows
        self._index = list(index)

    def add(self, row, column, value, reason) -> None:
        if row is not None:
            row = int(self._index[row - 2]) + 2
        super().add(row, column, value, reason)


def _sheet(wb, name: str, columns: tuple[str, ...], file_lang: str, fail: Failures,
           lang: str | None) -> pd.DataFrame:
    if name not in wb.sheetnames:
        fail.add(None, "", name, t("wt_missing_sheet", lang, sheet=name))
        return pd.DataFrame(columns=list(columns))
    rows = list(wb[name].iter_rows(values_only=True))
    expected = _headers(columns, file_lang)
    found = [_cell(v) or "" for v in (rows[0] if rows else ())]
    for i, exp in enumerate(expected):
        got = found[i] if i < len(found) else ""
        if got != exp:
            fail.add(1, exp, got, t("wt_bad_header", lang, expected=exp, found=got))
    body = [[_cell(v) for v in r[:len(columns)]] + [None] * (len(columns) - len(r)) for r in rows[1:]]
    df = pd.DataFrame(body, columns=list(columns), dtype=object)
    return df[df.notna().any(axis=1)]


def _check_facts(raw: pd.DataFrame, fail: Failures, lang: str | None) -> pd.DataFrame:
    df = raw[raw["fact"].isin(FACTS)].copy()
    for idx, rec in df.iterrows():
        value = rec["reported"]
        if value is None or pd.isna(value):
            df.at[idx, "reported"] = None
            continue
        if rec["fact"] == "registration":
            if value not in REGISTRATION:
                fail.add(int(idx) + 2, "reported", value, t("wt_reg_choice", lang))
        elif not (str(value).isdigit()):
            fail.add(int(idx) + 2, "reported", value, t("err_bad_int", lang))
    for f in sorted(set(FACTS) - set(df["fact"])):
        fail.add(None, "fact", f, t("err_missing_column", lang) + f" ({f})")
    df["approved"] = pd.to_numeric(df["approved"], errors="coerce")
    df["note"] = df["note"].fillna("")
    return df


def _save_facts(archive: Archive, round_id: str, unit_id: str, facts: pd.DataFrame, by: str) -> int:
    old = archive.read(survey_facts, survey_facts.c.round_id == round_id,
                       survey_facts.c.unit_id == unit_id).set_index("fact")
    def same(a, b) -> bool:
        return (None if a is None or pd.isna(a) or a == "" else str(a)) == \
            (None if b is None or pd.isna(b) or b == "" else str(b))

    changed = [r for r in facts.to_dict("records")
               if r["fact"] not in old.index
               or not same(old.at[r["fact"], "reported"], r["reported"])
               or not same(old.at[r["fact"], "note"], r["note"])]
    if not changed:
        return 0
    with archive.engine.begin() as conn:
        conn.execute(survey_facts.delete().where(
            survey_facts.c.round_id == round_id, survey_facts.c.unit_id == unit_id,
            survey_facts.c.fact.in_([r["fact"] for r in changed])))
        conn.execute(survey_facts.insert(), [
            {"round_id": round_id, "unit_id": unit_id, "fact": r["fact"],
             "approved": None if pd.isna(r["approved"]) else int(r["approved"]),
             "reported": r["reported"], "note": r["note"], "entered_by": by, "entered_at": now()}
            for r in changed])
    return len(changed)


def survey_statistics(archive: Archive, round_id: str, catalogue: Catalogue | None = None,
                      lang: str = "zh") -> pd.DataFrame:
    """调查摸底情况统计表: per unit of the round, its approved numbers, what it reported, and
    how far its self-assessment has got."""
    catalogue = catalogue or load_catalogue()
    m = archive.round_matters(round_id)
    needed = m.merge(catalogue.indicators[["category"]].reset_index(drop=True), on="category") \
        .groupby("unit_id").size()
    cur = archive.current_entries(round_id, "self")
    cur = cur[cur["result"].notna()].merge(m[["matter_id", "unit_id"]], on="matter_id")
    done = cur.groupby("unit_id").size()
    facts = archive.read(survey_facts, survey_facts.c.round_id == round_id)
    wide = facts.pivot(index="unit_id", columns="fact", values="reported") if len(facts) else \
        pd.DataFrame(index=pd.Index([], name="unit_id"))
    out = round_units(archive, round_id).merge(
        archive.units()[["unit_id", "approved_quota", "staff_in_post", "approved_leader_posts",
                         "approved_sections"]], on="unit_id")
    for f in FACTS:
        out["reported_" + f] = out["unit_id"].map(wide[f]) if f in wide else None
    out["self_done"] = out["unit_id"].map(done).fillna(0).astype(int)
    out["self_needed"] = out["unit_id"].map(needed).fillna(0).astype(int)
    return out

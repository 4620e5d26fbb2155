"""Every user-facing word in zh-CN and en, from one place.

``t("band", "en")`` → "Band". Unknown keys fall back to the key itself so a missing label is
visible rather than fatal. Messages may carry ``{placeholders}`` filled by keyword arguments.
The default language comes from ``WORKBENCH_LANG`` (zh unless set to en).
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    # domain nouns
    "unit": {"zh": "被问效对象", "en": "Unit"},
    "unit_id": {"zh": "单位编号", "en": "Unit ID"},
    "unit_name": {"zh": "单位名称", "en": "Unit name"},
    "matter": {"zh": "问效事项", "en": "Matter"},
    "matter_id": {"zh": "事项编号", "en": "Matter ID"},
    "category": {"zh": "事项类别", "en": "Category"},
    "indicator": {"zh": "问效指标", "en": "Indicator"},
    "indicator_id": {"zh": "指标编号", "en": "Indicator ID"},
    "weight": {"zh": "权重", "en": "Weight"},
    "score": {"zh": "得分", "en": "Score"},
    "applicable_weight": {"zh": "适用权重", "en": "Applicable weight"},
    "completion_pct": {"zh": "完成情况百分比", "en": "Completion %"},
    "band": {"zh": "等次", "en": "Band"},
    "status": {"zh": "状态", "en": "Status"},
    "rank_in_category": {"zh": "类内排名", "en": "Rank in category"},
    "rank": {"zh": "排名", "en": "Rank"},
    "late": {"zh": "超期问效", "en": "Late"},
    "round": {"zh": "问效轮次", "en": "Round"},
    "year": {"zh": "年度", "en": "Year"},
    "area": {"zh": "地区", "en": "Area"},
    "province": {"zh": "省级", "en": "Province"},
    "city": {"zh": "市级", "en": "City"},
    "county": {"zh": "县(市、区)", "en": "County"},
    "level": {"zh": "层级", "en": "Level"},
    "complete": {"zh": "已完成", "en": "complete"},
    "incomplete": {"zh": "未完成", "en": "incomplete"},
    "self": {"zh": "自评", "en": "self-assessment"},
    "verified": {"zh": "核查", "en": "verified"},
    "gap": {"zh": "自评与核查差距", "en": "Self − verified gap"},
    "inflated": {"zh": "自评偏高", "en": "Inflated"},
    "matters_count": {"zh": "事项数", "en": "Matters"},
    "units_count": {"zh": "单位数", "en": "Units"},
    "excluded_reason": {"zh": "未纳入原因", "en": "Reason excluded"},
    "scope_summary": {
        "zh": "{units} 个被问效对象、{matters} 个问效事项(超期 {late} 个)",
        "en": "{units} units, {matters} matters ({late} late)",
    },
    "approved_on": {"zh": "批复日期", "en": "Approved on"},
    "doc_no": {"zh": "文号", "en": "Document no."},
    "summary": {"zh": "事项摘要", "en": "Summary"},
    # categories
    "establish": {"zh": "设立", "en": "establishment"},
    "change": {"zh": "变更", "en": "change"},
    "merge": {"zh": "合并", "en": "merger"},
    "abolish": {"zh": "撤销", "en": "abolition"},
    # the seven steps
    "step_deploy": {"zh": "部署安排", "en": "Deployment"},
    "step_survey": {"zh": "调查摸底", "en": "Survey"},
    "step_self": {"zh": "自评自查", "en": "Self-assessment"},
    "step_verify": {"zh": "现场核查", "en": "On-site verification"},
    "step_assess": {"zh": "综合评定", "en": "Comprehensive assessment"},
    "step_feedback": {"zh": "情况反馈", "en": "Feedback"},
    "step_rectify": {"zh": "督促整改", "en": "Rectification"},
    # selection reasons
    "reason_other_area": {"zh": "不属于本轮地区", "en": "not in this round's area"},
    "reason_before_window": {"zh": "公布日期早于问效窗口", "en": "published before the window"},
    "reason_after_window": {"zh": "公布日期晚于问效窗口", "en": "published after the window"},
    "reason_too_recent": {
        "zh": "批复未满6个月,暂不纳入",
        "en": "approved less than 6 months before the evaluation date",
    },
    "reason_officer_excluded": {"zh": "经办人员排除", "en": "excluded by the officer"},
    # validation messages
    "err_missing_column": {"zh": "缺少必填列", "en": "required column is missing"},
    "err_unknown_column": {"zh": "未知列,已忽略", "en": "unknown column, ignored"},
    "err_required": {"zh": "必填项为空", "en": "required value is empty"},
    "err_bad_date": {"zh": "日期格式无效,应为 YYYY-MM-DD", "en": "not a valid date (YYYY-MM-DD)"},
    "err_bad_int": {"zh": "应为非负整数", "en": "must be a non-negative whole number"},
    "err_bad_choice": {"zh": "取值无效,可选:{options}", "en": "invalid value; valid: {options}"},
    "err_duplicate": {"zh": "编号重复", "en": "duplicate id"},
    "err_unknown_unit": {"zh": "未知单位编号", "en": "unknown unit id"},
    "err_unit_not_formed": {"zh": "批复日期早于单位 {unit} 的设立日期 {on}(当时该单位尚不存在)",
                            "en": "approved before unit {unit} was formed on {on} (it did not exist then)"},
    "err_unit_dissolved": {"zh": "批复日期不早于单位 {unit} 的撤销日期 {on}(当时该单位已不存在)",
                           "en": "approved on or after unit {unit} was dissolved on {on} (it no longer existed)"},
    "err_unknown_matter": {"zh": "未知事项编号", "en": "unknown matter id"},
    "err_unknown_indicator": {"zh": "未知指标编号", "en": "unknown indicator id"},
    "err_wrong_category": {
        "zh": "指标 {indicator} 不属于该事项的类别({category})",
        "en": "indicator {indicator} does not belong to the matter's category ({category})",
    },
    "err_bad_grade": {
        "zh": "等级词无效,可选:{options}",
        "en": "not a valid grade; valid: {options}",
    },
    "err_bad_yes_no": {"zh": "应填 是/否 或 不适用", "en": "must be 是/否 (yes/no) or 不适用 (na)"},
    "err_bad_number": {"zh": "应为数字或 不适用", "en": "must be a number or 不适用 (na)"},
    "err_negative": {"zh": "比例不能为负数", "en": "a ratio cannot be negative"},
    "err_county_code": {
        "zh": "县级单位须填写6位行政区划代码",
        "en": "a county-level unit needs its 6-digit division code",
    },
    "err_unit_level": {"zh": "本机构的单位层级只能是:{levels}", "en": "a unit's level must be one of this office's: {levels}"},
    "err_decode": {
        "zh": "无法识别文件编码(已尝试 UTF-8、UTF-8 BOM、GB18030)",
        "en": "cannot decode the file (tried UTF-8, UTF-8 with BOM, GB18030)",
    },
    "err_file_type": {"zh": "仅支持 .xlsx 与 .csv 文件", "en": "only .xlsx and .csv files are supported"},
    "err_file_missing": {"zh": "文件不存在", "en": "file not found"},
    "err_import_failed": {
        "zh": "{file}:{count} 处错误,未导入任何数据",
        "en": "{file}: {count} error(s); nothing was imported",
    },
    "err_matter_not_in_round": {"zh": "该事项不在本轮问效范围内", "en": "matter is not in this round"},
    "err_unknown_round": {
        "zh": "问效轮次 {round_id} 不存在;先运行 workbench round create",
        "en": "round {round_id} does not exist; run `workbench round create` first",
    },
    "err_concurrent_entry": {
        "zh": "{matter} {indicator}:同一时间另有人录入了不同的结果;未导入任何数据,请核对后重试",
        "en": "{matter} {indicator}: someone entered a different result at the same moment; nothing was "
              "imported, check and try again",
    },
    "err_select_closed": {
        "zh": "{round_id} 已完成或已封存,问效范围不能再改",
        "en": "{round_id} is completed or sealed: its scope can no longer change",
    },
    "err_db_unreachable": {"zh": "无法打开档案 {archive}:{why}", "en": "cannot open the archive {archive}: {why}"},
    "err_bad_area": {
        "zh": "地区 {area} 无效;可选:{options}",
        "en": "area {area} is not valid; choose one of: {options}",
    },
    # ---- table columns: the header of every table and file the workbench writes (one word each)
    "round_id": {"zh": "问效轮次编号", "en": "Round ID"},
    "matters": {"zh": "事项数", "en": "Matters"},
    "complete_matters": {"zh": "已完成评定事项数", "en": "Matters fully assessed"},
    "lowest_pct": {"zh": "最低事项完成情况百分比", "en": "Lowest matter completion %"},
    "self_pct": {"zh": "自评完成情况百分比", "en": "Self-assessed completion %"},
    "verified_pct": {"zh": "核查完成情况百分比", "en": "Verified completion %"},
    "source": {"zh": "评分依据", "en": "Source"},
    "version": {"zh": "版本", "en": "Version"},
    "run_id": {"zh": "评分批次", "en": "Scoring run"},
    "catalogue_hash": {"zh": "指标目录哈希", "en": "Catalogue hash"},
    "weights_hash": {"zh": "权重哈希", "en": "Weights hash"},
    "software_version": {"zh": "软件版本", "en": "Software version"},
    "computed_at": {"zh": "计算时间", "en": "Computed at"},
    "computed_by": {"zh": "计算人", "en": "Computed by"},
    "created_at": {"zh": "创建时间", "en": "Created at"},
    "created_by": {"zh": "创建人", "en": "Created by"},
    "created_on": {"zh": "下达日期", "en": "Issued on"},
    "decided_at": {"zh": "决定时间", "en": "Decided at"},
    "decided_by": {"zh": "决定人", "en": "Decided by"},
    "reject_reason": {"zh": "不予签发理由", "en": "Reason rejected"},
    "reasons": {"zh": "理由(明细)", "en": "Reasons (details)"},
    "key": {"zh": "唯一标识", "en": "Key"},
    "note": {"zh": "备注", "en": "Note"},
    "detail": {"zh": "说明", "en": "Detail"},
    "action": {"zh": "操作", "en": "Action"},
    "on_date": {"zh": "日期", "en": "Date"},
    "new_deadline": {"zh": "新整改期限", "en": "New deadline"},
    "original_deadline": {"zh": "原整改期限", "en": "Original deadline"},
    "by": {"zh": "经办人", "en": "By"},
    "at": {"zh": "时间", "en": "At"},
    "event_id": {"zh": "记录编号", "en": "Event"},
    "log_id": {"zh": "记录编号", "en": "Log entry"},
    "letter_id": {"zh": "反馈函编号", "en": "Letter"},
    "file_name": {"zh": "文件名", "en": "File name"},
    "issued_on": {"zh": "反馈日期", "en": "Issued on"},
    "sha256": {"zh": "校验值(SHA-256)", "en": "SHA-256"},
    "failed_on": {"zh": "复查未通过日期", "en": "Re-check failed on"},
    "passed_on": {"zh": "复查通过日期", "en": "Re-check passed on"},
    "lifted_on": {"zh": "恢复受理日期", "en": "Lifted on"},
    "completed_on_time": {"zh": "按期完成", "en": "Done on time"},
    "window_start": {"zh": "问效窗口起", "en": "Window start"},
    "window_end": {"zh": "问效窗口止", "en": "Window end"},
    "team": {"zh": "问效工作组", "en": "Team"},
    "name": {"zh": "名称", "en": "Name"},
    "kind": {"zh": "单位性质", "en": "Kind"},
    "approved_quota": {"zh": "核定编制数", "en": "Approved quota"},
    "staff_in_post": {"zh": "实有人数", "en": "Staff in post"},
    "approved_leader_posts": {"zh": "核定领导职数", "en": "Approved leader posts"},
    "approved_sections": {"zh": "核定内设机构数", "en": "Approved internal sections"},
    "formed_on": {"zh": "设立日期", "en": "Formed on"},
    "dissolved_on": {"zh": "撤销日期", "en": "Dissolved on"},
    "exported_at": {"zh": "导出时间", "en": "Exported at"},
    "counts": {"zh": "条数", "en": "Counts"},
    "seal_hash": {"zh": "封存哈希", "en": "Seal hash"},
    "archive": {"zh": "数据库", "en": "Archive"},
    "items": {"zh": "整改事项", "en": "Rectification items"},
    # implementation dates (what the source measured) and the on-site work log
    "staffed_on": {"zh": "组建到位日期", "en": "Staffed on"},
    "sections_on": {"zh": "科室设置完成日期", "en": "Sections set up on"},
    "registered_on": {"zh": "法人登记(变更登记)日期", "en": "Legal-person registration on"},
    "staffed_months": {"zh": "组建周期(月)", "en": "Staffing cycle (months)"},
    "sections_months": {"zh": "科室设置周期(月)", "en": "Section-setup cycle (months)"},
    "registered_months": {"zh": "法人登记周期(月)", "en": "Registration cycle (months)"},
    "registrations": {"zh": "法人登记数", "en": "Registrations"},
    "documents": {"zh": "调阅文件资料(件)", "en": "Documents read"},
    "questions": {"zh": "询问问题(个)", "en": "Questions asked"},
    "items_verified": {"zh": "调查核实事项(项)", "en": "Facts checked"},
    "suggestions": {"zh": "征求意见建议(条)", "en": "Opinions collected"},
    # an import error's table: which file, row, column, value and why
    "file": {"zh": "文件", "en": "File"},
    "row": {"zh": "行号", "en": "Row"},
    "column": {"zh": "列", "en": "Column"},
    "value": {"zh": "填写内容", "en": "Value"},
    "reason": {"zh": "原因", "en": "Reason"},
    # ---- coded values shown as words (see ``localise``)
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "status_pending": {"zh": "待审批", "en": "pending"},
    "status_approved": {"zh": "已批准", "en": "approved"},
    "status_open": {"zh": "进行中", "en": "in progress"},
    "status_completed": {"zh": "已结束", "en": "completed"},
    "status_received": {"zh": "已接收", "en": "received"},
    "status_flagged": {"zh": "有疑问", "en": "flagged"},
    "log_drafted": {"zh": "生成草案", "en": "drafted"},
    "log_signed": {"zh": "签发", "en": "signed"},
    "log_rejected": {"zh": "不予签发", "en": "rejected"},
    "ev_created": {"zh": "下达", "en": "issued"},
    "ev_done": {"zh": "报整改完成", "en": "reported done"},
    "ev_extension_requested": {"zh": "申请延期", "en": "extension requested"},
    "ev_extension_approved": {"zh": "批准延期", "en": "extension approved"},
    "ev_extension_rejected": {"zh": "不予延期", "en": "extension refused"},
    "ev_recheck_passed": {"zh": "复查通过", "en": "re-check passed"},
    "ev_recheck_failed": {"zh": "复查未通过", "en": "re-check failed"},
    # ---- chart words (``views`` draws with these whatever else is imported)
    "wt_prev_round": {"zh": "上年同级轮次", "en": "Previous year"},
    "wt_rows_shown": {"zh": "仅显示前 {n} 行,共 {total} 行", "en": "first {n} of {total} rows shown"},
    "lost_share": {"zh": "失分比例", "en": "Share of weight lost"},
    "nominal_rank": {"zh": "基准排名", "en": "Nominal rank"},
    "median_rank": {"zh": "排名中位数", "en": "Median rank"},
    "sobol_total": {"zh": "总敏感度指数 ST", "en": "Total index ST"},
    "ahead": {"zh": "领先方", "en": "Ahead"},
    "behind": {"zh": "追赶方", "en": "Behind"},
    "can_overtake": {"zh": "可否反超", "en": "Can overtake"},
    "wx_official": {"zh": "现行权重", "en": "Official"},
    "wx_scenario": {"zh": "方案", "en": "Scenario"},
    "rank_interval_title": {"zh": "排名区间(5%–95%,点为中位数)", "en": "Rank interval (5–95%, dot = median)"},
    "slope_title": {"zh": "排名变化:现行权重 → 方案", "en": "Rank: official → scenario"},
    "overtaking_title": {"zh": "可否反超(±{spread:.0%} 权重范围内,列能否超过行)",
                         "en": "Can the column overtake the row (weights within ±{spread:.0%})"},
    "weights_title": {"zh": "权重:现行与方案", "en": "Weights: official and scenario"},
    "ot_yes": {"zh": "能", "en": "yes"},
    "ot_no": {"zh": "不能", "en": "no"},
    "ot_already_ahead": {"zh": "已领先", "en": "already ahead"},
    "wx_sobol_title": {"zh": "哪些权重最影响单位排名(条:总指数 ST 及区间;点:一阶指数 S)",
                       "en": "Which weights move unit ranks most (bar: total index ST with interval; dot: first-order S)"},
}


def register(labels: dict[str, dict[str, str]]) -> None:
    """Feature modules add their own labels at import; a key may be defined only once."""
    clash = set(labels) & set(LABELS)
    if clash:
        raise ValueError(f"labels defined twice: {sorted(clash)}")
    LABELS.update(labels)


def default_lang() -> str:
    lang = os.environ.get("WORKBENCH_LANG", "zh").lower()
    return "en" if lang.startswith("en") else "zh"


def t(key: str, lang: str | None = None, **kwargs: object) -> str:
    """The label for ``key`` in ``lang`` (default: WORKBENCH_LANG, else zh)."""
    lang = lang or default_lang()
    entry = LABELS.get(key)
    text = entry.get(lang, entry["zh"]) if entry else key
    return text.format(**kwargs) if kwargs else text


def column_labels(columns: list[str], lang: str | None = None) -> dict[str, str]:
    """Rename map for displaying a result table with human headers."""
    return {c: t(c, lang) for c in columns if c in LABELS}


#: columns whose values are codes, and the prefix of their words ("establish" → 设立)
CODED_COLUMNS = {"category": "", "level": "", "area": "", "source": "", "status": ("", "decision_", "status_"),
                 "action": ("ev_", "log_"), "state": "state_", "rule": "rule_"}


def _word(value: object, prefixes: tuple[str, ...], lang: str) -> object:
    if isinstance(value, str):
        for p in prefixes:
            if p + value in LABELS:
                return t(p + value, lang)
    return value


def localise(df, lang: str | None = None):
    """A table as people read it: coded values in words, true/false as 是/否, headers from the
    glossary. Applied where a table is built for people (files, pages), never to stored data."""
    lang = lang or default_lang()
    out = df.copy()
    for col, prefixes in CODED_COLUMNS.items():
        if col in out.columns:
            pre = (prefixes,) if isinstance(prefixes, str) else prefixes
            out[col] = out[col].map(lambda v, pre=pre: _word(v, pre, lang))
    for col in out.columns:
        if str(out[col].dtype) in ("bool", "boolean"):
            out[col] = out[col].map(lambda v: v if v is None or v != v else t("yes" if v else "no", lang))
    return out.rename(columns=column_labels([c for c in out.columns if isinstance(c, str)], lang))


def localise_keys(obj: object, lang: str | None = None) -> object:
    """A JSON-like value with its keys in words (nested dicts and lists too)."""
    if isinstance(obj, dict):
        return {(t(k, lang) if isinstance(k, str) and k in LABELS else k): localise_keys(v, lang)
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [localise_keys(v, lang) for v in obj]
    return obj

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

"""The officer's app's pages: which steps of a round each page covers and whether it is open,
done or blocked, and why. Pure: reads only the facts ``rounds.steps`` gathers (and whether the
round was filed), so a test can table it."""

from __future__ import annotations

from workbench.labels import register, t
from workbench.rounds import steps

register({
    "app_page_deploy": {"zh": "部署安排", "en": "Deployment"},
    "app_page_scope": {"zh": "问效范围", "en": "Scope"},
    "app_page_survey": {"zh": "调查摸底·自评自查", "en": "Survey · self-assessment"},
    "app_page_verify": {"zh": "现场核查", "en": "On-site verification"},
    "app_page_assess": {"zh": "综合评定", "en": "Assessment"},
    "app_page_followup": {"zh": "情况反馈·督促整改·结果运用", "en": "Feedback · rectification · result use"},
    "app_page_filing": {"zh": "县级报备", "en": "County filing"},
    "app_done": {"zh": "已完成", "en": "done"},
    "app_open": {"zh": "进行中", "en": "open"},
    "app_steps_done": {"zh": "{steps}已完成", "en": "{steps} closed"},
    "app_and": {"zh": "、", "en": ", "},
    "app_blocked": {"zh": "受阻", "en": "blocked"},
    "app_no_round": {"zh": "轮次尚未创建:请在“部署安排”中创建", "en": "the round does not exist yet: create it under Deployment"},
    "app_create_here": {"zh": "在此创建本轮", "en": "create the round here"},
    "app_scope_done": {"zh": "已纳入 {n} 个问效事项", "en": "{n} matters in scope"},
    "app_scope_open": {"zh": "尚未保存问效范围", "en": "no selection saved yet"},
    "app_to_close": {"zh": "完成本步骤前还需:{why}", "en": "before this step can be closed: {why}"},
    "app_can_close": {"zh": "可以完成本步骤", "en": "this step can be closed"},
    "app_filing_wait": {"zh": "本轮办结(七个步骤全部完成)后才能报备", "en": "a round is filed once completed (all seven steps closed)"},
    "app_filed": {"zh": "已报市编办备案", "en": "filed with the city"},
    "app_filing_city": {"zh": "接收各县报备包,查看报备情况", "en": "receive the counties' packages and see their status"},
})

#: page → the steps of ``rounds.steps`` it closes (scope and filing close none)
PAGES: dict[str, tuple[str, ...]] = {
    "deploy": ("deploy",), "scope": (), "survey": ("survey", "self"), "verify": ("verify",),
    "assess": ("assess",), "followup": ("feedback", "rectify"), "filing": (),
}
DONE, OPEN, BLOCKED = "done", "open", "blocked"


def page_status(page: str, facts: dict | None, county: bool, filed: bool, completed: bool,
                lang: str | None = None) -> tuple[str, str]:
    """(status, why) of ``page``; ``facts`` is ``steps.round_facts`` or None if there is no round."""
    if facts is None:
        return (OPEN, t("app_create_here", lang)) if page == "deploy" else (BLOCKED, t("app_no_round", lang))
    if page == "scope":
        n = facts["included"]
        return (DONE, t("app_scope_done", lang, n=n)) if n else (OPEN, t("app_scope_open", lang))
    if page == "filing":
        if not county:
            return OPEN, t("app_filing_city", lang)
        if filed:
            return DONE, t("app_filed", lang)
        return (OPEN, "") if completed else (BLOCKED, t("app_filing_wait", lang))
    todo = [s for s in PAGES[page] if s not in facts["closed"]]
    if not todo:
        return DONE, t("app_steps_done", lang, steps=t("app_and", lang).join(steps.step_label(s, lang) for s in PAGES[page]))
    first = todo[0]
    earlier = [s for s in steps.STEPS[:steps.STEPS.index(first)] if s not in facts["closed"]
               and s not in PAGES[page]]
    if earlier:
        return BLOCKED, t("wt_block_order", lang, step=steps.step_label(earlier[0], lang))
    why = steps.blockers(first, facts, lang)
    return OPEN, t("app_to_close", lang, why=";".join(why)) if why else t("app_can_close", lang)

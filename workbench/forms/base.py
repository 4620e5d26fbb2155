"""ipywidgets forms for the officer's walk-through of a round (the 7 steps).

Thin: each form reads the archive, calls the core (steps, rounds, survey, assessment) and writes
back; no rule lives here. Handlers are private (``_on_*``); a ``WorkbenchError`` raised by the
library is shown in the form's ``message`` in the user's language and nothing of that action is
saved. Long lists are paged: there is never a widget per matter beyond those on screen.

Notebooks call one function per step: ``round_setup``, ``selection``, ``survey``,
``verification`` and ``assessment``; each opens the archive and returns a displayable form.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import sys
import unicodedata

import ipywidgets as W
import pandas as pd
from traitlets import Unicode

from workbench.archive import AccessDenied, Archive
from workbench.core import Catalogue, parse_round_id
from workbench.errors import ValidationError, WorkbenchError
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.organisation import area_name
from workbench.views import html_table, use_offline_renderer

from .files import download_links

register({
    "wt_title": {"zh": "{area} {year} 年度跟踪问效", "en": "{area} — {year} follow-up evaluation"},
    "wt_officer": {"zh": "经办人", "en": "Officer"},
    "wt_create_round": {"zh": "创建问效轮次", "en": "Create the round"},
    "wt_round_missing": {"zh": "轮次 {round_id} 尚未创建,请填写后创建。", "en": "Round {round_id} does not exist yet: fill in and create it."},
    "wt_created": {"zh": "已创建轮次 {round_id}", "en": "round {round_id} created"},
    "wt_window_start": {"zh": "公布起始", "en": "Window from"},
    "wt_window_end": {"zh": "公布截止", "en": "Window to"},
    "wt_eval_date": {"zh": "问效日期", "en": "Evaluation date"},
    "wt_team": {"zh": "工作组", "en": "Team"},
    "wt_team_hint": {"zh": "成员姓名,以“、”分隔", "en": "member names, separated by 、"},
    "wt_member": {"zh": "成员", "en": "Member"},
    "wt_member_unit": {"zh": "所在单位", "en": "Belongs to"},
    "wt_role": {"zh": "分工", "en": "Role"},
    "wt_add_member": {"zh": "加入工作组", "en": "Add to team"},
    "wt_remove_member": {"zh": "移出工作组", "en": "Remove"},
    "wt_team_saved": {"zh": "工作组已更新({n} 人)", "en": "team updated ({n} members)"},
    "wt_close_step": {"zh": "完成此步骤", "en": "Close step"},
    "wt_reopen_step": {"zh": "重新打开", "en": "Reopen"},
    "wt_step_closed": {"zh": "“{step}”已完成", "en": "“{step}” closed"},
    "wt_step_reopened": {"zh": "“{step}”已重新打开", "en": "“{step}” reopened"},
    "wt_note": {"zh": "备注", "en": "Note"},
    "wt_window": {"zh": "公布窗口", "en": "Publication window"},
    "wt_score_archive": {"zh": "评分并存档", "en": "Score and archive"},
    "wt_scored": {"zh": "已评分并存档(本轮第 {run} 版)", "en": "scored and archived (version {run} of the round)"},
    "wt_amend_reason": {"zh": "修正原因", "en": "Reason for the amendment"},
    "wt_amend_hint": {"zh": "本轮已封存:保存即作为修正登记,须写明原因",
                      "en": "the round is sealed: saving records an amendment, say why"},
    "wt_amend_needs_reason": {"zh": "{round_id} 已封存:请在“修正原因”中写明为何修正,保存将作为修正登记",
                              "en": "{round_id} is sealed: write the reason for the amendment, the save is "
                                    "recorded as an amendment"},
    "wt_amended": {"zh": "已作为修正登记:本轮第 {version} 版,经办人 {by},原因:{why}",
                   "en": "recorded as an amendment: version {version} of the round, by {by}, because: {why}"},
    "wt_amend_score": {"zh": "修正评分", "en": "Re-score as an amendment"},
    "wt_tab_results": {"zh": "评定结果", "en": "Results"},
    "wt_tab_units": {"zh": "单位排名", "en": "Unit ranking"},
    "wt_tab_gap": {"zh": "自评与核查", "en": "Self vs verified"},
    "wt_tab_charts": {"zh": "图表", "en": "Charts"},
    "wt_tab_previous": {"zh": "与上年比较", "en": "Against last year"},
    "wt_progress": {
        "zh": "问效事项 {included} 项 · 自评未完成 {self_open} 项 · 核查未完成 {verified_open} 项",
        "en": "{included} matters in scope · {self_open} without a complete self-assessment · "
              "{verified_open} not completely verified",
    },
    "wt_round_status_open": {"zh": "进行中", "en": "open"},
    "wt_round_status_completed": {"zh": "已办结", "en": "completed"},
    "wt_unexpected": {"zh": "出现意外错误({kind}:{detail});请刷新页面核对已保存的内容,并把这句话告知系统管理员",
                      "en": "unexpected error ({kind}: {detail}): reload the page to check what was saved, and tell "
                            "the system administrator"},
})

log = logging.getLogger(__name__)



def setup(lang: str = "zh") -> None:
    """Once per notebook: messages in ``lang``. Charts are drawn as inline SVG by the forms that
    show them (nothing from a CDN); Altair is loaded only by those, as it takes seconds."""
    os.environ["WORKBENCH_LANG"] = "en" if str(lang).startswith("en") else "zh"
    if "altair" in sys.modules:

        use_offline_renderer()






def handler(fn):
    """Run a form action; a library error becomes the form's message and nothing more. Any other
    error is shown too (in a browser app an exception in a click handler is otherwise invisible)
    and its traceback goes to the server's log."""
    @functools.wraps(fn)
    def wrapped(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except ValidationError as exc:
            self._fail(str(exc).splitlines()[0], exc.failures)
        except WorkbenchError as exc:  # one that can say it in the form's language does
            self._fail(exc.text(self.lang) if callable(getattr(exc, "text", None)) else str(exc))
        except Exception as exc:  # noqa: BLE001 - a click must never fail silently: say so, log the traceback
            log.exception("form action %s failed", fn.__name__)
            self._fail(t("wt_unexpected", kind=type(exc).__name__, detail=str(exc).splitlines()[0][:200] if str(exc) else ""))
        return None
    return wrapped


def fit_words(widgets) -> None:
    """Nothing cut: a button as wide as its words, a label as wide as its words. ipywidgets' defaults — 148-pixel buttons, 80-pixel
    labels — cut Chinese and English labels alike ("上传填好的调查…"). Widths a form sets stay."""
    for w in widgets:
        if isinstance(w, (W.Button, W.FileUpload, W.ToggleButton)) and w.layout.width is None:
            w.layout.width = "auto"
        if getattr(getattr(w, "style", None), "description_width", "initial") == "":
            w.style.description_width = "initial"
        if isinstance(w, W.Box):
            fit_words(w.children)


def text_em(text: str) -> float:
    """A generous width of ``text`` in em, the browser's own measure being out of reach of the
    kernel: a wide (CJK) character is 1 em, a capital 0.75, anything else 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.75 if c.isupper() else 0.6 for c in text)


def _fit_choices(dropdown: W.Dropdown) -> None:
    labels = [o[0] if isinstance(o, tuple) else str(o) for o in dropdown.options]
    longest = max(map(text_em, labels), default=0.0)
    # 64px: the label's gap, the box's padding and its arrow, with room to spare
    dropdown.layout.width = f"calc({text_em(dropdown.description) + longest:.1f}em + 64px)"


def fit_choices(*dropdowns: W.Dropdown) -> None:
    """A drop-down as wide as its label and its longest choice, now and whenever its choices
    change: an auto width is the longest choice alone and leaves the text against the arrow
    ("Weifang (city l…"), a fixed one fits only the names one office has."""
    for dropdown in dropdowns:
        _fit_choices(dropdown)
        dropdown.observe(lambda change: _fit_choices(change["owner"]), "options")


class Form(W.VBox):
    """Shared parts: the archive, the round, the language, the officer and a message line."""

    round_id = Unicode("")
    lang = Unicode("zh")
    officer = Unicode("")

    def __init__(self, archive: Archive, round_id: str, lang: str = "zh", officer: str = "",
                 catalogue: Catalogue | None = None, **kwargs):
        super().__init__(**kwargs)
        self.archive = archive
        self.catalogue = catalogue or load_catalogue()
        self.round_id, self.lang, self.officer = round_id, lang, officer
        self.message = W.HTML()
        self.message.add_class("wt-message")
        self.last_error: str | None = None
        self.failures = pd.DataFrame()
        self.observe(lambda change: fit_words(change["new"]), "children")

    def L(self, key: str, **kwargs) -> str:
        return t(key, self.lang, **kwargs)

    def title(self) -> W.HTML:
        year, area = parse_round_id(self.round_id)
        return W.HTML(f"<h3>{html.escape(self.L('wt_title', area=area_name(self.archive.organisation(), area, self.lang), year=year))}"
                      f" · {html.escape(self.round_id)}</h3>")

    def _ok(self, text: str, files=()) -> None:
        """Say what was done; ``files`` written (paths or (name, bytes)) are offered as downloads."""
        self.last_error, self.failures = None, pd.DataFrame()
        self.message.value = f'<b class="wt-ok" style="color:#2e7d32">✔ {html.escape(text)}</b>' + download_links(files)

    def reason_field(self, sealed: bool) -> W.Text:
        """修正原因: shown only on a sealed round, whose saves are amendments (who, when, why)."""
        field = W.Text(description=self.L("wt_amend_reason"), placeholder=self.L("wt_amend_hint"),
                       layout=W.Layout(width="720px", display="" if sealed else "none"))
        field.add_class("wt-amend-reason")
        return field

    def amend_reason(self) -> str:
        """The reason typed; none is refused before anything is written."""
        why = self.reason.value.strip()
        if not why:
            raise WorkbenchError(self.L("wt_amend_needs_reason", round_id=self.round_id))
        return why

    def amended(self, row: dict) -> str:
        """What an amendment recorded: the round's version, who (as the database has it) and why."""
        return self.L("wt_amended", version=self.archive.run_version(int(row["new_run_id"])), by=row["by"],
                      why=row["why"])

    def _fail(self, text: str, failures: pd.DataFrame | None = None) -> None:
        self.last_error = text
        self.failures = failures if failures is not None else pd.DataFrame()
        table = html_table(self.failures, self.lang, 50) if len(self.failures) else ""
        self.message.value = f'<b class="wt-err" style="color:#c62828">✘ {html.escape(text)}</b>{table}'






# ---------------------------------------------------------------------- notebook entry points
def open_archive(db: str | None = None) -> Archive:
    return Archive(db or None)


def opened(build, lang: str = "zh") -> W.Widget:
    """A notebook's form, built by ``build()``; if the database refuses its round to the
    signed-in user (another area's), the reason, shown as a form shows its messages: Voilà
    would hide a failing cell's error behind a generic one."""
    try:
        return build()
    except AccessDenied as exc:
        shown = W.HTML(f'<b class="wt-err" style="color:#c62828">✘ {html.escape(exc.text(lang))}</b>')
        shown.add_class("wt-message")
        return shown












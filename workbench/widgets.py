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
import os
import sys

import ipywidgets as W
import pandas as pd
from traitlets import Unicode

from . import steps
from .archive import Archive
from .catalogue import Catalogue, load_catalogue
from .errors import ValidationError, WorkbenchError
from .geography import AREAS, area_name
from .labels import register, t
from .rounds import create_round
from .selection import default_eval_date, default_window, parse_round_id

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
    "wt_scored": {"zh": "已评分并存档(第 {run} 版)", "en": "scored and archived (version {run})"},
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
    "wt_rows_shown": {"zh": "仅显示前 {n} 行,共 {total} 行", "en": "first {n} of {total} rows shown"},
})

MAX_TABLE_ROWS = 200
TABLE_CSS = (
    "<style>.wt-table{border-collapse:collapse;font-size:12px}"
    ".wt-table td,.wt-table th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
    ".wt-table th{background:#f3f3f3}.wt-table tr.wt-flag td{background:#fde0dc}.wt-ok{color:#2e7d32}.wt-err{color:#c62828}</style>"
)


def setup(lang: str = "zh") -> None:
    """Once per notebook: messages in ``lang``. Charts are drawn as inline SVG by the forms that
    show them (nothing from a CDN); Altair is loaded only by those, as it takes seconds."""
    os.environ["WORKBENCH_LANG"] = "en" if str(lang).startswith("en") else "zh"
    if "altair" in sys.modules:
        from .charts import use_offline_renderer

        use_offline_renderer()


def _cell(v) -> str:
    if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return "—"
    if isinstance(v, bool):
        return "✔" if v else ""
    if isinstance(v, float):
        return f"{round(v, 2):,.2f}".rstrip("0").rstrip(".")
    return str(v)


def html_table(df: pd.DataFrame, lang: str = "zh", max_rows: int = MAX_TABLE_ROWS,
               highlight: pd.Series | None = None) -> str:
    """An escaped HTML table of the first ``max_rows`` rows; rows where ``highlight`` is true are
    tinted (e.g. inflated self-assessments, the current step)."""
    shown = df.head(max_rows)
    flags = ([False] * len(shown) if highlight is None
             else list(highlight.head(max_rows).fillna(False).astype(bool)))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join(
        ("<tr class=\"wt-flag\">" if flag else "<tr>")
        + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in rec) + "</tr>"
        for flag, rec in zip(flags, shown.itertuples(index=False), strict=True))
    more = (f"<p><i>{html.escape(t('wt_rows_shown', lang, n=max_rows, total=len(df)))}</i></p>"
            if len(df) > max_rows else "")
    return f'{TABLE_CSS}<table class="wt-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}'


def handler(fn):
    """Run a form action; a library error becomes the form's message and nothing more."""
    @functools.wraps(fn)
    def wrapped(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except ValidationError as exc:
            self._fail(str(exc).splitlines()[0], exc.failures)
        except WorkbenchError as exc:
            self._fail(str(exc))
        return None
    return wrapped


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

    def L(self, key: str, **kwargs) -> str:
        return t(key, self.lang, **kwargs)

    def title(self) -> W.HTML:
        year, area = parse_round_id(self.round_id)
        return W.HTML(f"<h3>{html.escape(self.L('wt_title', area=area_name(area, self.lang), year=year))}"
                      f" · {html.escape(self.round_id)}</h3>")

    def _ok(self, text: str) -> None:
        self.last_error, self.failures = None, pd.DataFrame()
        self.message.value = f'<b class="wt-ok" style="color:#2e7d32">✔ {html.escape(text)}</b>'

    def _fail(self, text: str, failures: pd.DataFrame | None = None) -> None:
        self.last_error = text
        self.failures = failures if failures is not None else pd.DataFrame()
        table = html_table(self.failures, self.lang, 50) if len(self.failures) else ""
        self.message.value = f'<b class="wt-err" style="color:#c62828">✘ {html.escape(text)}</b>{table}'


# -------------------------------------------------------------------------------- round setup
class RoundSetupForm(Form):
    """部署安排: create or open a round, name its team, and move its 7 steps."""

    def __init__(self, archive: Archive, round_id: str, **kwargs):
        super().__init__(archive, round_id, **kwargs)
        self.tracker_html = W.HTML()
        self.info = W.HTML()
        self._build_create()
        self._build_tracker()
        self._refresh()

    def _build_create(self) -> None:
        year, area = parse_round_id(self.round_id)
        ws, we = default_window(year)
        self.year = W.IntText(value=year, description=self.L("year"))
        self.area = W.Dropdown(options=[(area_name(a, self.lang), a) for a in AREAS], value=area,
                               description=self.L("area"))
        self.window_start = W.DatePicker(value=ws, description=self.L("wt_window_start"))
        self.window_end = W.DatePicker(value=we, description=self.L("wt_window_end"))
        self.eval_date = W.DatePicker(value=default_eval_date(year), description=self.L("wt_eval_date"))
        self.team_names = W.Text(placeholder=self.L("wt_team_hint"), description=self.L("wt_team"))
        self.create_button = W.Button(description=self.L("wt_create_round"), button_style="primary")
        self.create_button.on_click(self._on_create)
        self.create_box = W.VBox([W.HTML(html.escape(self.L("wt_round_missing", round_id=self.round_id))),
                                  self.year, self.area, self.window_start, self.window_end,
                                  self.eval_date, self.team_names, self.create_button])

    def _build_tracker(self) -> None:
        self.team_html = W.HTML()
        self.member = W.Text(description=self.L("wt_member"))
        self.member_unit = W.Dropdown(description=self.L("wt_member_unit"))
        self.role = W.Text(description=self.L("wt_role"))
        self.add_member_button = W.Button(description=self.L("wt_add_member"))
        self.remove_member_button = W.Button(description=self.L("wt_remove_member"))
        self.add_member_button.on_click(self._on_add_member)
        self.remove_member_button.on_click(self._on_remove_member)
        self.step = W.Dropdown(options=[(steps.step_label(s, self.lang), s) for s in steps.STEPS],
                               description=self.L("wt_step"))
        self.note = W.Text(description=self.L("wt_note"))
        self.close_button = W.Button(description=self.L("wt_close_step"), button_style="success")
        self.reopen_button = W.Button(description=self.L("wt_reopen_step"))
        self.close_button.on_click(self._on_close_step)
        self.reopen_button.on_click(self._on_reopen_step)
        self.tracker_box = W.VBox([
            self.info, self.tracker_html,
            W.HBox([self.step, self.note, self.close_button, self.reopen_button]),
            W.HTML(f"<b>{html.escape(self.L('wt_team'))}</b>"), self.team_html,
            W.HBox([self.member, self.member_unit, self.role]),
            W.HBox([self.add_member_button, self.remove_member_button]),
        ])

    def _exists(self) -> bool:
        return self.round_id in set(self.archive.rounds()["round_id"])

    def _refresh(self) -> None:
        if not self._exists():
            self.children = [self.title(), self.create_box, self.message]
            return
        r = self.archive.get_round(self.round_id)
        self.info.value = (f"<p>{html.escape(self.L('wt_window'))}: {r['window_start']} – {r['window_end']} · "
                           f"{html.escape(self.L('wt_eval_date'))}: {r['eval_date']} · "
                           f"{html.escape(self.L('status'))}: {html.escape(self.L('wt_round_status_' + str(r['status'])))}</p>")
        facts = steps.round_facts(self.archive, self.round_id, self.catalogue)
        self.info.value += "<p>" + html.escape(self.L(
            "wt_progress", included=facts["included"], self_open=len(facts["self_incomplete"]),
            verified_open=len(facts["verified_incomplete"]))) + "</p>"
        track = steps.tracker(self.archive, self.round_id, self.lang)
        shown = track[["label", "status_label", "by", "at", "note"]].rename(columns={
            "label": self.L("wt_step"), "status_label": self.L("status"), "by": self.L("wt_moved_by"),
            "at": self.L("wt_moved_at"), "note": self.L("wt_note")})
        self.tracker_html.value = html_table(shown, self.lang, highlight=track["status"] == steps.CURRENT)
        current = track.loc[track["status"] == steps.CURRENT, "step"]
        if len(current):
            self.step.value = current.iloc[0]
        team = steps.team(self.archive, self.round_id)
        units = self.archive.units()
        _, area = parse_round_id(self.round_id)
        local = units[units["level"] == "city"] if area == "city" else units[units["county"] == area]
        names = units.set_index("unit_id")["name"]
        self.member_unit.options = [(self.L("wt_staffing_office"), "")] + list(
            zip(local["name"], local["unit_id"], strict=True))
        self.team_html.value = html_table(pd.DataFrame({
            self.L("wt_member"): team["officer"],
            self.L("wt_member_unit"): team["unit_id"].map(lambda u: names.get(u, u) if u else self.L("wt_staffing_office")),
            self.L("wt_role"): team["role"].fillna(""),
        }), self.lang)
        self.children = [self.title(), self.tracker_box, self.message]

    @handler
    def _on_create(self, _=None) -> None:
        spec = create_round(self.archive, self.year.value, self.area.value, self.window_start.value,
                            self.window_end.value, self.eval_date.value, created_by=self.officer,
                            team=self.team_names.value.strip())
        self.round_id = spec.round_id
        self._ok(self.L("wt_created", round_id=spec.round_id))
        self._refresh()

    @handler
    def _on_add_member(self, _=None) -> None:
        name = self.member.value.strip()
        if not name:
            raise WorkbenchError(self.L("wt_officer_required"))
        team = steps.team(self.archive, self.round_id)
        team = pd.concat([team[team["officer"] != name], pd.DataFrame([{
            "officer": name, "unit_id": self.member_unit.value or None, "role": self.role.value.strip()}])],
            ignore_index=True)
        steps.set_team(self.archive, self.round_id, team)
        self.member.value = self.role.value = ""
        self._ok(self.L("wt_team_saved", n=len(team)))
        self._refresh()

    @handler
    def _on_remove_member(self, _=None) -> None:
        team = steps.team(self.archive, self.round_id)
        team = team[team["officer"] != self.member.value.strip()]
        steps.set_team(self.archive, self.round_id, team)
        self._ok(self.L("wt_team_saved", n=len(team)))
        self._refresh()

    @handler
    def _on_close_step(self, _=None) -> None:
        steps.close_step(self.archive, self.round_id, self.step.value, by=self.officer,
                         note=self.note.value.strip(), catalogue=self.catalogue, lang=self.lang)
        self._ok(self.L("wt_step_closed", step=steps.step_label(self.step.value, self.lang)))
        self.note.value = ""
        self._refresh()

    @handler
    def _on_reopen_step(self, _=None) -> None:
        step = self.step.value
        steps.reopen_step(self.archive, self.round_id, step, by=self.officer,
                          note=self.note.value.strip(), lang=self.lang)
        self._ok(self.L("wt_step_reopened", step=steps.step_label(step, self.lang)))
        self._refresh()


# ----------------------------------------------------------------------- assessment view
class AssessmentView(Form):
    """综合评定: results, rankings, self vs verified, charts and last year, from the core."""

    def __init__(self, archive: Archive, round_id: str, **kwargs):
        super().__init__(archive, round_id, **kwargs)
        self.score_button = W.Button(description=self.L("wt_score_archive"), button_style="primary")
        self.score_button.on_click(self._on_score)
        self.panes = {k: W.HTML() for k in ("results", "units", "gap", "charts", "previous")}
        self.tabs = W.Tab(children=list(self.panes.values()))
        for i, k in enumerate(self.panes):
            self.tabs.set_title(i, self.L("wt_tab_" + k))
        self.children = [self.title(), W.HBox([self.score_button]), self.message, self.tabs]
        self.result = None
        self._render(save=False)

    @handler
    def _on_score(self, _=None) -> None:
        self._render(save=True)
        run = self.archive.latest_run(self.round_id, "verified")
        self._ok(self.L("wt_scored", run=run["run_id"]))

    def _render(self, save: bool) -> None:
        from . import assessment as A
        from . import charts

        charts.use_offline_renderer()
        a = A.assess_round(self.archive, self.round_id, self.catalogue, save=save, by=self.officer)
        self.result = a
        show = functools.partial(A.display, lang=self.lang, catalogue=self.catalogue)
        res = a.results.sort_values(["category", "rank_in_category"])
        self.panes["results"].value = html_table(show(res.drop(columns=["unit_id"])), self.lang)
        self.panes["units"].value = html_table(show(a.units), self.lang)
        gap = show(a.gap.drop(columns=["unit_id"]))
        self.panes["gap"].value = html_table(gap, self.lang, highlight=a.gap["inflated"]) + "<br>" + \
            html_table(show(a.indicator_gap[["matter_id", "indicator_id", "self_result", "verified_result",
                                             "gap_points"]]), self.lang, max_rows=50)
        figures = [charts.completion_by_unit(a.units, self.lang), charts.band_distribution(a.results, self.lang)]
        if a.detail["fraction"].notna().any():
            figures.append(charts.points_lost_heatmap(a.detail, self.lang))
        self.panes["charts"].value = "".join(f"<div>{charts.to_svg(f)}</div>" for f in figures)
        if a.previous_round:
            series = A.year_series(a.previous, self.round_id, a.previous_round, self.catalogue, self.lang)
            self.panes["previous"].value = (
                f"<div>{charts.to_svg(A.year_comparison_chart(series, self.lang))}</div>"
                + html_table(show(a.previous), self.lang) + "<br>"
                + html_table(show(a.previous_units[["unit_name", "completion_pct", "prev_pct", "change"]]),
                             self.lang))
        else:
            self.panes["previous"].value = f"<p>{html.escape(self.L('wt_no_previous'))}</p>"


# ---------------------------------------------------------------------- notebook entry points
def open_archive(db: str | None = None) -> Archive:
    return Archive(db or None)


def round_setup(db: str | None, round_id: str, lang: str = "zh", officer: str = "") -> RoundSetupForm:
    return RoundSetupForm(open_archive(db), round_id, lang=lang, officer=officer)


def selection(db: str | None, round_id: str, lang: str = "zh", officer: str = ""):
    from .widgets_scope import SelectionForm

    return SelectionForm(open_archive(db), round_id, lang=lang, officer=officer)


def survey(db: str | None, round_id: str, lang: str = "zh", officer: str = "", out_dir: str | None = None):
    from .widgets_scope import SurveyForm

    return SurveyForm(open_archive(db), round_id, lang=lang, officer=officer, out_dir=out_dir)


def verification(db: str | None, round_id: str, lang: str = "zh", officer: str = "",
                 matter_id: str | None = None):
    from .widgets_verify import VerificationForm

    return VerificationForm(open_archive(db), round_id, lang=lang, officer=officer, matter_id=matter_id)


def assessment(db: str | None, round_id: str, lang: str = "zh", officer: str = "") -> AssessmentView:
    return AssessmentView(open_archive(db), round_id, lang=lang, officer=officer)


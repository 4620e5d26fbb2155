"""部署安排: create or open a round, its team, and the 7-step tracker with its closing rules."""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from workbench.archive import Archive
from workbench.core import default_eval_date, default_window, parse_round_id
from workbench.errors import WorkbenchError
from workbench.organisation import area_name, is_subordinate
from workbench.rounds import create_round, steps
from workbench.views import html_table

from .base import Form, handler, open_archive, opened


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
        org = self.archive.organisation()
        self.area = W.Dropdown(options=[(area_name(org, a, self.lang), a) for a in org.areas], value=area,
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
        local = units[units["county"] == area] if is_subordinate(area) else units[units["level"] == area]
        names = self.archive.unit_names()
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



def round_setup(db: str | None, round_id: str, lang: str = "zh", officer: str = "") -> W.Widget:
    return opened(lambda: RoundSetupForm(open_archive(db), round_id, lang=lang, officer=officer), lang)

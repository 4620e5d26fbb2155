"""The officer's app: one page with a round picker (year, area by name, the day of the work, the
officer) and a navigation across the steps of a round; each step is an existing form.

No rule lives here: the forms do the work, ``pages`` says what is open, done or blocked, and
closing a step is ``rounds.steps.close_step`` (which refuses, with the reason, what is not ready).
The forms take the round, the as-of date and the filing dates from the picker, never from code.
"""

from __future__ import annotations

import html
import os
import tempfile
from datetime import date
from pathlib import Path

import ipywidgets as W

from workbench.archive import AccessDenied, Archive, readable_areas
from workbench.core import make_round_id, parse_round_id
from workbench.errors import NotFoundError, WorkbenchError
from workbench.files import load_catalogue
from workbench.filing import read_filings
from workbench.forms import (
    AssessmentView,
    FilingForm,
    FollowupForm,
    RoundSetupForm,
    SelectionForm,
    SurveyForm,
    VerificationForm,
    fit_choices,
)
from workbench.labels import default_lang, register, t
from workbench.organisation import area_name, is_subordinate
from workbench.rounds import steps

from .pages import BLOCKED, DONE, PAGES, page_status

register({
    "app_title": {"zh": "跟踪问效工作台", "en": "Follow-up evaluation workbench"},
    "app_year": {"zh": "年度", "en": "Year"},
    "app_area": {"zh": "地区", "en": "Area"},
    "app_day": {"zh": "办理日期", "en": "Date of work"},
    "app_officer": {"zh": "经办人", "en": "Officer"},
    "app_open_round": {"zh": "打开轮次", "en": "Open the round"},
    "app_new_round": {"zh": "新建轮次", "en": "New round"},
    "app_year_item": {"zh": "{year} 年", "en": "{year}"},
    "app_close": {"zh": "完成“{step}”", "en": "Close “{step}”"},
    "app_round_line": {"zh": "当前轮次:{area} {year} 年度 · {status}", "en": "Round: {area} {year} · {status}"},
})

STATUS_MARK = {DONE: "✔", "open": "●", BLOCKED: "✖"}
STATUS_STYLE = {DONE: "success", "open": "info", BLOCKED: ""}


class OfficerApp(W.VBox):
    """Round picker on top, the steps on the left, the chosen step's form on the right."""

    def __init__(self, archive: Archive, lang: str = "zh", officer: str = "", today: date | None = None,
                 out_dir: str | Path | None = None, round_id: str | None = None, page: str = "deploy"):
        super().__init__()
        self.archive, self.lang, self.catalogue = archive, lang, load_catalogue()
        self.out_dir = Path(out_dir or tempfile.mkdtemp(prefix="workbench-app-"))
        self.add_class("wb-app")
        org = archive.organisation()
        # On a shared archive the database decides what this login reads: the rounds listed are
        # those it sees, the areas offered those it may read (a county officer: their county).
        self.areas = readable_areas(archive)
        rounds = archive.rounds()
        years = sorted(set(rounds["year"].astype(int)) | {(today or date.today()).year})
        years = years + [years[-1] + 1]
        latest = rounds.sort_values(["year", "round_id"]).iloc[-1] if len(rounds) else None
        self.year = W.Dropdown(options=[(self.L("app_year_item", year=y), y) for y in years],
                               value=int(latest["year"]) if latest is not None else years[-2],
                               description=self.L("app_year"))
        self.area = W.Dropdown(options=[(area_name(org, a, lang), a) for a in self.areas],
                               value=latest["area"] if latest is not None else self.areas[0],
                               description=self.L("app_area"))
        self.day = W.DatePicker(value=today or date.today(), description=self.L("app_day"),
                                layout=W.Layout(width="auto"))
        self.officer = W.Text(value=officer, description=self.L("app_officer"), layout=W.Layout(width="220px"),
                              continuous_update=False)
        for cls, w in (("wb-year", self.year), ("wb-area", self.area), ("wb-day", self.day), ("wb-officer", self.officer)):
            w.add_class(cls)
            w.style.description_width = "initial"  # the label's full width, never cut to "Date of w…"
        fit_choices(self.year, self.area)  # "2021 年" and "潍坊市(市级)" clear of the arrow
        self.open_button = W.Button(description=self.L("app_open_round"), button_style="primary")
        self.new_button = W.Button(description=self.L("app_new_round"))
        self.open_button.on_click(lambda _: self.open_round())
        self.new_button.on_click(self._on_new)
        self.round_line = W.HTML()
        self.nav_buttons = {p: W.Button(layout=W.Layout(width="300px", height="auto")) for p in PAGES}
        for name, button in self.nav_buttons.items():
            button.add_class("wb-nav-" + name)
            button.on_click(lambda _, p=name: self.show(p))
        self.status_line = W.HTML()
        self.close_bar = W.HBox()
        self.close_message = W.HTML()
        self.body = W.VBox(layout=W.Layout(flex="1 1 auto", min_width="0"))
        self.form: W.Widget | None = None
        self.page = page
        self.children = [
            W.HTML(f"<h2>{html.escape(self.L('app_title'))}</h2>"),
            W.HBox([self.year, self.area, self.day, self.officer, self.open_button, self.new_button],
                   layout=W.Layout(flex_flow="row wrap")),
            self.round_line,
            W.HBox([W.VBox(list(self.nav_buttons.values()), layout=W.Layout(min_width="310px")),
                    W.VBox([self.status_line, self.close_bar, self.close_message, self.body],
                           layout=W.Layout(flex="1 1 auto", min_width="0"))]),
        ]
        self.open_round(round_id=round_id)
        # the forms take the day and the officer when built: a change rebuilds the page shown
        self.day.observe(lambda _: self.show(self.page), "value")
        self.officer.observe(lambda _: self.show(self.page), "value")

    def L(self, key: str, **kwargs) -> str:
        return t(key, self.lang, **kwargs)

    # ------------------------------------------------------------------ the round
    @property
    def round_id(self) -> str:
        return make_round_id(self.year.value, self.area.value)

    def exists(self) -> bool:
        return self.round_id in set(self.archive.rounds()["round_id"])

    def open_round(self, page: str | None = None, round_id: str | None = None) -> None:
        """Show the picked round, or ``round_id`` (the set-up page if it does not exist yet, to
        create it). A round the database hides from the signed-in user is refused, saying whose
        it is: to them it would look like a round not yet created."""
        if round_id:
            try:
                self.archive.get_round(round_id)
            except AccessDenied as exc:
                self._refuse(exc.text(self.lang))
                return
            except NotFoundError:
                pass  # not created yet: the set-up page offers to
            year, area = parse_round_id(round_id)
            if year not in {v for _, v in self.year.options}:
                self.year.options = sorted([*self.year.options, (self.L("app_year_item", year=year), year)],
                                           key=lambda o: o[1])
            self.year.value, self.area.value = year, area
        self.show(page or ("deploy" if not self.exists() else self.page))

    def _refuse(self, why: str) -> None:
        """Nothing of a round this user may not open: the reason where the round's line would be."""
        self.form = None
        self.body.children, self.close_bar.children = [], []
        self.status_line.value = self.close_message.value = ""
        for page, button in self.nav_buttons.items():
            button.description, button.button_style, button.disabled = self.L("app_page_" + page), "", True
        self.round_line.value = f'<p><b class="wt-err" style="color:#c62828">✘ {html.escape(why)}</b></p>'

    def _on_new(self, _=None) -> None:
        """新建轮次: the first year after the area's last round, on the set-up page."""
        mine = self.archive.rounds()
        mine = mine[mine["area"] == self.area.value]["year"].astype(int)
        year = (int(mine.max()) + 1) if len(mine) else self.day.value.year
        if year not in {v for _, v in self.year.options}:
            self.year.options = [*self.year.options, (self.L("app_year_item", year=year), year)]
        self.year.value = year
        self.open_round("deploy")

    # ------------------------------------------------------------------ navigation
    def statuses(self) -> dict[str, tuple[str, str]]:
        if not self.exists():
            return {p: page_status(p, None, False, False, False, self.lang) for p in PAGES}
        rnd = self.archive.get_round(self.round_id)
        facts = steps.round_facts(self.archive, self.round_id, self.catalogue)
        filed = self.round_id in set(read_filings(self.archive)["round_id"])
        county = is_subordinate(self.area.value)
        return {p: page_status(p, facts, county, filed, rnd["status"] == "completed", self.lang) for p in PAGES}

    def refresh(self) -> None:
        """Statuses on the buttons, the reason for the page shown, its close buttons."""
        found = self.statuses()
        for page, button in self.nav_buttons.items():
            status, why = found[page]
            button.description = f"{STATUS_MARK[status]} {self.L('app_page_' + page)}"
            button.tooltip = f"{self.L('app_' + status)}: {why}" if why else self.L("app_" + status)
            button.button_style = STATUS_STYLE[status] if page != self.page else "primary"
            button.disabled = False
        status, why = found[self.page]
        self.status_line.value = (f"<h3>{html.escape(self.L('app_page_' + self.page))}</h3>"
                                  f'<p class="wb-page-status wb-{status}"><b>{html.escape(self.L("app_" + status))}</b>'
                                  + (f" · {html.escape(why)}" if why else "") + "</p>")
        if self.exists():
            rnd = self.archive.get_round(self.round_id)
            self.round_line.value = "<p>" + html.escape(self.L(
                "app_round_line", area=self.area.label, year=self.year.value,
                status=self.L("wt_round_status_" + str(rnd["status"])))) + "</p>"
        else:
            self.round_line.value = f"<p>{html.escape(self.L('app_no_round'))}</p>"
        closed = steps.round_facts(self.archive, self.round_id, self.catalogue)["closed"] if self.exists() else set()
        buttons = []
        for step in PAGES[self.page]:
            if step not in closed and self.exists() and status != BLOCKED:
                b = W.Button(description=self.L("app_close", step=steps.step_label(step, self.lang)),
                             button_style="success", layout=W.Layout(width="auto"))
                b.add_class("wb-close-step")
                b.on_click(lambda _, s=step: self._on_close(s))
                buttons.append(b)
        self.close_bar.children = buttons

    def show(self, page: str) -> None:
        """Open ``page``: a fresh form for the picked round, day and officer."""
        self.page = page
        self.close_message.value = ""
        # A blocked page still opens on an existing round: the status says what to close first,
        # and the library refuses, with the reason, whatever cannot be done yet.
        self.form = self._build(page) if self.exists() or page == "deploy" else None
        self.body.children = [self.form] if self.form is not None else []
        if self.form is not None and hasattr(self.form, "message"):
            # every action ends in a message: the statuses follow what the action changed
            self.form.message.observe(lambda _: self.refresh(), "value")
        self.refresh()

    def _build(self, page: str) -> W.Widget:
        common = {"lang": self.lang, "officer": self.officer.value.strip(), "catalogue": self.catalogue}
        rid, day = self.round_id, self.day.value or date.today()
        if page == "deploy":
            form = RoundSetupForm(self.archive, rid, **common)
            form.observe(self._on_created, "round_id")
            return form
        builders = {
            "scope": lambda: SelectionForm(self.archive, rid, **common),
            "survey": lambda: SurveyForm(self.archive, rid, out_dir=self.out_dir / rid / "survey", **common),
            "verify": lambda: VerificationForm(self.archive, rid, **common),
            "assess": lambda: AssessmentView(self.archive, rid, **common),
            "followup": lambda: FollowupForm(self.archive, rid, out_dir=str(self.out_dir / rid / "feedback"),
                                             today=day, **common),
            "filing": lambda: FilingForm(self.archive, rid, on=day, **common),
        }
        form = builders[page]()
        # In the app files travel through the page: the server-path fields of the notebooks go.
        for field in ("path", "out_dir"):
            if isinstance(getattr(form, field, None), W.Text):
                getattr(form, field).layout.display = "none"
        return form

    def _on_created(self, change) -> None:
        """The set-up form created a round (perhaps of another year or area): pick it."""
        year, area = parse_round_id(change["new"])
        if year not in {v for _, v in self.year.options}:
            self.year.options = [*self.year.options, (self.L("app_year_item", year=year), year)]
        self.year.value, self.area.value = year, area
        self.refresh()

    def _on_close(self, step: str) -> None:
        try:
            steps.close_step(self.archive, self.round_id, step, by=self.officer.value.strip(),
                             catalogue=self.catalogue, lang=self.lang)
        except WorkbenchError as exc:
            self.close_message.value = f'<b class="wt-err" style="color:#c62828">✘ {html.escape(str(exc))}</b>'
        else:
            self.close_message.value = ('<b class="wt-ok" style="color:#2e7d32">✔ '
                                        + html.escape(self.L("wt_step_closed", step=steps.step_label(step, self.lang)))
                                        + "</b>")
        self.refresh()


class AppPage(W.VBox):
    """The app under a language switch: switching rebuilds it in the other language on the same
    round, page, day and officer (every label is fixed when a form is built)."""

    def __init__(self, archive: Archive, lang: str = "zh", officer: str = ""):
        super().__init__()
        self.switch = W.ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=lang,
                                      style={"button_width": "auto"})
        self.switch.add_class("wb-lang")
        self.app = OfficerApp(archive, lang, officer)
        self.switch.observe(self._on_lang, "value")
        self.children = [self.switch, self.app]

    def _on_lang(self, change) -> None:
        old = self.app
        self.app = OfficerApp(old.archive, change["new"], old.officer.value, old.day.value, old.out_dir,
                              old.round_id, old.page)
        self.children = [self.switch, self.app]


def officer_app(db: str | None = None, lang: str | None = None, officer: str | None = None) -> AppPage:
    """What the app notebook calls: the archive, language and officer from the server's settings."""
    return AppPage(Archive(db or os.environ.get("WORKBENCH_DB") or None), lang or default_lang(),
                   officer if officer is not None else os.environ.get("WORKBENCH_OFFICER", ""))

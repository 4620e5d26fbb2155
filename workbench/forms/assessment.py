"""综合评定: score and archive a round; results, ranks, self vs verified, charts, last year."""

from __future__ import annotations

import functools
import html

import ipywidgets as W

from workbench.archive import Archive, signed_in_user
from workbench.followup import rescore_amended, seal_of
from workbench.rounds import assessment as A
from workbench.views import charts, html_table

from .base import Form, handler, open_archive, opened


# ----------------------------------------------------------------------- assessment view
class AssessmentView(Form):
    """综合评定: results, rankings, self vs verified, charts and last year, from the core."""

    def __init__(self, archive: Archive, round_id: str, **kwargs):
        super().__init__(archive, round_id, **kwargs)
        # A sealed round is re-scored only as an amendment: a reason and its own button instead
        # of 评分并存档 (which the archive would refuse).
        sealed = seal_of(archive, round_id) is not None
        self.score_button = W.Button(description=self.L("wt_score_archive"), button_style="primary",
                                     layout=W.Layout(display="none" if sealed else ""))
        self.score_button.on_click(self._on_score)
        self.reason = self.reason_field(sealed)
        self.amend_button = W.Button(description=self.L("wt_amend_score"), button_style="warning",
                                     layout=W.Layout(display="" if sealed else "none"))
        self.amend_button.on_click(self._on_amend)
        self.panes = {k: W.HTML() for k in ("results", "units", "gap", "charts", "previous")}
        self.tabs = W.Tab(children=list(self.panes.values()))
        for i, k in enumerate(self.panes):
            self.tabs.set_title(i, self.L("wt_tab_" + k))
        self.children = [self.title(), W.HBox([self.score_button]), W.HBox([self.reason, self.amend_button]),
                         self.message, self.tabs]
        self.result = None
        self._render(save=False)

    @handler
    def _on_score(self, _=None) -> None:
        self._render(save=True)
        run = self.archive.latest_run(self.round_id, "verified")
        self._ok(self.L("wt_scored", run=self.archive.run_version(run["run_id"])))

    @handler
    def _on_amend(self, _=None) -> None:
        why = self.amend_reason()
        # signed in to a shared archive the database records the login whatever is passed
        by = signed_in_user(self.archive) or self.officer
        amendment = rescore_amended(self.archive, self.round_id, self.catalogue, by, why)
        self.reason.value = ""  # the next correction says its own why
        self._render(save=False)
        self._ok(self.amended(amendment))

    def _render(self, save: bool) -> None:

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
                f"<div>{charts.to_svg(charts.year_comparison_chart(series, self.lang))}</div>"
                + html_table(show(a.previous), self.lang) + "<br>"
                + html_table(show(a.previous_units[["unit_name", "completion_pct", "prev_pct", "change"]]),
                             self.lang))
        else:
            self.panes["previous"].value = f"<p>{html.escape(self.L('wt_no_previous'))}</p>"



def assessment(db: str | None, round_id: str, lang: str = "zh", officer: str = "") -> W.Widget:
    return opened(lambda: AssessmentView(open_archive(db), round_id, lang=lang, officer=officer), lang)

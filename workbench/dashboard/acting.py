"""The dashboard's parts for acting: the red-flag list a page at a time, most serious first, and the
counties as bars a leader clicks to see that county's units.

Both are plain ipywidgets (buttons and HTML), so they work in Voilà's read-only page without any
chart library: a click only changes what is shown, never the archive.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import pandas as pd

from workbench.labels import register, t
from workbench.views import charts

register({
    "dash_page": {"zh": "第 {page}/{pages} 页,共 {rows} 条", "en": "page {page} of {pages}, {rows} rows"},
    "dash_prev": {"zh": "上一页", "en": "Previous"},
    "dash_next": {"zh": "下一页", "en": "Next"},
    "dash_counties_hint": {"zh": "点击县(市、区)查看其单位;再次点击回到全市",
                           "en": "Click a county to see its units; click it again for the whole city"},
})

#: red-flag rows per page: the whole table fits a 768-pixel-high screen with the page around it
PAGE_SIZE = 12


def _e(value: object) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


class FlagPages:
    """The red-flag table, ``PAGE_SIZE`` rows at a time, with previous/next buttons.

    ``show(rows_html, head_html)`` takes every row (already in order of severity); ``table`` is the
    HTML widget of the current page, ``widget`` the table with its pager."""

    def __init__(self) -> None:
        self.table = widgets.HTML()
        self.prev = widgets.Button(icon="chevron-left", layout=widgets.Layout(width="auto"))
        self.next = widgets.Button(icon="chevron-right", layout=widgets.Layout(width="auto"))
        self.where = widgets.HTML()
        self.pager = widgets.HBox([self.prev, self.where, self.next],
                                  layout=widgets.Layout(align_items="center"))
        self.widget = widgets.VBox([self.table, self.pager])
        self.page, self._rows, self._head, self._lang = 0, [], "", "zh"
        self.prev.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(+1))

    @property
    def pages(self) -> int:
        return max(1, -(-len(self._rows) // PAGE_SIZE))

    def show(self, section: Callable[[str], str], head: str, rows: list[str], lang: str) -> None:
        """``section(table_html)`` wraps the page's table in its titled section; a new list starts
        on its first page."""
        self._section, self._head, self._rows, self._lang, self.page = section, head, rows, lang, 0
        self._draw()

    def _turn(self, step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._draw()

    def _draw(self) -> None:
        lang = self._lang
        shown = self._rows[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE]
        table = (f'<table class="wb-table wb-flags"><thead><tr>{self._head}</tr></thead>'
                 f'<tbody>{"".join(shown)}</tbody></table>') if self._rows else ""
        self.table.value = self._section(table)
        self.prev.description, self.next.description = t("dash_prev", lang), t("dash_next", lang)
        self.prev.disabled, self.next.disabled = self.page == 0, self.page >= self.pages - 1
        self.where.value = f'<span class="wb-note">{_e(t("dash_page", lang, page=self.page + 1, pages=self.pages, rows=len(self._rows)))}</span>'
        self.pager.layout.display = "flex" if len(self._rows) > PAGE_SIZE else "none"


class CountyBars:
    """Counties ranked as clickable bars: a click calls ``on_pick(area)`` (the page then shows the
    county's units); the chosen county is marked ◀."""

    def __init__(self, on_pick: Callable[[str], None]) -> None:
        self._on_pick = on_pick
        self.title = widgets.HTML()
        self.rows = widgets.VBox(layout=widgets.Layout(width="100%"))
        self.widget = widgets.VBox([self.title, self.rows], layout=widgets.Layout(width="100%"))
        self.buttons: dict[str, widgets.Button] = {}

    def show(self, title_html: str, ranking: pd.DataFrame, names: dict[str, str], chosen: str) -> None:
        """``ranking`` is ``data.county_ranking`` output; ``names`` area → name in the page's language."""
        self.title.value = title_html
        rows, self.buttons = [], {}
        for r in ranking.itertuples(index=False):
            label = f"{r.rank}. {names[r.area]}" + (" ◀" if r.area == chosen else "")
            button = widgets.Button(description=label, tooltip=label,
                                    button_style="warning" if r.area == chosen else "",
                                    layout=widgets.Layout(width="190px", flex="0 0 auto"))
            button.add_class("wb-county")
            button.on_click(lambda _, area=r.area: self._on_pick(area))
            colour = charts.BAND_COLOURS.get(r.band, "#90a4ae")
            pct = 0.0 if pd.isna(r.completion_pct) else float(r.completion_pct)
            bar = widgets.HTML(f'<div class="wb-cbar"><div style="width:{pct * 0.85:.1f}%;background:{colour}"></div>'
                               f'<span>{pct:.1f}</span></div>', layout=widgets.Layout(flex="1 1 auto"))
            rows.append(widgets.HBox([button, bar], layout=widgets.Layout(align_items="center", width="100%")))
            self.buttons[r.area] = button
        self.rows.children = rows

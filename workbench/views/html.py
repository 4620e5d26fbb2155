"""HTML tables for forms, dashboards and reports: escaped, headers in the user's language, long
tables cut with a note saying how many rows are shown.
"""

from __future__ import annotations

import html

import pandas as pd

from workbench.labels import column_labels, t

MAX_TABLE_ROWS = 200



TABLE_CSS = (
    "<style>.wt-table{border-collapse:collapse;font-size:12px}"
    ".wt-table td,.wt-table th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
    ".wt-table th{background:#f3f3f3}.wt-table tr.wt-flag td{background:#fde0dc}.wt-ok{color:#2e7d32}.wt-err{color:#c62828}</style>"
)



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
    # headers through the glossary: an import error's file/row/column/value/reason, a history's
    # action/detail/by… read as words in the user's language
    shown = df.head(max_rows).rename(columns=column_labels([c for c in df.columns if isinstance(c, str)], lang))
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

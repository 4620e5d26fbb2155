"""Documents of the feedback step, and issuing feedback as one act.

A registry of document formats (letter → .docx, report → .html, summary → .xlsx), each a function
``(archive, round_id, out_dir, issued_on, **options) -> list[Path]``. ``issue_feedback`` is what
the officer does on the day feedback goes out: write every letter (archived), the thematic report
and the Excel summary, then seal the round's results.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from workbench.archive import Archive
from workbench.core import Catalogue
from workbench.files import load_catalogue, write_workbook
from workbench.labels import localise, register, t
from workbench.scoring import rank_units

from .letters import check_template, issue_letters
from .readiness import require_ready
from .rectification import items_as_of, items_for_file, unit_progress
from .report_html import check_html_template, write_report
from .result_use import decisions_table, read_decisions
from .sealing import seal_of, seal_round, sealed_results

register({
    "sheet_units": {"zh": "单位汇总", "en": "Units"},
    "sheet_matters": {"zh": "事项结果", "en": "Matters"},
    "sheet_items": {"zh": "整改事项", "en": "Rectification"},
    "sheet_decisions": {"zh": "结果运用", "en": "Decisions"},
    "feedback_done": {"zh": "{round_id}:已生成 {letters} 份反馈函、专题报告和汇总表,结果已封存",
                      "en": "{round_id}: {letters} letters, the report and the summary written; results sealed"},
})


def write_summary(archive: Archive, round_id: str, path: Path, as_of: date, lang: str = "zh",
                  catalogue: Catalogue | None = None) -> Path:
    """The Excel summary: units (rank, completion, items by state), matters, items, decisions."""
    catalogue = catalogue or load_catalogue()
    names = archive.unit_names()
    res = sealed_results(archive, round_id)
    units = rank_units(res, catalogue)
    units.insert(1, "unit_name", units["unit_id"].map(names))
    items = items_as_of(archive, as_of, round_id)
    units = units.merge(unit_progress(items), on="unit_id", how="left")
    dec = read_decisions(archive)
    dec = decisions_table(dec[dec["round_id"] == round_id], lang)
    items_out = items_for_file(items)
    items_out["state"] = items_out["state"].map(lambda s: t(f"state_{s}", lang))
    sheets = (("sheet_units", units), ("sheet_matters", res.drop(columns=["run_id"], errors="ignore")),
              ("sheet_items", items_out), ("sheet_decisions", dec))
    return write_workbook(path, {t(key, lang): localise(df, lang) for key, df in sheets})


def _letters(archive, round_id, out_dir, issued_on, by="", catalogue=None, **_) -> list[Path]:
    return issue_letters(archive, round_id, Path(out_dir) / "letters", issued_on, by=by, catalogue=catalogue)


def _report(archive, round_id, out_dir, issued_on, lang="zh", catalogue=None, **_) -> list[Path]:
    return [write_report(archive, round_id, Path(out_dir) / f"{round_id}-专题问效报告.html", issued_on, lang, catalogue)]


def _summary(archive, round_id, out_dir, issued_on, lang="zh", catalogue=None, **_) -> list[Path]:
    return [write_summary(archive, round_id, Path(out_dir) / f"{round_id}-问效汇总.xlsx", issued_on, lang, catalogue)]


#: document format → writer
FORMATS: dict[str, Callable[..., list[Path]]] = {"letter": _letters, "report": _report, "summary": _summary}


def issue_feedback(archive: Archive, round_id: str, out_dir: Path, issued_on: date, by: str,
                   lang: str = "zh", catalogue: Catalogue | None = None) -> dict[str, list[Path]]:
    """Feedback day: templates checked first and the round refused unless finished; then letters,
    report and summary written, then the round sealed. Feedback on a sealed round re-prints what
    was issued, dated as it was issued."""
    catalogue = catalogue or load_catalogue()
    check_template()
    check_html_template()
    archive.get_round(round_id)
    seal = seal_of(archive, round_id)
    if seal is None:
        require_ready(archive, round_id, "feedback", catalogue, lang)
    else:
        issued_on = pd.Timestamp(seal["feedback_issued_on"]).date()
    written = {name: fn(archive, round_id, out_dir, issued_on, by=by, lang=lang, catalogue=catalogue)
               for name, fn in FORMATS.items()}
    if seal is None:
        seal_round(archive, round_id, by, issued_on)
    return written









"""The round report that ``notebooks/round_report.ipynb`` shows, one call per section.

Kernel side of the yearly batch: it reads the archive read-only, scores the round afresh from the
current entries with the chosen weights (nothing is written back, so rounds can run in parallel
on one SQLite file), and returns displayable sections. Every report states the catalogue hash,
the weights and the software version, and writes its result table as ``.csv`` and ``.xlsx``,
byte for byte the same on every run over the same archive.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from workbench import __version__  # importing the package first keeps altair's import light
from workbench.archive import Archive
from workbench.core import Catalogue, weights_hash
from workbench.files import export_table, load_catalogue, load_weights
from workbench.labels import column_labels, register, t
from workbench.organisation import Organisation, default_organisation
from workbench.paths import atomic_path
from workbench.rounds import score_sources
from workbench.views import charts

from .params import round_title

register({
    "rr_provenance": {"zh": "数据来源与参数", "en": "Provenance and parameters"},
    "rr_catalogue_hash": {"zh": "指标目录哈希", "en": "Catalogue hash"},
    "rr_weights": {"zh": "权重方案", "en": "Weights"},
    "rr_weights_official": {"zh": "正式权重", "en": "official"},
    "rr_weights_hash": {"zh": "权重哈希", "en": "Weights hash"},
    "rr_software": {"zh": "软件版本", "en": "Software version"},
    "rr_source": {"zh": "评分依据", "en": "Scored from"},
    "rr_window": {"zh": "问效窗口", "en": "Publication window"},
    "rr_eval_date": {"zh": "问效日期", "en": "Evaluation date"},
    "rr_scope": {"zh": "问效范围", "en": "Scope"},
    "rr_results": {"zh": "事项评定结果", "en": "Results by matter"},
    "rr_unit_ranking": {"zh": "单位排名", "en": "Unit ranking"},
    "rr_gaps": {"zh": "自评与核查对比", "en": "Self-assessment vs verification"},
    "rr_no_gaps": {"zh": "无自评偏高事项", "en": "no inflated self-assessment"},
    "rr_work_log": {"zh": "现场核查工作量", "en": "On-site work"},
    "rr_documents": {"zh": "查阅文件", "en": "Documents read"},
    "rr_questions": {"zh": "询问问题", "en": "Questions asked"},
    "rr_items_verified": {"zh": "核实事项", "en": "Items verified"},
    "rr_suggestions": {"zh": "收集建议", "en": "Suggestions collected"},
    "rr_under_60": {"zh": "完成情况低于60%的单位", "en": "Units under 60%"},
    "rr_weights_by_category": {"zh": "各类别指标权重", "en": "Indicator weights by category"},
    "rr_lowest_pct": {"zh": "最低事项完成情况", "en": "Lowest matter %"},
    "rr_yes": {"zh": "是", "en": "yes"},
    "rr_no": {"zh": "否", "en": "no"},
})

RESULT_TABLE_COLUMNS = [
    "round_id", "area", "level", "unit_id", "unit_name", "matter_id", "category", "late",
    "status", "score", "applicable_weight", "completion_pct", "band", "rank_in_category",
]
#: what an .xlsx or .docx says about when it was made: fixed, so re-runs give identical bytes
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_W3CDTF = "1980-01-01T00:00:00Z"


@dataclass
class RoundReport:
    round: dict
    catalogue: Catalogue
    weights: pd.Series
    weights_label: str
    source: str
    results: pd.DataFrame  # RESULT_TABLE_COLUMNS
    units: pd.DataFrame  # rank_units + unit_name
    gaps: pd.DataFrame  # compare_sources
    work_log: dict
    org: Organisation | None = None  # the archive's organisation (the title's area names)

    @property
    def round_id(self) -> str:
        return self.round["round_id"]

    def title(self, lang: str = "zh") -> str:
        return round_title(self.org or default_organisation(), int(self.round["year"]), self.round["area"], lang)


def load_round_report(round_id: str, db: str = "", weights: str = "official",
                      source: str = "verified", catalogue: str = "") -> RoundReport:
    """Fetch one round from the archive (read-only) and score it with the given weights
    (``rounds.score_sources``, as the assessment does); nothing is written back."""
    cat = load_catalogue(catalogue or None)
    w = cat.weights if weights in ("", "official") else load_weights(weights, cat)
    archive = Archive(db or None, read_only=True)
    try:
        rnd = archive.get_round(round_id)
        scores = score_sources(archive, round_id, cat, w)
        log = archive.work_log(round_id)
        org = archive.organisation()
    finally:
        archive.dispose()
    facts = scores.matters[["matter_id", "unit_name", "level", "late"]]
    results = scores.results[source].merge(facts, on="matter_id").assign(round_id=round_id, area=rnd["area"])
    results["late"] = results["late"].astype(bool)
    return RoundReport(rnd, cat, w, weights or "official", source,
                       results[RESULT_TABLE_COLUMNS], scores.units(source), scores.gap(), log, org)


# ------------------------------------------------------------------ sections
def _section(title: str, body: str) -> HTML:
    return HTML(f'<section class="wb-section"><h2>{html.escape(title)}</h2>{body}</section>')


def _table_html(df: pd.DataFrame, lang: str) -> str:
    shown = df.rename(columns={"matters": "matters_count", "lowest_pct": "rr_lowest_pct",
                               "self_pct": "self", "verified_pct": "verified"})
    if "late" in shown:
        shown["late"] = shown["late"].map(lambda v: t("rr_yes" if v else "rr_no", lang))
    if "category" in shown:
        shown["category"] = shown["category"].map(lambda c: t(c, lang))
    for col in ("status", "level"):
        if col in shown:
            shown[col] = shown[col].map(lambda v: t(v, lang) if isinstance(v, str) else v)
    shown = shown.rename(columns=column_labels(list(shown.columns), lang))
    return shown.to_html(index=False, na_rep="—", float_format=lambda v: f"{v:.2f}", border=0,
                         classes="wb-table")


def header(report: RoundReport, lang: str = "zh") -> HTML:
    """Title, the round's dates and provenance: catalogue hash, weights, software version."""
    r = report.round
    weights_label = (t("rr_weights_official", lang) if report.weights_label == "official"
                     else Path(report.weights_label).name)
    rows = [
        (t("rr_window", lang), f"{r['window_start']} – {r['window_end']}"),
        (t("rr_eval_date", lang), str(r["eval_date"])),
        (t("rr_source", lang), t(report.source, lang)),
        (t("rr_catalogue_hash", lang), f"<code>{report.catalogue.hash}</code>"),
        (t("rr_weights", lang), html.escape(weights_label)),
        (t("rr_weights_hash", lang), f"<code>{weights_hash(report.weights)}</code>"),
        (t("rr_software", lang), f"workbench {__version__}"),
    ]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    by_cat = report.catalogue.indicators.assign(w=report.weights).groupby("category", sort=False)["w"]
    weights = "".join(
        f"<tr><th>{html.escape(report.catalogue.category_name(c, lang))}</th><td>"
        + " · ".join(f"{i} {int(v)}" for i, v in s.items()) + "</td></tr>" for c, s in by_cat
    )
    return HTML(
        f'<header class="wb-report"><h1>{html.escape(report.title(lang))}</h1>'
        f'<p class="wb-subtitle">{html.escape(t("round_id", lang))} {html.escape(report.round_id)}</p>'
        f'<h2>{t("rr_provenance", lang)}</h2><table class="wb-table">{cells}</table>'
        f'<h3>{t("rr_weights_by_category", lang)}</h3><table class="wb-table">{weights}</table>'
        "</header>"
    )


def scope(report: RoundReport, lang: str = "zh") -> HTML:
    res = report.results
    counts = res.groupby("category").size().reindex(report.catalogue.categories, fill_value=0)
    cats = " · ".join(f"{t(c, lang)} {n}" for c, n in counts.items())
    log = report.work_log
    work = " · ".join(f"{t('rr_' + k, lang)} {v}" for k, v in log.items())
    body = (f"<p>{t('units_count', lang)} {res['unit_id'].nunique()} · {t('matters_count', lang)} "
            f"{len(res)} · {t('late', lang)} {int(res['late'].sum())}</p><p>{cats}</p>"
            f"<p>{t('rr_work_log', lang)}: {work}</p>")
    return _section(t("rr_scope", lang), body)


def results_table(report: RoundReport, lang: str = "zh") -> HTML:
    cols = ["unit_name", "matter_id", "category", "late", "status", "score", "applicable_weight",
            "completion_pct", "band", "rank_in_category"]
    return _section(t("rr_results", lang), _table_html(report.results[cols], lang))


def unit_ranking(report: RoundReport, lang: str = "zh") -> HTML:
    cols = ["rank", "unit_name", "matters", "completion_pct", "lowest_pct", "band"]
    under = report.units[report.units["completion_pct"] < 60]
    names = "、".join(under["unit_name"]) if len(under) else "—"
    body = (_table_html(report.units[cols], lang)
            + f"<p>{t('rr_under_60', lang)}: {html.escape(names)}</p>")
    return _section(t("rr_unit_ranking", lang), body)


def completion_chart(report: RoundReport, lang: str = "zh"):
    return charts.completion_by_unit(report.units, lang, title=t("rr_unit_ranking", lang))


def band_chart(report: RoundReport, lang: str = "zh"):
    return charts.band_distribution(report.results, lang)


def self_vs_verified(report: RoundReport, lang: str = "zh") -> HTML:
    inflated = report.gaps[report.gaps["inflated"]].drop(columns=["inflated"])
    body = _table_html(inflated, lang) if len(inflated) else f"<p>{t('rr_no_gaps', lang)}</p>"
    return _section(t("rr_gaps", lang), body)


# ------------------------------------------------------------------ files
def write_tables(report: RoundReport, output_dir: str | Path) -> list[Path]:
    """``<round_id>.csv`` and ``.xlsx``: the same bytes whenever the inputs are the same. No
    folder (the notebook opened by hand) writes nothing."""
    if not str(output_dir):
        return []
    out = Path(output_dir)
    csv = export_table(report.results, out / f"{report.round_id}.csv")
    xlsx = export_table(report.results, out / f"{report.round_id}.xlsx")
    normalise_office_file(xlsx)
    return [csv, xlsx]


def normalise_office_file(path: Path) -> None:
    """Make an .xlsx or .docx reproducible: fixed zip entry times and fixed created/modified
    properties (openpyxl and python-docx stamp both with the current time)."""
    with (atomic_path(path) as tmp, zipfile.ZipFile(path) as src,
          zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rf"\g<1>{FIXED_W3CDTF}\g<3>", text)
                data = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)


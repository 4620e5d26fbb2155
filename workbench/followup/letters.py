"""The written feedback letter (情况反馈) to each unit, from an office-editable .docx template.

``letter_context`` (pure) gathers what a letter says — the unit's matters with scores and bands,
its rank, the rectification items with problems, requirements and deadlines — and
``render_letter`` fills the template with docxtpl (Jinja2 inside Word). The template is checked
for its required placeholders before anything is rendered; a unit without results gets no
letter. ``issue_letters`` renders every letter of a round in memory first, then writes the files
and archives each letter (its bytes and SHA-256) in one transaction — all or nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from pathlib import Path

import pandas as pd

from workbench.archive import Archive, letters, now
from workbench.core import Catalogue
from workbench.errors import NotFoundError, WorkbenchError
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.organisation import Organisation
from workbench.paths import TEMPLATES, atomic_write
from workbench.scoring import rank_units

from .rectification import read_items
from .sealing import sealed_results

TEMPLATE = TEMPLATES / "feedback_letter.docx"
REQUIRED = frozenset({"unit_name", "doc_no", "office", "issued_on", "matters", "items"})

register({
    "err_template_missing": {"zh": "模板 {template} 缺少必需的占位符:{missing}",
                             "en": "template {template} lacks required placeholder(s): {missing}"},
    "err_template_file": {"zh": "模板文件不存在或无法读取:{template}", "en": "template not found or unreadable: {template}"},
    "err_no_unit_results": {"zh": "{unit} 在 {round_id} 中没有问效结果,不能生成反馈函",
                            "en": "{unit} has no results in {round_id}; no letter can be written"},
    "letters_written": {"zh": "已生成 {count} 份反馈函:{out}", "en": "{count} letter(s) written to {out}"},
})


class TemplateError(WorkbenchError):
    """A document template is missing or lacks a placeholder the product fills."""


def cn_date(d) -> str:
    d = pd.Timestamp(d).date()
    return f"{d.year}年{d.month}月{d.day}日"


def office_name(org: Organisation, area: str) -> str:
    """The office that writes for an area, from the archive's organisation."""
    return org.office_of(area)


def doc_no_placeholder(org: Organisation, area: str, year: int) -> str:
    """The 文号 line, number left blank for the registry to fill (the organisation's letter
    format, e.g. 潍编办函〔2018〕  号)."""
    return org.letter_no(area, year, "  ")


def _fmt(v, digits: int = 1) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):.{digits}f}"


def letter_context(unit: dict, rnd: dict, results: pd.DataFrame, items: pd.DataFrame, matters: pd.DataFrame,
                   catalogue: Catalogue, issued_on: date, contact: str = "", *, org: Organisation) -> dict:
    """Pure: everything one letter says. ``results`` are the round's (all units, for the rank);
    ``org`` the office (its name, its 文号 format, the area's name)."""
    mine = results[results["unit_id"] == unit["unit_id"]].merge(matters[["matter_id", "doc_no"]], on="matter_id")
    if mine.empty:
        raise NotFoundError(t("err_no_unit_results", unit=unit["name"], round_id=rnd["round_id"]))
    ranks = rank_units(results, catalogue).set_index("unit_id")
    mine_items = items[items["unit_id"] == unit["unit_id"]].sort_values(["matter_id", "deadline", "item_id"])
    # the matter as the unit knows it: its summary and 文号, not the archive's id
    about = matters.set_index("matter_id")[["doc_no", "summary"]]
    return {
        "office": office_name(org, rnd["area"]), "doc_no": doc_no_placeholder(org, rnd["area"], int(rnd["year"])),
        "year": int(rnd["year"]), "area_name": org.place(rnd["area"]),
        "unit_name": unit["name"], "unit_id": unit["unit_id"], "eval_date": cn_date(rnd["eval_date"]),
        "issued_on": cn_date(issued_on), "contact": contact or rnd.get("created_by") or "",
        "unit_pct": _fmt(ranks.at[unit["unit_id"], "completion_pct"]),
        "unit_band": ranks.at[unit["unit_id"], "band"] or "—",
        "unit_rank": "—" if pd.isna(ranks.at[unit["unit_id"], "rank"]) else int(ranks.at[unit["unit_id"], "rank"]),
        "n_units": len(ranks),
        "matters": [{"matter_id": m["matter_id"], "doc_no": m["doc_no"] or "",
                     "category": catalogue.category_name(m["category"]), "score": _fmt(m["score"]),
                     "completion_pct": _fmt(m["completion_pct"]), "band": m["band"] or "—"}
                    for m in mine.sort_values("matter_id").to_dict("records")],
        "items": [{"matter_id": i["matter_id"], "indicator": catalogue.name(i["indicator_id"]),
                   "matter": about.at[i["matter_id"], "summary"] or i["matter_id"],
                   "doc_no": about.at[i["matter_id"], "doc_no"] or "",
                   "indicator_id": i["indicator_id"], "problem": str(i["problem"]).rstrip("。"),
                   "requirement": str(i["requirement"]).rstrip("。"), "deadline": cn_date(i["deadline"])}
                  for i in mine_items.to_dict("records")],
    }


def check_template(path: Path = TEMPLATE, required: frozenset[str] = REQUIRED):
    """Open a letter template and make sure it uses every required placeholder."""
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(str(path))
        used = tpl.get_undeclared_template_variables()
    except Exception as exc:  # missing file, not a .docx, broken Jinja: all the same to the user
        raise TemplateError(t("err_template_file", template=path) + f" ({exc})") from exc
    missing = sorted(required - set(used))
    if missing:
        raise TemplateError(t("err_template_missing", template=Path(path).name, missing=", ".join(missing)))
    return tpl


def render_letter(context: dict, template: Path = TEMPLATE, required: frozenset[str] = REQUIRED) -> bytes:
    """A .docx from a template (checked for the ``required`` placeholders first), in memory."""
    tpl = check_template(template, required)
    tpl.render(context, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text)


def prepare_letters(archive: Archive, round_id: str, issued_on: date, unit_ids: list[str] | None = None,
                    catalogue: Catalogue | None = None, template: Path = TEMPLATE,
                    contact: str = "") -> list[dict]:
    """Render the letters of a round in memory: [{unit_id, file_name, content, doc_no}]."""
    catalogue = catalogue or load_catalogue()
    check_template(template)
    rnd = archive.get_round(round_id)
    org = archive.organisation()
    results = sealed_results(archive, round_id)
    units = archive.units().set_index("unit_id", drop=False)
    matters = archive.matters()
    items = read_items(archive, round_id)
    wanted = unit_ids or sorted(results["unit_id"].unique())
    out = []
    for uid in wanted:
        if uid not in units.index:
            raise NotFoundError(t("err_no_unit_results", unit=uid, round_id=round_id))
        ctx = letter_context(units.loc[uid].to_dict(), rnd, results, items, matters, catalogue, issued_on, contact,
                             org=org)
        name = safe_name(f"{round_id}_{uid}_{ctx['unit_name']}_情况反馈.docx")
        out.append({"unit_id": uid, "file_name": name, "doc_no": ctx["doc_no"],
                    "content": render_letter(ctx, template)})
    return out


def issue_letters(archive: Archive, round_id: str, out_dir: Path, issued_on: date, by: str = "",
                  unit_ids: list[str] | None = None, catalogue: Catalogue | None = None,
                  template: Path = TEMPLATE) -> list[Path]:
    """Write the letters to ``out_dir`` and archive them. Nothing is written if any letter fails."""
    rendered = prepare_letters(archive, round_id, issued_on, unit_ids, catalogue, template, contact=by)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    at = now()
    with archive.engine.begin() as conn:
        for r in rendered:
            conn.execute(letters.insert().values(
                round_id=round_id, unit_id=r["unit_id"], doc_no=r["doc_no"], issued_on=issued_on,
                file_name=r["file_name"], sha256=hashlib.sha256(r["content"]).hexdigest(), content=r["content"],
                created_by=by, created_at=at))
        for r in rendered:
            paths.append(atomic_write(out_dir / r["file_name"], r["content"]))
    return paths


def read_letters(archive: Archive, round_id: str | None = None, unit_id: str | None = None,
                 with_content: bool = False) -> pd.DataFrame:
    c = letters.c
    where = ([c.round_id == round_id] if round_id else []) + ([c.unit_id == unit_id] if unit_id else [])
    df = archive.read(letters, *where)
    return df if with_content else df.drop(columns=["content"])

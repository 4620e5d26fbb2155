"""The written feedback letter (情况反馈) to each unit, and its corrected letter (更正函).

``letter_context`` (pure) gathers what a letter says — the unit's matters with scores and bands,
its rank, the rectification items with problems, requirements and deadlines — and
``check_context`` refuses a letter with any slot missing (``nan``, ``None``, ``—``, empty), so a
letter never says something the archive does not know. ``render_letter`` fills the template with
docxtpl (Jinja2 inside Word), checked first for its required placeholders.

A letter is issued once. ``issue_letters`` refuses an unfinished round (``readiness``), then in
one transaction takes each letter's 文号 from the register (``docnumbers``), renders it and
stores its bytes and SHA-256; the files are written after. Asked again — a re-issue of feedback,
a sealed round — the letters are re-printed as stored: same date, same 文号, same bytes. The
only way to change what a unit was told is ``correct_letter``: a new numbered 更正函 that cites the
letter it corrects (文号 and date), logged with who, when and why in ``letter_corrections``.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from workbench.archive import Archive, letter_corrections, letters, now
from workbench.core import Catalogue
from workbench.errors import NotFoundError, StateError, WorkbenchError
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.organisation import Organisation
from workbench.paths import TEMPLATES, atomic_write
from workbench.scoring import COMPLETE, rank_units

from .docnumbers import take_number
from .readiness import require_ready
from .rectification import read_items
from .sealing import seal_of, sealed_results

TEMPLATE = TEMPLATES / "feedback_letter.docx"
REQUIRED = frozenset({"unit_name", "doc_no", "office", "issued_on", "matters", "items"})
#: slots a letter may leave empty (an optional line is then left out)
OPTIONAL_SLOTS = frozenset({"contact", "cc", "corrects", "reason"})
#: ... and inside a matter or an item: a matter may have been approved without a 文号
NESTED_OPTIONAL = frozenset({"doc_no"})
BLANK_WORDS = frozenset({"", "nan", "none", "nat", "—", "null"})

register({
    "err_template_missing": {"zh": "模板 {template} 缺少必需的占位符:{missing}",
                             "en": "template {template} lacks required placeholder(s): {missing}"},
    "err_template_file": {"zh": "模板文件不存在或无法读取:{template}", "en": "template not found or unreadable: {template}"},
    "err_no_unit_results": {"zh": "{unit} 在 {round_id} 中没有问效结果,不能生成反馈函",
                            "en": "{unit} has no results in {round_id}; no letter can be written"},
    "letters_written": {"zh": "已生成 {count} 份反馈函:{out}", "en": "{count} letter(s) written to {out}"},
    "letters_reprinted": {"zh": "其中 {count} 份为已发出的函,按原文号、原日期重印",
                          "en": "{count} of them re-printed as issued (same number, same date)"},
    "err_letter_slots": {"zh": "反馈函({unit})有未填内容,不能生成:{slots}",
                         "en": "the letter to {unit} has empty slots and cannot be written: {slots}"},
    "err_correction_why": {"zh": "更正函须写明经办人(--by)和更正原因(--reason)",
                           "en": "a corrected letter needs who (--by) and why (--reason)"},
    "err_nothing_to_correct": {"zh": "{round_id} 尚未向 {unit} 发出反馈函,无可更正",
                               "en": "no letter was issued to {unit} in {round_id}; nothing to correct"},
    "correction_written": {"zh": "已生成更正函 {doc_no}(更正 {corrects}):{path}",
                           "en": "corrected letter {doc_no} (corrects {corrects}) written: {path}"},
})


class TemplateError(WorkbenchError):
    """A document template is missing or lacks a placeholder the product fills."""


class LetterError(WorkbenchError):
    """A letter would say something the archive does not know (an empty or NaN slot)."""


def cn_date(d) -> str:
    """A date as Chinese text with Arabic numerals (2020年9月30日): GB/T 9704-2012 §7.3.5.3 writes
    the 成文日期 and dates in the body this way."""
    d = pd.Timestamp(d).date()
    return f"{d.year}年{d.month}月{d.day}日"


_DIGITS = "〇一二三四五六七八九"


def cn_numeral_date(d) -> str:
    """A date in Chinese numerals (二〇二〇年九月三十日), for a template that prefers the older style."""
    d = pd.Timestamp(d).date()

    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        return ("" if tens < 2 else _DIGITS[tens]) + ("十" if tens else "") + (_DIGITS[ones] if ones or not tens else "")
    return "".join(_DIGITS[int(c)] for c in str(d.year)) + f"年{small(d.month)}月{small(d.day)}日"


def office_name(org: Organisation, area: str) -> str:
    """The office that writes for an area, from the archive's organisation."""
    return org.office_of(area)


def _fmt(v, digits: int = 1) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):.{digits}f}"


def letter_context(unit: dict, rnd: dict, results: pd.DataFrame, items: pd.DataFrame, matters: pd.DataFrame,
                   catalogue: Catalogue, issued_on: date, contact: str = "", *, org: Organisation,
                   doc_no: str = "", cc: str = "") -> dict:
    """Pure: everything one letter says. ``results`` are the round's (all units, for the rank);
    ``org`` the office (its name, the area's name); ``doc_no`` the letter's 文号 from the register."""
    mine = results[results["unit_id"] == unit["unit_id"]].merge(matters[["matter_id", "doc_no"]], on="matter_id")
    if mine.empty:
        raise NotFoundError(t("err_no_unit_results", unit=unit["name"], round_id=rnd["round_id"]))
    ranks = rank_units(results, catalogue).set_index("unit_id")
    mine_items = items[items["unit_id"] == unit["unit_id"]].sort_values(["matter_id", "deadline", "item_id"])
    office = office_name(org, rnd["area"])
    # the matter as the unit knows it: its summary and 文号, not the archive's id
    about = matters.set_index("matter_id")[["doc_no", "summary"]]
    return {
        "office": office, "doc_no": doc_no,
        "year": int(rnd["year"]), "area_name": org.place(rnd["area"]),
        "unit_name": unit["name"], "unit_id": unit["unit_id"], "eval_date": cn_date(rnd["eval_date"]),
        "issued_on": cn_date(issued_on), "issued_on_cn": cn_numeral_date(issued_on),
        "contact": contact or rnd.get("created_by") or "", "cc": cc, "printed_by": office,
        "unit_pct": _fmt(ranks.at[unit["unit_id"], "completion_pct"]),
        "unit_band": ranks.at[unit["unit_id"], "band"] or "—",
        "unit_rank": "—" if pd.isna(ranks.at[unit["unit_id"], "rank"]) else int(ranks.at[unit["unit_id"], "rank"]),
        "n_units": len(ranks),
        # "no problems found" may be written only when every matter was verified in full
        "all_verified": bool((mine["status"] == COMPLETE).all()),
        # ... and only when nothing was lost: a unit with points lost but no items is told to check itself
        "all_full": bool((mine["status"] == COMPLETE).all() and (mine["completion_pct"] >= 100 - 1e-9).all()),
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
        "corrects": None, "reason": "",
    }


def empty_slots(context, path: str = "") -> list[str]:
    """Pure: the slots of a letter context that hold nothing true (None, NaN, "nan", "—", "")."""
    if isinstance(context, dict):
        return [bad for k, v in context.items() if k not in OPTIONAL_SLOTS and not (path and k in NESTED_OPTIONAL)
                for bad in empty_slots(v, f"{path}.{k}" if path else k)]
    if isinstance(context, list):
        return [bad for i, v in enumerate(context) for bad in empty_slots(v, f"{path}[{i}]")]
    if context is None or (isinstance(context, float) and pd.isna(context)):
        return [path]
    if isinstance(context, str) and context.strip().lower() in BLANK_WORDS:
        return [path]
    return []


def check_context(context: dict) -> dict:
    """Refuse a letter with any slot missing; a letter with a matter not verified in full is
    missing its score, so it is refused here too."""
    slots = empty_slots(context)
    if not context.get("all_verified"):
        slots.append("all_verified")
    if slots:
        raise LetterError(t("err_letter_slots", unit=context.get("unit_name") or "?", slots=", ".join(slots)))
    return context


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


@functools.lru_cache(maxsize=8)
def _checked_bytes(path: Path, mtime: float, required: frozenset[str]) -> bytes:
    """A template's bytes once checked: checking parses the whole template, so a round's letters
    check it once (the file's mtime in the key, so an edited template is checked again)."""
    check_template(path, required)
    return Path(path).read_bytes()


def render_letter(context: dict, template: Path = TEMPLATE, required: frozenset[str] = REQUIRED) -> bytes:
    """A .docx from a template (checked for the ``required`` placeholders first), in memory."""
    from docxtpl import DocxTemplate

    try:
        mtime = Path(template).stat().st_mtime
    except OSError:
        mtime = -1.0
    tpl = DocxTemplate(io.BytesIO(_checked_bytes(Path(template), mtime, required)))
    tpl.render(context, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text)


def _gather(archive: Archive, round_id: str, catalogue: Catalogue) -> dict:
    """Everything the letters of a round are made from, read before any transaction opens."""
    return {"rnd": archive.get_round(round_id), "org": archive.organisation(),
            "results": sealed_results(archive, round_id), "units": archive.units().set_index("unit_id", drop=False),
            "matters": archive.matters(), "items": read_items(archive, round_id), "catalogue": catalogue}


def _context(facts: dict, uid: str, issued_on: date, contact: str, doc_no: str, cc: str) -> dict:
    if uid not in facts["units"].index:
        raise NotFoundError(t("err_no_unit_results", unit=uid, round_id=facts["rnd"]["round_id"]))
    return letter_context(facts["units"].loc[uid].to_dict(), facts["rnd"], facts["results"], facts["items"],
                          facts["matters"], facts["catalogue"], issued_on, contact, org=facts["org"],
                          doc_no=doc_no, cc=cc)


def _store(conn, round_id: str, uid: str, doc_no: str, issued_on: date, name: str, content: bytes, by: str,
           at: datetime | None = None) -> int:
    return int(conn.execute(letters.insert().values(
        round_id=round_id, unit_id=uid, doc_no=doc_no, issued_on=issued_on, file_name=name,
        sha256=hashlib.sha256(content).hexdigest(), content=content, created_by=by,
        created_at=at or now())).inserted_primary_key[0])


def issued_letters(archive: Archive, round_id: str, unit_ids: list[str] | None = None) -> list[dict]:
    """The letters of a round as they were issued (originals and 更正函), bytes included."""
    df = read_letters(archive, round_id, with_content=True)
    if unit_ids:
        df = df[df["unit_id"].isin(unit_ids)]
    return [{"unit_id": r["unit_id"], "file_name": r["file_name"], "doc_no": r["doc_no"],
             "issued_on": r["issued_on"], "content": bytes(r["content"])} for r in df.to_dict("records")]


def record_letters(archive: Archive, round_id: str, issued_on: date, by: str = "",
                   unit_ids: list[str] | None = None, catalogue: Catalogue | None = None,
                   template: Path = TEMPLATE, cc: str = "", at: datetime | None = None) -> list[str]:
    """Issue the letters not yet issued (to ``unit_ids``, default every unit with results): refused
    unless the round is finished; then, in one transaction, each takes its 文号 from the register,
    is rendered, checked and stored, dated as the seal says if the round is sealed. Returns the
    units wanted (issued now or before)."""
    catalogue = catalogue or load_catalogue()
    check_template(template)
    facts = _gather(archive, round_id, catalogue)
    wanted = unit_ids or sorted(facts["results"]["unit_id"].unique())
    done = set(read_letters(archive, round_id)["unit_id"])
    new = [u for u in wanted if u not in done]
    if not new:
        return wanted
    for uid in new:  # a unit without results is named before the round's readiness
        if uid not in facts["units"].index or not (facts["results"]["unit_id"] == uid).any():
            name = facts["units"]["name"].get(uid, uid)
            raise NotFoundError(t("err_no_unit_results", unit=name, round_id=round_id))
    require_ready(archive, round_id, "letters", catalogue)
    seal = seal_of(archive, round_id)
    day = pd.Timestamp(seal["feedback_issued_on"]).date() if seal else issued_on
    fmt = facts["org"].letter_format(facts["rnd"]["area"])
    with archive.engine.begin() as conn:
        for uid in new:
            doc_no = take_number(conn, fmt, day.year, f"letter:{round_id}:{uid}", by, at=at)
            ctx = check_context(_context(facts, uid, day, by, doc_no, cc))
            name = safe_name(f"{round_id}_{uid}_{ctx['unit_name']}_情况反馈.docx")
            _store(conn, round_id, uid, doc_no, day, name, render_letter(ctx, template), by, at)
    return wanted


def issue_letters(archive: Archive, round_id: str, out_dir: Path, issued_on: date, by: str = "",
                  unit_ids: list[str] | None = None, catalogue: Catalogue | None = None,
                  template: Path = TEMPLATE, cc: str = "") -> list[Path]:
    """Write the letters of a round to ``out_dir``: those issued before re-printed as stored, the
    others issued now (``record_letters``). Nothing is written if any letter fails."""
    wanted = record_letters(archive, round_id, issued_on, by, unit_ids, catalogue, template, cc)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [atomic_write(out_dir / r["file_name"], r["content"]) for r in issued_letters(archive, round_id, wanted)]


def correct_letter(archive: Archive, round_id: str, unit_id: str, reason: str, by: str, out_dir: Path,
                   issued_on: date, doc_no: str | None = None, catalogue: Catalogue | None = None,
                   template: Path = TEMPLATE, cc: str = "") -> Path:
    """A 更正函 to ``unit_id``: a new letter, numbered from the register (or the ``doc_no`` typed,
    checked), saying what the round's results now are and citing the letter it corrects; stored and
    logged (who, when, why) in one transaction."""
    if not (by or "").strip() or not (reason or "").strip():
        raise WorkbenchError(t("err_correction_why"))
    catalogue = catalogue or load_catalogue()
    check_template(template)
    facts = _gather(archive, round_id, catalogue)
    facts["results"] = archive.latest_results(round_id)  # what is true now, after any amendment
    prior = read_letters(archive, round_id, unit_id)
    if prior.empty:
        name = facts["units"]["name"].get(unit_id, unit_id)
        raise StateError(t("err_nothing_to_correct", round_id=round_id, unit=name))
    last = prior.iloc[-1]
    fmt = facts["org"].letter_format(facts["rnd"]["area"])
    with archive.engine.begin() as conn:
        number = take_number(conn, fmt, issued_on.year, f"correction:{round_id}:{unit_id}:{len(prior)}", by, doc_no)
        ctx = _context(facts, unit_id, issued_on, by, number, cc)
        ctx.update(corrects={"doc_no": last["doc_no"], "issued_on": cn_date(last["issued_on"])}, reason=reason.strip())
        check_context(ctx)
        name = safe_name(f"{round_id}_{unit_id}_{ctx['unit_name']}_更正函_{len(prior)}.docx")
        content = render_letter(ctx, template)
        letter_id = _store(conn, round_id, unit_id, number, issued_on, name, content, by)
        conn.execute(letter_corrections.insert().values(letter_id=letter_id, corrects_letter_id=int(last["letter_id"]),
                                                        reason=reason.strip(), by=by, at=now()))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return atomic_write(Path(out_dir) / name, content)


def read_corrections(archive: Archive, round_id: str | None = None) -> pd.DataFrame:
    """The 更正函 log: which letter corrects which, who, when, why."""
    log = archive.read(letter_corrections)
    sent = read_letters(archive, round_id)[["letter_id", "round_id", "unit_id", "doc_no", "issued_on"]]
    return log.merge(sent, on="letter_id")


def read_letters(archive: Archive, round_id: str | None = None, unit_id: str | None = None,
                 with_content: bool = False) -> pd.DataFrame:
    c = letters.c
    where = ([c.round_id == round_id] if round_id else []) + ([c.unit_id == unit_id] if unit_id else [])
    df = archive.read(letters, *where)
    return df if with_content else df.drop(columns=["content"])

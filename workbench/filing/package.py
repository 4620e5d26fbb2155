"""County rounds filed with the city (报备): the filing package, and its receipt by the city.

The source: county offices follow the city's rules and report each round **in writing to the city
for filing** (书面形式报市编办备案). ``build_filing_package`` writes that report for a completed,
sealed county round as one zip: ``manifest.json`` (round, area, year, window, evaluation and
feedback dates, catalogue hash, weights, software version, counts, the SHA-256 of every file),
the result table as sealed at feedback, the unit ranking, the work-log counters, the
rectification items with their state on the filing date, the rule decisions, the feedback letters
as sent, and the cover letter (报备函, ``.docx`` from ``templates/filing_letter.docx``).
Nothing is written unless the whole package is built.

Signed packages (issue 11): with a county's private key (``keys``) the manifest names the key and
``manifest.sig`` signs the manifest, which lists the SHA-256 of every other entry. The city refuses
an unsigned package, a bad signature, a key not registered for the package's area or revoked, a
round it does not know, an unsafe zip (``zipsafe``) and a malformed manifest (``manifest``). A
package is identified by its content (``content_id``), not its zip bytes.

``receive_filing`` is the city's side. A package that cannot be trusted — not a zip, no manifest,
a file whose SHA-256 differs from the manifest (named), a file missing or added, round ids that
disagree — is refused with ``FilingRejected`` and nothing is written. A package that is intact is
recorded in ``filings`` as *received*, or *flagged* when something needs a look: a catalogue other
than the city's, results different from the archive's own sealed results of that round (in a
shared deployment city and counties use one archive, so the package is checked against it), a
receipt dated before the filing. Receiving imports nothing else: the results stay where the
county scored them. Receiving the same package again changes nothing. An officer may reject a
received filing after review (``reject_filing``), with a reason; a rejected filing does not count.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from workbench import __version__
from workbench.archive import Archive, filings, metadata, now
from workbench.core import Catalogue
from workbench.errors import NotFoundError, StateError, WorkbenchError
from workbench.files import csv_bytes, load_catalogue
from workbench.followup import (
    cn_date,
    items_as_of,
    items_for_file,
    office_name,
    read_decisions,
    read_letters,
    read_register,
    render_letter,
    safe_name,
    seal_of,
    sealed_results,
    take_number,
)
from workbench.labels import register, t
from workbench.organisation import area_name, is_subordinate
from workbench.paths import TEMPLATES, atomic_write
from workbench.scoring import COMPLETE, rank_units

from .keys import SIGNATURE_ENTRY, check_signature, key_id, load_private_key, sign
from .manifest import FORMAT, parse_manifest
from .zipsafe import ZipRefused, read_zip

TEMPLATE = TEMPLATES / "filing_letter.docx"
COVER_REQUIRED = frozenset({"office", "city_office", "doc_no", "year", "area_name", "n_matters", "filed_on"})
RESULT_COLUMNS = ("round_id", "matter_id", "unit_id", "status", "completion_pct", "band")
CSV_FILES = ("results.csv", "units.csv", "work_log.csv", "rectification.csv", "decisions.csv")


register({
    "filing_err_city": {"zh": "{round_id} 是市级轮次,无需报备;报备的是县级轮次",
                        "en": "{round_id} is a city round: only county rounds are filed with the city"},
    "filing_err_not_completed": {
        "zh": "{round_id} 尚未完成(状态:{status}),不能报备;先完成综合评定并将轮次标记为已完成",
        "en": "{round_id} is not completed (status: {status}); finish the assessment and complete the round first"},
    "filing_err_no_results": {
        "zh": "{round_id} 没有完整的核查评分结果({incomplete} 个事项未完成),不能报备;先补全核查录入并运行 workbench score",
        "en": "{round_id} has no complete verified results ({incomplete} matter(s) incomplete); "
              "finish verification and run `workbench score` first"},
    "filing_err_unsealed": {
        "zh": "{round_id} 尚未封存,不能报备;先发出情况反馈(workbench feedback --round {round_id}),结果随之封存",
        "en": "{round_id} is not sealed; issue its feedback first (`workbench feedback --round {round_id}`), "
              "which seals the results"},
    "filing_err_before_feedback": {
        "zh": "报备日期 {on} 早于情况反馈日期 {feedback_on};报备须在反馈之后",
        "en": "filing date {on} is before the feedback date {feedback_on}; a round is filed after its feedback"},
    "filing_err_not_zip": {"zh": "{file}:不是有效的报备包(zip 文件无法读取)",
                           "en": "{file}: not a filing package (cannot read it as a zip)"},
    "filing_err_manifest": {"zh": "{file}:报备包缺少或无法读取 manifest.json({why})",
                            "en": "{file}: manifest.json is missing or unreadable ({why})"},
    "filing_err_csv": {"zh": "{name} 无法读取或不完整({why})", "en": "{name} cannot be read or is incomplete ({why})"},
    "filing_why_columns": {"zh": "缺少列 {columns}", "en": "columns missing: {columns}"},
    "filing_why_pct": {"zh": "第 {rows} 行的完成情况百分比不是 0–100 的数", "en": "completion % is not a number 0–100 in row(s) {rows}"},
    "filing_why_matters": {"zh": "事项编号为空或重复", "en": "a matter id is empty or repeated"},
    "filing_err_round_unknown": {"zh": "市级档案中没有轮次 {round_id};报备包只能报备市级已知的县级轮次",
                                 "en": "the city's archive has no round {round_id}; only a round the city knows can be filed"},
    "filing_err_hash": {"zh": "包内文件 {name} 的 SHA-256 与清单不符(文件被改动)",
                        "en": "file {name} does not match its SHA-256 in the manifest (altered)"},
    "filing_err_missing_file": {"zh": "清单列出的文件 {name} 不在包内", "en": "file {name} is listed but not in the package"},
    "filing_err_extra_file": {"zh": "包内文件 {name} 未列入清单", "en": "file {name} is in the package but not listed"},
    "filing_err_round_ids": {"zh": "{name} 中的轮次编号 {found} 与清单的 {round_id} 不一致",
                             "en": "{name} names round {found}, the manifest {round_id}"},
    "filing_err_counts": {"zh": "{name} 有 {rows} 行,清单记为 {count}", "en": "{name} has {rows} rows, the manifest says {count}"},
    "filing_err_area": {"zh": "清单的地区 {area} 不是县级区划代码,或与轮次 {round_id} 不符",
                        "en": "manifest area {area} is not a county code or does not match round {round_id}"},
    "filing_rejected": {"zh": "{file}:报备包未通过校验,未登记任何内容。{problems}。请县级编办用 workbench file 重新生成后报送",
                        "en": "{file}: the package failed its checks; nothing was recorded. {problems}. "
                              "Ask the county office to rebuild it with `workbench file` and send it again"},
    "filing_flag_catalogue": {"zh": "指标体系与市级不一致(包内 {theirs},市级 {ours})",
                              "en": "catalogue differs from the city's ({theirs} vs {ours})"},
    "filing_flag_results": {"zh": "{n} 个事项的结果与档案中该轮封存结果不一致(如 {examples})",
                            "en": "{n} matter(s) differ from the archive's sealed results of the round (e.g. {examples})"},
    "filing_flag_dates": {"zh": "问效窗口或问效日期与档案中的该轮不一致(包内 {theirs},档案 {ours})",
                          "en": "window or evaluation date differ from the archive's round ({theirs} vs {ours})"},
    "filing_flag_received_early": {"zh": "接收日期 {received_on} 早于报备日期 {filed_on}",
                                   "en": "received on {received_on}, before the filing date {filed_on}"},
    "filing_err_unknown": {"zh": "报备记录 #{filing_id} 不存在", "en": "filing #{filing_id} does not exist"},
    "filing_err_reject_reason": {"zh": "退回报备须写明经办人和理由", "en": "rejecting a filing needs who and why"},
    "filing_err_already_rejected": {"zh": "报备记录 #{filing_id} 已退回", "en": "filing #{filing_id} is already rejected"},
    "filing_written": {"zh": "{round_id} 报备包已生成:{path}({files} 个文件)",
                       "en": "{round_id}: filing package written to {path} ({files} files)"},
    "filing_received": {"zh": "{round_id}:已登记报备(#{filing_id},{status})",
                        "en": "{round_id}: filing recorded (#{filing_id}, {status})"},
    "filing_already": {"zh": "{round_id}:该报备包已于 {received_on} 登记(#{filing_id}),未重复登记",
                       "en": "{round_id}: this package was already recorded on {received_on} (#{filing_id}); nothing added"},
    "filing_received_word": {"zh": "已接收", "en": "received"},
    "filing_flagged_word": {"zh": "已接收(待核)", "en": "received, flagged"},
    "filing_rejected_word": {"zh": "已退回", "en": "rejected"},
})


class FilingError(WorkbenchError):
    """A round that cannot be filed (yet)."""


class FilingRejected(WorkbenchError):
    """A package that failed its checks; ``problems`` names each file and why."""

    def __init__(self, message: str, problems: list[str]):
        self.problems = problems
        super().__init__(message)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _iso(v) -> str | None:
    return None if v is None or (not isinstance(v, date) and pd.isna(v)) else pd.Timestamp(v).date().isoformat()


# --------------------------------------------------------------------------- building
def check_fileable(archive: Archive, round_id: str, on: date) -> tuple[dict, dict, pd.DataFrame]:
    """The round, its seal and its sealed results — or the reason it cannot be filed on ``on``."""

    rnd = archive.get_round(round_id)
    if not is_subordinate(rnd["area"]):
        raise FilingError(t("filing_err_city", round_id=round_id))
    if rnd["status"] != "completed":
        raise FilingError(t("filing_err_not_completed", round_id=round_id, status=rnd["status"]))
    seal = seal_of(archive, round_id)
    results = sealed_results(archive, round_id)
    incomplete = int((results["status"] != COMPLETE).sum())
    if results.empty or incomplete:
        raise FilingError(t("filing_err_no_results", round_id=round_id, incomplete=incomplete))
    if seal is None:
        raise FilingError(t("filing_err_unsealed", round_id=round_id))
    feedback_on = pd.Timestamp(seal["feedback_issued_on"]).date()
    if on < feedback_on:
        raise FilingError(t("filing_err_before_feedback", on=on, feedback_on=feedback_on))
    return rnd, seal, results


def decisions_as_of(dec: pd.DataFrame, round_id: str, on: date) -> pd.DataFrame:
    """Pure: the round's decisions as they stood on ``on`` — none drafted later, and one signed or
    rejected later is still the draft it was then."""
    # days as timestamps: .dt.date of an all-empty column (every decision a draft) stays datetime64
    day = pd.Timestamp(on)
    dec = dec[(dec["round_id"] == round_id) & (pd.to_datetime(dec["created_at"]).dt.normalize() <= day)].copy()
    later = pd.to_datetime(dec["decided_at"]).dt.normalize() > day
    dec.loc[later, "status"] = "draft"
    dec.loc[later, ["decided_by", "decided_at", "reject_reason"]] = None
    return dec


def filing_ref(round_id: str) -> str:
    return f"filing:{round_id}"


def filing_doc_no(archive: Archive, round_id: str, on: date, by: str = "") -> str:
    """The 报备函's 文号 from the register: the one it has, else the next free one (taken, so the
    archive must be writable)."""
    rnd = archive.get_round(round_id)
    held = read_register(archive)
    held = held[held["ref"] == filing_ref(round_id)]
    if len(held):
        return held["doc_no"].iloc[0]
    fmt = archive.organisation().letter_format(rnd["area"]).replace("函", "报")
    with archive.engine.begin() as conn:
        return take_number(conn, fmt, on.year, filing_ref(round_id), by)


def package_files(archive: Archive, round_id: str, by: str, on: date, catalogue: Catalogue | None = None,
                  package_name: str | None = None, doc_no: str | None = None) -> tuple[dict, dict[str, bytes]]:
    """Everything the package holds as of the filing date ``on``, in memory: (manifest, {file name:
    bytes}). ``package_name`` is the zip's file name as the cover letter cites it; ``doc_no`` the
    报备函's 文号 (default: from the register)."""

    catalogue = catalogue or load_catalogue()
    rnd, seal, results = check_fileable(archive, round_id, on)
    run = archive.scoring_runs(round_id).set_index("run_id").loc[int(seal["run_id"])]
    names = archive.unit_names()
    res = results.drop(columns=["run_id"]).assign(round_id=round_id)
    res.insert(2, "unit_name", res["unit_id"].map(names))
    res = res[["round_id"] + [c for c in res.columns if c != "round_id"]].sort_values("matter_id")
    ranking = rank_units(results, catalogue)
    ranking.insert(1, "unit_name", ranking["unit_id"].map(names))
    log = {"round_id": round_id, **archive.work_log(round_id)}
    items = items_as_of(archive, on, round_id)
    items = items_for_file(items)
    dec = decisions_as_of(read_decisions(archive), round_id, on).drop(columns=["key", "reasons"], errors="ignore")
    sent = read_letters(archive, round_id, with_content=True)
    sent = sent[pd.to_datetime(sent["issued_on"]).dt.date <= on]  # as of the filing date
    files = {"results.csv": csv_bytes(res), "units.csv": csv_bytes(ranking),
             "work_log.csv": csv_bytes(pd.DataFrame([log])), "rectification.csv": csv_bytes(items),
             "decisions.csv": csv_bytes(dec)}
    for rec in sent.to_dict("records"):
        files[f"letters/{rec['letter_id']}_{safe_name(rec['file_name'])}"] = bytes(rec["content"])
    year, area = int(rnd["year"]), rnd["area"]
    org = archive.organisation()
    bands = res["band"].value_counts()
    passed = int((items["state"] == "passed").sum()) if len(items) else 0
    package_name = package_name or f"{round_id}_报备.zip"
    letter = {
        "office": office_name(org, area), "city_office": office_name(org, org.own),
        # the office that receives: its area (潍坊市), who files (县级), its short name (市编办)
        "city_name": org.place(org.own), "filer_level": t(f"org_level_{org.subordinate_level}", "zh"),
        "city_short": t(f"org_level_{org.level}", "zh")[0] + "编办",
        "doc_no": doc_no or filing_doc_no(archive, round_id, on, by), "year": year,
        "area_name": area_name(org, area),
        "window_start": cn_date(rnd["window_start"]), "window_end": cn_date(rnd["window_end"]),
        "eval_date": cn_date(rnd["eval_date"]), "feedback_on": cn_date(seal["feedback_issued_on"]),
        "n_units": int(res["unit_id"].nunique()), "n_matters": len(res), **{k: v for k, v in log.items() if k != "round_id"},
        "mean_pct": f"{res['completion_pct'].mean():.1f}",
        "bands": [{"band": b, "count": int(bands.get(b, 0)), "share": f"{100 * bands.get(b, 0) / len(res):.1f}"}
                  for b, *_ in catalogue.bands],
        "n_items": len(items), "n_passed": passed, "n_decisions": len(dec),
        "letters_note": f"、情况反馈函{len(sent)}份" if len(sent) else "", "package_name": package_name,
        "filed_on": cn_date(on), "contact": by,
    }
    files[safe_name(f"{round_id}_{area_name(org, area)}_报备函.docx")] = render_cover(letter)
    manifest = {
        "format": FORMAT, "round_id": round_id, "area": area, "area_name": area_name(org, area), "year": year,
        "window": [_iso(rnd["window_start"]), _iso(rnd["window_end"])], "eval_date": _iso(rnd["eval_date"]),
        "feedback_on": _iso(seal["feedback_issued_on"]), "sealed_run_id": int(seal["run_id"]),
        "sealed_version": archive.run_version(seal["run_id"]),  # the round's own number, as people see it
        "results_hash": seal["results_hash"], "catalogue_hash": run["catalogue_hash"],
        "weights": json.loads(run["weights"]), "weights_hash": run["weights_hash"],
        "scored_with": run["software_version"], "software_version": __version__,
        "filed_on": on.isoformat(), "filed_by": by,
        "counts": {"matters": len(res), "units": len(ranking), "items": len(items), "items_passed": passed,
                   "decisions": len(dec), "letters": len(sent)},
        "mean_completion_pct": round(float(res["completion_pct"].mean()), 2),
        "files": {name: _sha(data) for name, data in sorted(files.items())},
    }
    return manifest, files


def render_cover(context: dict, template: Path = TEMPLATE) -> bytes:
    """The 报备函 (.docx): the template is checked for its placeholders first."""

    return render_letter(context, template, COVER_REQUIRED)


def zip_package(manifest: dict, files: dict[str, bytes], on: date, key: Ed25519PrivateKey | None = None) -> bytes:
    """The zip's bytes; entries dated on the filing date, so the same inputs give the same bytes.
    With ``key`` the manifest names it and ``manifest.sig`` signs the manifest's exact bytes."""
    buf = io.BytesIO()
    stamp = (on.year, on.month, on.day, 0, 0, 0)
    if key is not None:
        manifest = {**manifest, "key_id": key_id(key.public_key())}
    body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    signed = {SIGNATURE_ENTRY: sign(body, key)} if key is not None else {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        entries = {"manifest.json": body, **signed, **files}
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def package_bytes(archive: Archive, round_id: str, by: str, on: date, catalogue: Catalogue | None = None,
                  package_name: str | None = None, key: str | Path | None = None) -> bytes:
    """The package's bytes, signed with the private key file ``key`` (unsigned without: the city refuses it)."""
    private = load_private_key(key) if key is not None else None  # a bad key fails before any work
    manifest, files = package_files(archive, round_id, by, on, catalogue, package_name)
    return zip_package(manifest, files, on, private)


def build_filing_package(archive: Archive, round_id: str, out_path: str | Path, by: str,
                         on: date | None = None, catalogue: Catalogue | None = None,
                         key: str | Path | None = None) -> Path:
    """Write the filing package of a county round (refused, with nothing written, if it cannot be filed)."""
    path = Path(out_path)
    data = package_bytes(archive, round_id, by, on or date.today(), catalogue, path.name, key)
    return atomic_write(path, data)


# --------------------------------------------------------------------------- receiving
def _refuse(file: str, problems: list[str]) -> FilingRejected:
    return FilingRejected(t("filing_rejected", file=file, problems="; ".join(problems)), problems)


def open_package(data: bytes, file: str) -> tuple[dict, dict[str, bytes]]:
    """Pure: read and check a package's integrity; ``FilingRejected`` names every bad file.
    The zip is read safely (``zipsafe``), the manifest checked for its shape (``manifest``);
    ``contents`` keeps the manifest's exact bytes and the signature for ``check_signature``."""
    try:
        contents = read_zip(data)
    except ZipRefused as exc:
        raise _refuse(file, exc.problems) from exc
    if "manifest.json" not in contents:
        raise _refuse(file, [t("filing_err_manifest", file=file, why=t("manifest_why_missing"))])
    manifest, problems = parse_manifest(contents["manifest.json"])
    if problems:
        raise _refuse(file, problems)
    listed = manifest["files"]
    contents = {"manifest.json": contents.pop("manifest.json"), SIGNATURE_ENTRY: contents.pop(SIGNATURE_ENTRY, None),
                **contents}
    files = {n: d for n, d in contents.items() if n not in ("manifest.json", SIGNATURE_ENTRY)}
    problems = [t("filing_err_missing_file", name=n) for n in listed if n not in files]
    problems += [t("filing_err_extra_file", name=n) for n in files if n not in listed]
    problems += [t("filing_err_hash", name=n) for n, h in listed.items() if n in files and _sha(files[n]) != h]
    if not problems:
        problems = _consistency(manifest, contents)
    if problems:
        raise _refuse(file, problems)
    return manifest, contents


def content_id(manifest: dict) -> str:
    """A package's identity: the hash of its entries' hashes, so the same files re-zipped count once."""
    return _sha(json.dumps(sorted(manifest["files"].items())).encode("utf-8"))


def _consistency(manifest: dict, contents: dict[str, bytes]) -> list[str]:
    rid, area = manifest["round_id"], manifest["area"]
    problems = []
    if not is_subordinate(area) or rid != f"{int(manifest['year'])}-{area}":
        problems.append(t("filing_err_area", area=area, round_id=rid))
    counts = {"results.csv": "matters", "rectification.csv": "items", "decisions.csv": "decisions"}
    for name in CSV_FILES:
        if name not in contents:
            problems.append(t("filing_err_missing_file", name=name))
            continue
        try:
            df = read_csv(contents[name])
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:  # EmptyDataError is a ValueError
            problems.append(t("filing_err_csv", name=name, why=str(exc).strip()[:200]))
            continue
        if name == "results.csv":
            problems += _check_results(df)
        found = sorted(set(df["round_id"].dropna().astype(str)) - {rid}) if "round_id" in df else []
        if found:
            problems.append(t("filing_err_round_ids", name=name, found=", ".join(found), round_id=rid))
        if name in counts and len(df) != int(manifest["counts"].get(counts[name], -1)):
            problems.append(t("filing_err_counts", name=name, rows=len(df), count=manifest["counts"].get(counts[name])))
    return problems


def _check_results(df: pd.DataFrame) -> list[str]:
    """results.csv must carry what ``review`` compares: its columns, one row per matter, numbers."""
    absent = [c for c in RESULT_COLUMNS if c not in df.columns]
    if absent:
        return [t("filing_err_csv", name="results.csv", why=t("filing_why_columns", columns=", ".join(absent)))]
    pct = pd.to_numeric(df["completion_pct"], errors="coerce")
    rows = [i + 2 for i in df.index[(pct.isna() & df["completion_pct"].notna()) | (pct.abs() > 100.0001)]]
    problems = [t("filing_err_csv", name="results.csv", why=t("filing_why_pct", rows=", ".join(map(str, rows[:5]))))
                ] if rows else []
    if df["matter_id"].isna().any() or df["matter_id"].duplicated().any():
        problems.append(t("filing_err_csv", name="results.csv", why=t("filing_why_matters")))
    return problems


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"unit_id": str, "round_id": str})


def review(archive: Archive, manifest: dict, contents: dict[str, bytes], received_on: date,
           catalogue: Catalogue) -> list[str]:
    """What an intact package should be looked at for (→ *flagged*), against the city's archive."""

    flags = []
    if manifest["catalogue_hash"] != catalogue.hash:
        flags.append(t("filing_flag_catalogue", "zh", theirs=manifest["catalogue_hash"][:12], ours=catalogue.hash[:12]))
    if date.fromisoformat(manifest["filed_on"]) > received_on:
        flags.append(t("filing_flag_received_early", "zh", received_on=received_on, filed_on=manifest["filed_on"]))
    rid = manifest["round_id"]
    rnd = archive.read("rounds", metadata.tables["rounds"].c.round_id == rid)
    if rnd.empty:
        return flags
    ours_dates = [_iso(rnd.iloc[0][c]) for c in ("window_start", "window_end", "eval_date")]
    if ours_dates != [*manifest.get("window", [None, None]), manifest["eval_date"]]:
        flags.append(t("filing_flag_dates", "zh", theirs=" / ".join(map(str, [*manifest.get("window", []),
                                                                            manifest["eval_date"]])),
                       ours=" / ".join(map(str, ours_dates))))
    ours = sealed_results(archive, rid) if seal_of(archive, rid) else archive.latest_results(rid)
    if ours.empty:
        return flags
    key = ["status", "completion_pct", "band"]
    theirs = read_csv(contents["results.csv"]).set_index("matter_id")[key]
    ours = ours.set_index("matter_id")[key]
    both = theirs.add_suffix("_pkg").join(ours, how="outer")
    differ = both.index[
        (both["status_pkg"].astype(str) != both["status"].astype(str))
        | (both["band_pkg"].astype(str) != both["band"].astype(str))
        | ((both["completion_pct_pkg"] - both["completion_pct"]).abs().fillna(1) > 0.005)
        & ~(both["completion_pct_pkg"].isna() & both["completion_pct"].isna())
    ]
    if len(differ):
        flags.append(t("filing_flag_results", "zh", n=len(differ), examples=", ".join(map(str, differ[:3]))))
    return flags


def receive_package(archive: Archive, data: bytes, file_name: str, by: str, on: date | None = None,
                    catalogue: Catalogue | None = None, at: datetime | None = None) -> dict:
    """Check a package and record it in ``filings`` (one row, one transaction). Returns the row;
    ``row["new"]`` is False when the same package was recorded before (nothing is written)."""
    on = on or date.today()
    manifest, contents = open_package(data, file_name)
    if manifest["area"] not in archive.organisation().counties:  # not an area this office oversees
        raise _refuse(file_name, [t("filing_err_area", area=manifest["area"], round_id=manifest["round_id"])])
    problems = check_signature(archive, manifest, contents["manifest.json"], contents[SIGNATURE_ENTRY])
    if archive.read("rounds", metadata.tables["rounds"].c.round_id == manifest["round_id"]).empty:
        problems.append(t("filing_err_round_unknown", round_id=manifest["round_id"]))
    if problems:
        raise _refuse(file_name, problems)
    digest = content_id(manifest)
    existing = archive.read(filings, filings.c.package_sha256 == digest)
    if len(existing):
        return {**existing.iloc[0].to_dict(), "new": False}
    flags = review(archive, manifest, contents, on, catalogue or load_catalogue())
    row = {"round_id": manifest["round_id"], "area": manifest["area"], "year": int(manifest["year"]),
           "eval_date": date.fromisoformat(manifest["eval_date"]),
           "feedback_on": date.fromisoformat(manifest["feedback_on"]) if manifest.get("feedback_on") else None,
           "filed_on": date.fromisoformat(manifest["filed_on"]), "filed_by": manifest.get("filed_by", ""),
           "received_on": on, "received_by": by, "received_at": at or now(), "package_sha256": digest,
           "file_name": Path(file_name).name[:200], "status": "flagged" if flags else "received",
           "problems": "\n".join(flags), "manifest": json.dumps(manifest, ensure_ascii=False),
           "key_id": manifest["key_id"], "receipt_gap_days": (on - date.fromisoformat(manifest["filed_on"])).days}
    with archive.engine.begin() as conn:
        if conn.execute(sa.select(filings.c.filing_id).where(filings.c.package_sha256 == digest)).first():
            return {**archive.read(filings, filings.c.package_sha256 == digest).iloc[0].to_dict(), "new": False}
        row["filing_id"] = int(conn.execute(filings.insert().values(**row)).inserted_primary_key[0])
    return {**row, "new": True}


def receive_filing(archive: Archive, path: str | Path, by: str, on: date | None = None,
                   catalogue: Catalogue | None = None) -> dict:
    """The city receives a county's filing package from a file (see ``receive_package``)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{t('err_file_missing')}: {path}")
    return receive_package(archive, path.read_bytes(), path.name, by, on, catalogue)


def read_filings(archive: Archive, year: int | None = None) -> pd.DataFrame:
    """The filings recorded (none in an archive opened read-only from before filings existed)."""
    if not sa.inspect(archive.engine).has_table("filings"):
        return pd.DataFrame(columns=[c.name for c in filings.columns])
    where = [filings.c.year == int(year)] if year is not None else []
    return archive.read(filings, *where)


def reject_filing(archive: Archive, filing_id: int, by: str, reason: str, on: date | None = None) -> None:
    """After review, send a recorded filing back: it no longer counts as filed."""
    if not (by or "").strip() or not (reason or "").strip():
        raise WorkbenchError(t("filing_err_reject_reason"))
    row = archive.read(filings, filings.c.filing_id == int(filing_id))
    if row.empty:
        raise NotFoundError(t("filing_err_unknown", filing_id=filing_id))
    if row.iloc[0]["status"] == "rejected":
        raise StateError(t("filing_err_already_rejected", filing_id=filing_id))
    note = "\n".join(p for p in [row.iloc[0]["problems"] or "", f"{on or date.today()} {by} 退回:{reason}"] if p)
    with archive.engine.begin() as conn:
        conn.execute(filings.update().where(filings.c.filing_id == int(filing_id)).values(
            status="rejected", problems=note))







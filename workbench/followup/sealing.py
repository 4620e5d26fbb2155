"""Sealing a round once feedback is issued (结果封存), amendments, and the seal check.

When the feedback letters go out, the round's current verified results are sealed: the seal keeps
a SHA-256 of the result rows with their provenance, and of the round's entry history up to that
moment. From then on the results change only through an **amendment** (who, when, why, and the
new version's hashes) — a re-check after rectification is the usual one. ``check_seal`` recomputes
every hash and lists whatever does not match: a result edited in place, an entry changed or
removed, a scoring run or an entry added without an amendment.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from workbench.archive import Archive, amendments, letters, now, scoring_runs, seals
from workbench.core import Catalogue, content_hash
from workbench.errors import StateError, WorkbenchError
from workbench.files import import_entries
from workbench.files.importing import ImportReport
from workbench.labels import register, t
from workbench.rounds import score_archived_round

from .readiness import require_ready

register({
    "seal_ok": {"zh": "{round_id}:封存校验通过({versions} 个结果版本)",
                "en": "{round_id}: seal intact ({versions} result version(s))"},
    "seal_bad": {"zh": "{round_id}:封存校验发现 {count} 处问题", "en": "{round_id}: seal check found {count} problem(s)"},
    "seal_results_changed": {"zh": "第 {run_id} 版结果与封存时不一致(结果被改动)",
                             "en": "results of version {run_id} differ from what was sealed (tampered)"},
    "seal_run_missing": {"zh": "封存的第 {run_id} 版结果已不存在", "en": "sealed version {run_id} no longer exists"},
    "seal_entries_changed": {"zh": "封存前的录入记录被改动或删除", "en": "entries recorded before sealing were changed or deleted"},
    "seal_unamended_run": {"zh": "第 {run_id} 版结果未经修正登记", "en": "version {run_id} was added without an amendment"},
    "seal_unamended_entries": {"zh": "封存后新增 {count} 条核查录入,未经修正登记",
                               "en": "{count} verified entries added after sealing without an amendment"},
    "seal_letter_changed": {"zh": "第 {letter_id} 号反馈函({unit_id})与发出时不一致",
                            "en": "letter {letter_id} ({unit_id}) differs from the one sent"},
    "err_not_sealed": {"zh": "{round_id} 尚未封存;发出情况反馈时封存", "en": "{round_id} is not sealed; it is sealed when feedback is issued"},
    "err_already_sealed": {"zh": "{round_id} 已于 {when} 封存;如需改动,以修正方式导入:workbench import entries 文件 "
                                 "--round {round_id} --amend --reason 原因 --by 经办人",
                           "en": "{round_id} was sealed on {when}; change it through an amendment: workbench import "
                                 "entries FILE --round {round_id} --amend --reason WHY --by NAME"},
    "err_no_results": {"zh": "{round_id} 尚无核查评分结果;先运行 workbench score --round {round_id}",
                       "en": "{round_id} has no verified results yet; run `workbench score --round {round_id}`"},
})

RESULT_HASH_COLUMNS = ["matter_id", "unit_id", "category", "status", "score", "applicable_weight",
                       "completion_pct", "band", "rank_in_category"]
RUN_HASH_COLUMNS = ["run_id", "round_id", "source", "catalogue_hash", "weights_hash", "weights",
                    "software_version"]
ENTRY_HASH_COLUMNS = ["entry_id", "matter_id", "indicator_id", "source", "result", "note", "entered_by"]


def _plain(df: pd.DataFrame, cols: list[str]) -> list[list]:
    out = df[cols].astype(object).where(df[cols].notna(), None)
    return [[(round(v, 6) if isinstance(v, float) else v) for v in row] for row in out.to_numpy().tolist()]


def results_hash(run: dict, rows: pd.DataFrame) -> str:
    """Hash of one result version: its provenance and every result row."""
    head = [str(run[c]) for c in RUN_HASH_COLUMNS]
    return content_hash({"run": head, "rows": _plain(rows.sort_values("matter_id"), RESULT_HASH_COLUMNS)})


def entries_hash(hist: pd.DataFrame) -> str:
    return content_hash(_plain(hist.sort_values("entry_id"), ENTRY_HASH_COLUMNS))


def _version(archive: Archive, round_id: str, run_id: int) -> tuple[str, int, str]:
    run = archive.read(scoring_runs, scoring_runs.c.run_id == int(run_id))
    hist = archive.entry_history(round_id)
    max_id = int(hist["entry_id"].max()) if len(hist) else 0
    return results_hash(run.iloc[0].to_dict(), archive.results(run_id)), max_id, entries_hash(hist)


def seal_of(archive: Archive, round_id: str) -> dict | None:
    df = archive.read(seals, seals.c.round_id == round_id)
    return None if df.empty else df.iloc[0].to_dict()


def amendments_of(archive: Archive, round_id: str) -> pd.DataFrame:
    return archive.read(amendments, amendments.c.round_id == round_id)


def seal_round(archive: Archive, round_id: str, by: str, issued_on: date, at: datetime | None = None) -> dict:
    """Seal the round's current verified results. Fails if already sealed or not scored.

    Everything from the checks to the seal's insert is one transaction holding the round (see
    ``archive.guard``): an import under way finishes first and is in the sealed hashes, one that
    starts now waits and then finds the round sealed."""
    archive.get_round(round_id)
    try:
        with archive.transaction([round_id], exclusive=True) as conn:
            existing = seal_of(archive, round_id)
            if existing:
                raise StateError(t("err_already_sealed", round_id=round_id, when=existing["sealed_at"]))
            run = archive.latest_run(round_id, "verified")
            if run is None:
                raise WorkbenchError(t("err_no_results", round_id=round_id))
            require_ready(archive, round_id, "seal")  # an unfinished round is never sealed
            rhash, max_id, ehash = _version(archive, round_id, run["run_id"])
            row = {"round_id": round_id, "run_id": int(run["run_id"]), "results_hash": rhash,
                   "max_entry_id": max_id, "entries_hash": ehash, "sealed_by": by, "sealed_at": at or now(),
                   "feedback_issued_on": issued_on}
            conn.execute(seals.insert().values(**row))
    except sa.exc.IntegrityError:  # sealed by a process that did not hold the round: one seal per round
        raise StateError(t("err_already_sealed", round_id=round_id,
                           when=seal_of(archive, round_id)["sealed_at"])) from None
    return row


def _who_and_why(by: str, why: str, key: str = "err_amend_why") -> None:
    if not (by or "").strip() or not (why or "").strip():
        raise WorkbenchError(t(key))


def amend(archive: Archive, round_id: str, new_run_id: int, by: str, why: str,
          at: datetime | None = None) -> dict:
    """Record that the sealed results were replaced by ``new_run_id``, by whom, when and why."""
    _who_and_why(by, why)
    with archive.transaction([round_id], exclusive=True) as conn:
        seal = seal_of(archive, round_id)
        if seal is None:
            raise StateError(t("err_not_sealed", round_id=round_id))
        prior = amendments_of(archive, round_id)
        old = int(prior["new_run_id"].iloc[-1]) if len(prior) else int(seal["run_id"])
        rhash, max_id, ehash = _version(archive, round_id, new_run_id)
        row = {"round_id": round_id, "old_run_id": old, "new_run_id": int(new_run_id), "results_hash": rhash,
               "max_entry_id": max_id, "entries_hash": ehash, "by": by, "at": at or now(), "why": why}
        conn.execute(amendments.insert().values(**row))
    return row


def score_amended(archive: Archive, round_id: str, catalogue: Catalogue | None, by: str, why: str,
                  weights: pd.Series | None = None, at: datetime | None = None) -> pd.DataFrame:
    """Score a round's verified entries and archive the run; if the round is sealed the run is an
    amendment, and the run and its amendment row are one transaction (a process killed between
    them leaves neither). Returns the scored table."""
    with archive.transaction([round_id], exclusive=True):
        if seal_of(archive, round_id) is None:
            return score_archived_round(archive, round_id, catalogue, weights=weights, computed_by=by, at=at)
        _who_and_why(by, why)
        with archive.amending([round_id]):
            table = score_archived_round(archive, round_id, catalogue, weights=weights, computed_by=by, at=at)
            amend(archive, round_id, int(archive.latest_run(round_id, "verified")["run_id"]), by, why, at=at)
    return table


def rescore(archive: Archive, round_id: str, catalogue: Catalogue | None, by: str, why: str,
            at: datetime | None = None) -> int:
    """Re-score a round; if it is sealed, record the new version as an amendment. Returns the run id."""
    with archive.transaction([round_id], exclusive=True):
        score_amended(archive, round_id, catalogue, by, why, at=at)
        return int(archive.latest_run(round_id, "verified")["run_id"])


def amend_entries(archive: Archive, path: str | Path, catalogue: Catalogue, by: str, why: str,
                  round_id: str | None = None) -> ImportReport:
    """``import entries --amend``: the file's entries and, for each sealed round they change, the
    new version and its amendment (who, when, why) — all in one transaction."""
    _who_and_why(by, why, "chg_amend_why")
    with archive.transaction():
        report = import_entries(archive, path, catalogue, entered_by=by, round_id=round_id, amend=True)
        for changed in report.rounds if report.written else ():
            if seal_of(archive, changed):
                score_amended(archive, changed, catalogue, by, why)
    return report


def amend_verified(archive: Archive, round_id: str, new: pd.DataFrame, catalogue: Catalogue, by: str, why: str,
                   expected: dict[str, int] | None = None, lang: str | None = None) -> tuple[int, dict | None]:
    """The verification form's save on a sealed round: the verified entries (``add_entries``), the
    new version and its amendment (who, when, why) — one transaction. Returns the entries written
    and the amendment as recorded (the database's ``by`` on a shared archive), None if nothing changed."""
    _who_and_why(by, why)
    with archive.amending([round_id]):
        if seal_of(archive, round_id) is None:
            raise StateError(t("err_not_sealed", round_id=round_id))
        written = archive.add_entries(new.assign(round_id=round_id, source="verified"), entered_by=by,
                                      expected=expected, lang=lang)
        if not written:  # the same values again: no new version, no amendment
            return 0, None
        score_amended(archive, round_id, catalogue, by, why)
        return written, amendments_of(archive, round_id).iloc[-1].to_dict()


def rescore_amended(archive: Archive, round_id: str, catalogue: Catalogue | None, by: str,
                    why: str) -> dict:
    """The assessment form's 修正评分: re-score a sealed round as an amendment (refused without who
    and why, even if the round is not sealed). Returns the amendment as recorded."""
    _who_and_why(by, why)
    with archive.transaction([round_id], exclusive=True):
        if seal_of(archive, round_id) is None:
            raise StateError(t("err_not_sealed", round_id=round_id))
        rescore(archive, round_id, catalogue, by, why)
        return amendments_of(archive, round_id).iloc[-1].to_dict()


@dataclass
class SealReport:
    round_id: str
    sealed: bool
    versions: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.sealed and not self.problems

    def message(self, lang: str | None = None) -> str:
        if not self.sealed:
            return t("err_not_sealed", lang, round_id=self.round_id)
        if self.ok:
            return t("seal_ok", lang, round_id=self.round_id, versions=len(self.versions))
        return "\n  ".join([t("seal_bad", lang, round_id=self.round_id, count=len(self.problems)),
                            *self.problems])


def check_seal(archive: Archive, round_id: str, lang: str | None = None) -> SealReport:
    """Recompute the hashes of the sealed version and of every amendment; list what differs."""
    seal = seal_of(archive, round_id)
    report = SealReport(round_id, seal is not None)
    if seal is None:
        return report
    version = archive.run_versions(round_id)  # people see the version within the round, not the run id
    chain = [seal] + amendments_of(archive, round_id).rename(columns={"new_run_id": "run_id"}).to_dict("records")
    hist = archive.entry_history(round_id)
    runs = archive.scoring_runs(round_id)
    for link in chain:
        run_id = int(link["run_id"])
        report.versions.append(run_id)
        run = runs[runs["run_id"] == run_id]
        if run.empty:
            report.problems.append(t("seal_run_missing", lang, run_id=version.get(run_id, run_id)))
            continue
        if results_hash(run.iloc[0].to_dict(), archive.results(run_id)) != link["results_hash"]:
            report.problems.append(t("seal_results_changed", lang, run_id=version.get(run_id, run_id)))
        if entries_hash(hist[hist["entry_id"] <= int(link["max_entry_id"])]) != link["entries_hash"]:
            report.problems.append(t("seal_entries_changed", lang))
    known = set(report.versions)
    later = runs[(runs["source"] == "verified") & (runs["run_id"] > int(seal["run_id"]))]
    report.problems += [t("seal_unamended_run", lang, run_id=version.get(int(r), int(r))) for r in later["run_id"] if int(r) not in known]
    report.problems += _letter_problems(archive, round_id, lang)
    last_max = int(chain[-1]["max_entry_id"])
    extra = hist[(hist["entry_id"] > last_max) & (hist["source"] == "verified")]
    if len(extra):
        report.problems.append(t("seal_unamended_entries", lang, count=len(extra)))
    return report


def _letter_problems(archive: Archive, round_id: str, lang: str | None) -> list[str]:
    """A letter as sent must still be the bytes whose SHA-256 was recorded when it was issued."""

    sent = archive.read(letters, letters.c.round_id == round_id)
    return [t("seal_letter_changed", lang, letter_id=int(r["letter_id"]), unit_id=r["unit_id"])
            for r in sent.to_dict("records")
            if r["content"] is None or hashlib.sha256(bytes(r["content"])).hexdigest() != r["sha256"]]


def sealed_results(archive: Archive, round_id: str) -> pd.DataFrame:
    """The results as sealed at feedback (the assessment the letters reported), else the latest."""
    seal = seal_of(archive, round_id)
    return archive.results(seal["run_id"]) if seal else archive.latest_results(round_id)








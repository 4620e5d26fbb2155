"""What an import may change in the archive: archived facts change only on purpose.

A matter already in the archive keeps its unit, category, date, number and summary unless the
import says it amends them (who and why, kept in ``matter_amendments``); a matter that has been
evaluated says so in the refusal. Entries of a sealed round are not changed by an import at all:
the amendment path re-scores and records who and why (``followup.amend_entries``); the archive
refuses the rest even when this check is bypassed or raced (``archive.guard``).
"""

from __future__ import annotations

import pandas as pd

from workbench.archive import Archive, results, seals
from workbench.labels import register, t

from .tables import FIRST_DATA_ROW, Failures

MATTER_FACTS = ("unit_id", "category", "approved_on", "doc_no", "summary")

register({
    "chg_matter": {
        "zh": "档案中已有该事项,内容不同(原为 «{old}»);如确需更正,请加 --amend --reason 原因 --by 经办人",
        "en": "the archive already holds this matter with «{old}»; to correct it, add --amend --reason WHY --by WHO",
    },
    "chg_matter_evaluated": {
        "zh": "该事项已问效评分,不能改为 «{new}»(原为 «{old}»);如确需更正,请加 --amend --reason 原因 --by 经办人",
        "en": "this matter has been evaluated: it cannot become «{new}» (was «{old}»); to correct it, "
              "add --amend --reason WHY --by WHO",
    },
    "chg_sealed": {
        "zh": "轮次 {round_id} 已封存,结果不能由导入修改(原为 «{old}»);如确需更正,请加 --amend --reason 原因 --by 经办人",
        "en": "round {round_id} is sealed: an import cannot change it (was «{old}»); to correct it, "
              "add --amend --reason WHY --by WHO",
    },
    "chg_amend_why": {"zh": "--amend 须同时写明 --reason 原因和 --by 经办人",
                      "en": "--amend needs --reason WHY and --by WHO"},
})


def _text(v: object) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def matter_changes(clean: pd.DataFrame, archive: Archive, fail: Failures | None) -> pd.DataFrame:
    """Every fact of an imported matter that differs from the archive: matter_id, column, old,
    new. With ``fail``, each is also a failure of its row (the import is refused)."""
    old = archive.matters().set_index("matter_id")
    evaluated = set(archive.read(results)["matter_id"])
    rows = []
    for idx, rec in clean[clean["matter_id"].isin(old.index)].iterrows():
        before = old.loc[rec["matter_id"]]
        for col in MATTER_FACTS:
            if col not in clean.columns:
                continue
            was, now = _text(before[col]), _text(rec[col])
            if was == now:
                continue
            rows.append({"matter_id": rec["matter_id"], "column": col, "old": was or None, "new": now or None})
            if fail is not None:
                key = "chg_matter_evaluated" if rec["matter_id"] in evaluated else "chg_matter"
                fail.add(int(idx) + FIRST_DATA_ROW, col, now, t(key, old=was, new=now))
    return pd.DataFrame(rows, columns=["matter_id", "column", "old", "new"])


def sealed_changes(clean: pd.DataFrame, archive: Archive, fail: Failures) -> None:
    """Refuse every row that would change an entry of a sealed round (an identical row is fine:
    importing the same file again adds nothing)."""
    sealed = set(archive.read(seals)["round_id"])
    touched = [r for r in clean["round_id"].dropna().unique() if r in sealed]
    if not touched:
        return
    key = ["round_id", "matter_id", "indicator_id", "source"]
    current = pd.concat([archive.current_entries(r) for r in touched], ignore_index=True)
    mine = clean[clean["round_id"].isin(touched)]
    both = mine.reset_index().merge(current[key + ["result", "note"]], on=key, how="left", suffixes=("", "_old"))
    result = both["result"].map(_text).str.strip()
    differs = (result != both["result_old"].map(_text)) | (both["note"].map(_text) != both["note_old"].map(_text))
    for rec in both[differs].to_dict("records"):
        fail.add(int(rec["index"]) + FIRST_DATA_ROW, "result", _text(rec["result"]),
                 t("chg_sealed", round_id=rec["round_id"], old=_text(rec["result_old"])))

"""What is still missing before a round's feedback, letters or seal may go out.

Nothing leaves the office for an unfinished round. ``missing_before_feedback`` (pure) lists, one
row a problem: no assessment at all (no verified scoring run), a matter whose verification is not
complete (the indicators still without a valid verified value), a matter verified in full but not
scored as it now stands (no result, or a result that differs from the current entries).
``require_ready`` reads the round and refuses with that list, in the user's language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.archive import Archive
from workbench.core import STATUS_NA, STATUS_VALUE, Catalogue
from workbench.errors import StateError
from workbench.files import load_catalogue
from workbench.labels import register, t
from workbench.rounds import indicator_detail
from workbench.scoring import COMPLETE, aggregate_matters

register({
    "ready_no_assessment": {"zh": "尚无综合评定结果:完成核查后运行 workbench score --round {round_id}",
                            "en": "no assessment yet: finish verification, then run `workbench score --round {round_id}`"},
    "ready_not_verified": {"zh": "事项 {matter_id}({unit}):{n} 项指标尚未核查({indicators})",
                           "en": "matter {matter_id} ({unit}): {n} indicator(s) not verified ({indicators})"},
    "ready_unscored": {"zh": "事项 {matter_id}({unit}):核查结果尚未评分或评分后有改动,请运行 workbench score --round {round_id}",
                       "en": "matter {matter_id} ({unit}): verified results not scored as they stand; "
                             "run `workbench score --round {round_id}`"},
    "err_not_ready": {"zh": "{round_id} 尚未完成,不能{action}。尚缺 {count} 项:\n  {missing}",
                      "en": "{round_id} is not finished; cannot {action}. {count} thing(s) missing:\n  {missing}"},
    "action_feedback": {"zh": "发出情况反馈", "en": "issue feedback"},
    "action_letters": {"zh": "生成反馈函", "en": "write the letters"},
    "action_seal": {"zh": "封存结果", "en": "seal the results"},
})

MISSING_COLUMNS = ["code", "matter_id", "unit_name", "indicators"]


class NotReadyError(StateError):
    """The round is not finished; ``missing`` lists what is missing, in words."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


def missing_before_feedback(scope: pd.DataFrame, detail: pd.DataFrame, results: pd.DataFrame | None,
                            catalogue: Catalogue) -> pd.DataFrame:
    """Pure. ``scope``: the round's matters (matter_id, unit_name); ``detail``: ``score_indicators``
    of the current verified entries; ``results``: the latest verified results, None if the round was
    never scored. One row per problem (``MISSING_COLUMNS``), empty when the round is ready."""
    if results is None:
        return pd.DataFrame([{"code": "no_assessment", "matter_id": "", "unit_name": "", "indicators": ""}],
                            columns=MISSING_COLUMNS)
    names = scope.set_index("matter_id")["unit_name"]
    gaps = detail[~detail["entry_status"].isin([STATUS_VALUE, STATUS_NA])]
    not_verified = (gaps.groupby("matter_id")["indicator_id"].agg(lambda s: "、".join(sorted(s)))
                    .rename("indicators").reset_index().assign(code="not_verified"))
    now = aggregate_matters(detail, catalogue)[["matter_id", "status", "completion_pct"]] if len(detail) else \
        pd.DataFrame(columns=["matter_id", "status", "completion_pct"])
    stored = results.set_index("matter_id")
    done = now[(now["status"] == COMPLETE) & ~now["matter_id"].isin(not_verified["matter_id"])]
    was = done["matter_id"].map(stored["completion_pct"]) if len(stored) else pd.Series(np.nan, index=done.index)
    was_status = done["matter_id"].map(stored["status"]) if len(stored) else pd.Series(None, index=done.index)
    stale = (was_status != COMPLETE) | ~np.isclose(was.astype(float), done["completion_pct"].astype(float))
    unscored = done.loc[stale, ["matter_id"]].assign(code="unscored", indicators="")
    out = pd.concat([not_verified, unscored], ignore_index=True)
    out["unit_name"] = out["matter_id"].map(names)
    return out[MISSING_COLUMNS].sort_values(["matter_id", "code"]).reset_index(drop=True)


def missing_words(missing: pd.DataFrame, round_id: str, lang: str | None = None) -> list[str]:
    return [t(f"ready_{m['code']}", lang, round_id=round_id, matter_id=m["matter_id"], unit=m["unit_name"],
              indicators=m["indicators"], n=len(m["indicators"].split("、")))
            for m in missing.to_dict("records")]


def readiness(archive: Archive, round_id: str, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """What is missing before feedback on ``round_id`` (see ``missing_before_feedback``)."""
    catalogue = catalogue or load_catalogue()
    run = archive.latest_run(round_id, "verified")
    scope = archive.round_matters(round_id)
    detail = indicator_detail(archive, round_id, catalogue)
    results = None if run is None else archive.results(run["run_id"])
    return missing_before_feedback(scope, detail, results, catalogue)


def require_ready(archive: Archive, round_id: str, action: str, catalogue: Catalogue | None = None,
                  lang: str | None = None) -> None:
    """Refuse (``NotReadyError``, nothing written) unless the round is finished."""
    words = missing_words(readiness(archive, round_id, catalogue), round_id, lang)
    if words:
        raise NotReadyError(t("err_not_ready", lang, round_id=round_id, action=t(f"action_{action}", lang),
                              count=len(words), missing="\n  ".join(words)), words)

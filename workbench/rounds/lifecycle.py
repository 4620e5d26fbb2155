"""Round-level operations: fetch from the archive, run the pure core, write back.

These are the calls the CLI, the widgets and the notebooks share, so each of them stays thin.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from workbench.archive import Archive, seals
from workbench.core import Catalogue, RoundSpec, make_round, select_matters, summarise_selection
from workbench.errors import StateError, WorkbenchError
from workbench.files import load_catalogue
from workbench.labels import t
from workbench.scoring import score_indicators, score_round


def create_round(
    archive: Archive,
    year: int,
    area: str,
    window_start: date | None = None,
    window_end: date | None = None,
    eval_date: date | None = None,
    created_by: str = "",
    team: str = "",
) -> RoundSpec:
    org = archive.organisation()
    spec = make_round(year, org.resolve_area(area), window_start, window_end, eval_date, areas=org.areas)
    archive.create_round(spec, created_by=created_by, team=team)
    return spec


def preview_selection(archive: Archive, round_id: str) -> pd.DataFrame:
    """Every matter of the archive judged against the round's scope (nothing saved)."""
    spec = archive.round_spec(round_id)
    return select_matters(archive.matters(), archive.units(), spec)


def select_round(archive: Archive, round_id: str, decided_by: str = "") -> dict[str, int]:
    """Put every eligible matter of the area in scope and save; returns the summary. A completed
    or sealed round keeps the scope it was evaluated on."""
    if archive.get_round(round_id)["status"] == "completed" or not archive.read(
            seals, seals.c.round_id == round_id).empty:
        raise StateError(t("err_select_closed", round_id=round_id))
    judged = preview_selection(archive, round_id)
    in_area = judged[judged["reason"] != "other_area"]
    scope = in_area.assign(included=in_area["eligible"])
    archive.save_selection(round_id, scope, decided_by=decided_by)
    return summarise_selection(scope[scope["included"]])


def round_weights(catalogue: Catalogue, weights: pd.Series | None) -> pd.Series:
    return catalogue.weights if weights is None else weights


def matters_in_scope(archive: Archive, round_id: str) -> pd.DataFrame:
    """``archive.round_matters``, refused while the round has no matters in scope."""
    matters = archive.round_matters(round_id)
    if matters.empty:
        raise WorkbenchError(
            f"{round_id}: 本轮尚无问效事项,请先运行 workbench select --round {round_id} / "
            f"no matters in scope yet; run `workbench select --round {round_id}` first"
        )
    return matters


def score_archived_round(
    archive: Archive,
    round_id: str,
    catalogue: Catalogue | None = None,
    source: str = "verified",
    weights: pd.Series | None = None,
    save: bool = True,
    computed_by: str = "",
    at: datetime | None = None,
) -> pd.DataFrame:
    """Score a round's matters from the current entries of ``source``; archive the run."""
    catalogue = catalogue or load_catalogue()
    weights = round_weights(catalogue, weights)
    matters = matters_in_scope(archive, round_id)
    current = archive.current_entries(round_id, source)
    table = score_round(matters, current, catalogue, weights)
    if save and not archive.read_only:
        archive.save_results(round_id, source, table, catalogue, weights, computed_by=computed_by, at=at)
    return table


def indicator_detail(
    archive: Archive,
    round_id: str,
    catalogue: Catalogue | None = None,
    source: str = "verified",
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Per matter × indicator: the value, fraction and points lost (for heat maps, feedback)."""
    catalogue = catalogue or load_catalogue()
    matters = archive.round_matters(round_id)
    current = archive.current_entries(round_id, source)
    return score_indicators(matters, current, catalogue, round_weights(catalogue, weights))


def load_detail(archive, round_ids: str | list[str], catalogue: Catalogue,
                source: str = "verified", weights: pd.Series | None = None) -> pd.DataFrame:
    """score_indicators output of one or more rounds, with a ``round_id`` column."""

    ids = [round_ids] if isinstance(round_ids, str) else list(round_ids)
    frames = [indicator_detail(archive, r, catalogue, source, weights).assign(round_id=r) for r in ids]
    return pd.concat(frames, ignore_index=True)

"""TODO."""

from .assessment import RoundScores, score_sources
from .lifecycle import (
    create_round,
    indicator_detail,
    load_detail,
    preview_selection,
    score_archived_round,
    select_round,
)

__all__ = [
    "RoundScores",
    "create_round",
    "indicator_detail",
    "load_detail",
    "preview_selection",
    "score_archived_round",
    "score_sources",
    "select_round",
]

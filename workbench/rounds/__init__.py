"""TODO."""

from .lifecycle import (
    create_round,
    indicator_detail,
    load_detail,
    preview_selection,
    score_archived_round,
    select_round,
)

__all__ = [
    "create_round",
    "indicator_detail",
    "load_detail",
    "preview_selection",
    "score_archived_round",
    "select_round",
]

"""Steps 1–5 of a round: create it, select its scope, survey and self-assessment, the step
tracker, scoring and the comprehensive assessment. Each call reads the archive, runs the core
and writes back.
"""

from .assessment import RoundScores, score_sources
from .implementation import import_dates, read_cycles, record_dates, record_matter_dates
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
    "import_dates",
    "indicator_detail",
    "load_detail",
    "preview_selection",
    "read_cycles",
    "record_dates",
    "record_matter_dates",
    "score_archived_round",
    "score_sources",
    "select_round",
]

"""One way to read a date: from a cell, a database value, a parameter or a command-line option.

A date arrives as a ``date``, a ``datetime``, a pandas ``Timestamp``, ISO text or a blank (None,
NaN, NaT, ""); every module reads it through ``as_date`` so that blanks and times are treated
alike everywhere.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd


def as_date(value: object) -> date | None:
    """The calendar date of ``value``, or None for a blank. Raises ValueError for text that is
    not an ISO date (YYYY-MM-DD, optionally with a time)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date) and not isinstance(value, pd.Timestamp):
        return value.date() if hasattr(value, "hour") else value
    if isinstance(value, str):  # ISO only: "2018/04/15" or "9/30" are refused, not guessed
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            return datetime.fromisoformat(text).date()
    if pd.isna(value):
        return None
    return pd.Timestamp(value).date()

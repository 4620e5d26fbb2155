"""One way to read a date: from a cell, a database value, a parameter or a command-line option.

A date arrives as a ``date``, a ``datetime``, a pandas ``Timestamp``, ISO text or a blank (None,
NaN, NaT, ""); every module reads it through ``as_date`` so that blanks and times are treated
alike everywhere.
"""

from __future__ import annotations

from datetime import date

import pandas as pd


def as_date(value: object) -> date | None:
    """The calendar date of ``value``, or None for a blank. Raises ValueError for text that is
    not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date) and not isinstance(value, pd.Timestamp):
        return value.date() if hasattr(value, "hour") else value
    if not isinstance(value, str) and pd.isna(value):
        return None
    return pd.Timestamp(value).date()

"""Registry of indicator kinds: how a typed result becomes a number, and a number a fraction.

Each kind turns a column of raw results (strings as typed by a unit or officer) into a parsed
value, and a parsed value into the fraction of the indicator's weight earned. Both steps are
vectorised over pandas Series; a kind is added by adding one entry to ``KINDS``.
Parsed values are floats; NaN with status ``na`` / ``missing`` / ``invalid`` says why there is
no value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

STATUS_VALUE, STATUS_NA, STATUS_MISSING, STATUS_INVALID = "value", "na", "missing", "invalid"


def normalise(raw: pd.Series) -> pd.Series:
    """Strip, lowercase and turn blanks/None/NaN into <NA>, keeping numbers as their text."""
    text = raw.astype("string").str.strip()
    # Excel hands whole numbers over as floats: 1.0 must read as "1" (a yes/no word too).
    text = text.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)
    return text.mask(text.isna() | (text == "") | (text.str.lower() == "nan")).str.lower()


@dataclass(frozen=True)
class Kind:
    name: str
    #: (normalised text, vocab) -> value (float, NaN where unparseable)
    parse: Callable[[pd.Series, Vocabulary], pd.Series]
    #: (value, target, over_limit_zero) -> fraction of weight in [0, 1]
    fraction: Callable[[pd.Series, pd.Series, pd.Series], pd.Series]
    error_key: str


@dataclass(frozen=True)
class Vocabulary:
    """The words a catalogue accepts: grade words → fraction, yes/no words, not-applicable words."""

    grades: dict[str, float]
    grade_words: tuple[str, ...]
    yes: frozenset[str]
    no: frozenset[str]
    na: frozenset[str]


def _parse_graded(text: pd.Series, vocab: Vocabulary) -> pd.Series:
    return text.map(vocab.grades).astype("float64")


def _parse_yes_no(text: pd.Series, vocab: Vocabulary) -> pd.Series:
    yes_no = {**{w: 1.0 for w in vocab.yes}, **{w: 0.0 for w in vocab.no}}
    return text.map(yes_no).astype("float64")


#: a measured ratio's magnitude limit: inf, nan and 1e309 would otherwise earn full points
RATIO_LIMIT = 1e6


def _parse_ratio(text: pd.Series, vocab: Vocabulary) -> pd.Series:
    value = pd.to_numeric(text, errors="coerce").astype("float64")
    return value.where(np.isfinite(value) & (value.abs() <= RATIO_LIMIT))


def _fraction_identity(value: pd.Series, target: pd.Series, over: pd.Series) -> pd.Series:
    return value


def _fraction_ratio(value: pd.Series, target: pd.Series, over: pd.Series) -> pd.Series:
    share = value / target
    # Over the limit means over-staffed / over-quota: a breach, not extra credit.
    return pd.Series(np.where(over & (share > 1), 0.0, np.minimum(share, 1.0)), index=value.index)


KINDS: dict[str, Kind] = {
    "graded": Kind("graded", _parse_graded, _fraction_identity, "err_bad_grade"),
    "yes_no": Kind("yes_no", _parse_yes_no, _fraction_identity, "err_bad_yes_no"),
    "ratio": Kind("ratio", _parse_ratio, _fraction_ratio, "err_bad_number"),
}


def parse_results(raw: pd.Series, kind: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    """Parse raw results of mixed kinds at once.

    Returns ``value`` (float) and ``status`` (value / na / missing / invalid / negative) aligned
    with ``raw``. Each kind parses only its own rows, so the work is one vectorised call per kind.
    """
    text = normalise(raw)
    value = pd.Series(np.nan, index=raw.index, dtype="float64")
    for name, k in KINDS.items():
        rows = kind == name
        if rows.any():
            value[rows] = k.parse(text[rows], vocab)
    status = pd.Series(STATUS_VALUE, index=raw.index, dtype="object")
    status[value.isna()] = STATUS_INVALID
    status[text.isin(vocab.na)] = STATUS_NA
    status[text.isna()] = STATUS_MISSING
    status[(status == STATUS_VALUE) & (value < 0)] = "negative"
    value[status != STATUS_VALUE] = np.nan
    return pd.DataFrame({"value": value, "status": status})

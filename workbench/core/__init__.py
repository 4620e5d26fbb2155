"""Pure maths and rules on DataFrames: the catalogue, scope selection, robustness, overtaking,
sensitivity, derived weights and the result-use rules. No database, files or widgets.
"""

from .catalogue import (
    CATEGORIES,
    CATEGORY_ALIASES,
    Catalogue,
    build_catalogue,
    content_hash,
    validate_weights,
    weights_hash,
)
from .derived_weights import CRITERIA, DEFAULT_CRITERIA, derive_weights, fit_summary, rebalance
from .implementation import CYCLES, MILESTONES, cycle_change, cycle_trend, implementation_cycles
from .kinds import KINDS, STATUS_INVALID, STATUS_NA, STATUS_VALUE, parse_results
from .overtaking import labelled as overtaking_labelled
from .overtaking import unit_pairs
from .robustness import analyse, compare_weights, draw_weights, run
from .rules import evaluate, item_states, reasons_in
from .score_matrices import build_inputs
from .selection import (
    RoundSpec,
    default_eval_date,
    default_window,
    make_round,
    make_round_id,
    parse_round_id,
    select_matters,
    summarise_selection,
)
from .sensitivity import removal_impact, sobol_indices

__all__ = [
    "CYCLES",
    "MILESTONES",
    "cycle_change",
    "cycle_trend",
    "implementation_cycles",
    "STATUS_INVALID",
    "STATUS_NA",
    "STATUS_VALUE",
    "CATEGORIES",
    "CATEGORY_ALIASES",
    "CRITERIA",
    "Catalogue",
    "DEFAULT_CRITERIA",
    "KINDS",
    "RoundSpec",
    "analyse",
    "build_catalogue",
    "build_inputs",
    "compare_weights",
    "content_hash",
    "default_eval_date",
    "default_window",
    "derive_weights",
    "draw_weights",
    "evaluate",
    "fit_summary",
    "item_states",
    "make_round",
    "make_round_id",
    "parse_results",
    "parse_round_id",
    "reasons_in",
    "rebalance",
    "removal_impact",
    "run",
    "select_matters",
    "sobol_indices",
    "summarise_selection",
    "overtaking_labelled",
    "unit_pairs",
    "validate_weights",
    "weights_hash",
]

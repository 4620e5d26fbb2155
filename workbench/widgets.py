"""The officers' forms, one call per step of a round: every notebook imports its form from here.

Each call opens the archive and returns a displayable ipywidgets form (``workbench.forms``): the
round's set-up and step tracker, the scope, the survey and self-assessment workbooks, on-site
verification, the comprehensive assessment, feedback and rectification, and county filing.
"""

from workbench.forms import (
    assessment,
    build_package,
    followup,
    overview,
    performance_table,
    receive,
    round_setup,
    selection,
    setup,
    status_table,
    survey,
    verification,
)

__all__ = [
    "setup", "round_setup", "selection", "survey", "verification", "assessment",
    "followup", "overview", "build_package", "receive", "status_table", "performance_table",
]

"""Steps 6–7 and result use: sealing, rectification, the result-use decisions, feedback letters,
the thematic report, the Excel summary and a unit's electronic archive.
"""

from .documents import issue_feedback
from .history import export_bundle, unit_history
from .letters import (
    TEMPLATE,
    check_template,
    cn_date,
    doc_no_placeholder,
    issue_letters,
    office_name,
    prepare_letters,
    read_letters,
    render_letter,
    safe_name,
)
from .rectification import draft_items, items_as_of, items_for_file
from .report_html import write_report
from .result_use import (
    assessment_results,
    decisions_table,
    dry_run,
    read_decisions,
    record_decisions,
    reject,
    sign_off,
)
from .sealing import check_seal, rescore, seal_of, seal_round, sealed_results

__all__ = [
    "TEMPLATE",
    "assessment_results",
    "check_seal",
    "check_template",
    "cn_date",
    "decisions_table",
    "doc_no_placeholder",
    "draft_items",
    "dry_run",
    "export_bundle",
    "unit_history",
    "issue_feedback",
    "issue_letters",
    "items_as_of",
    "items_for_file",
    "office_name",
    "prepare_letters",
    "read_decisions",
    "read_letters",
    "record_decisions",
    "reject",
    "render_letter",
    "safe_name",
    "seal_of",
    "rescore",
    "seal_round",
    "sealed_results",
    "sign_off",
    "write_report",
]

"""Steps 6–7 and result use: sealing, rectification, the result-use decisions, feedback letters,
the thematic report, the Excel summary and a unit's electronic archive.
"""

from .docnumbers import DocNumberError, read_register, ref_words, take_number
from .documents import issue_feedback
from .history import export_bundle, unit_history
from .letters import (
    TEMPLATE,
    LetterError,
    check_context,
    check_template,
    cn_date,
    cn_numeral_date,
    correct_letter,
    issue_letters,
    issued_letters,
    office_name,
    read_corrections,
    read_letters,
    record_letters,
    render_letter,
    safe_name,
)
from .readiness import NotReadyError, missing_words, readiness, require_ready
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
from .sealing import (
    amend_entries,
    check_seal,
    rescore,
    score_amended,
    seal_of,
    seal_round,
    sealed_results,
)

__all__ = [
    "DocNumberError",
    "LetterError",
    "NotReadyError",
    "TEMPLATE",
    "check_context",
    "cn_numeral_date",
    "correct_letter",
    "issued_letters",
    "missing_words",
    "read_corrections",
    "read_register",
    "ref_words",
    "readiness",
    "require_ready",
    "assessment_results",
    "check_seal",
    "check_template",
    "cn_date",
    "decisions_table",
    "draft_items",
    "dry_run",
    "export_bundle",
    "unit_history",
    "issue_feedback",
    "issue_letters",
    "items_as_of",
    "items_for_file",
    "office_name",
    "read_decisions",
    "read_letters",
    "record_letters",
    "record_decisions",
    "reject",
    "render_letter",
    "safe_name",
    "seal_of",
    "rescore",
    "score_amended",
    "amend_entries",
    "seal_round",
    "sealed_results",
    "sign_off",
    "take_number",
    "write_report",
]

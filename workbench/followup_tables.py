"""Archive tables of the follow-through (情况反馈 · 督促整改 · 结果运用).

Defined on ``workbench.archive.metadata`` and listed in ``archive.FEATURE_TABLES`` so every
archive creates them. Like entries and results they are append-mostly: an item's history is a
list of events, decisions keep their sign-off log, seals and amendments are never rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa

from .archive import metadata

ITEM_STATUSES = ("open", "done", "passed", "failed")  # stored; "overdue" is derived from the date

rectification_items = sa.Table(
    "rectification_items", metadata,
    sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False),
    sa.Column("matter_id", sa.String(40), sa.ForeignKey("matters.matter_id"), nullable=False),
    sa.Column("unit_id", sa.String(40), nullable=False),
    sa.Column("indicator_id", sa.String(10), nullable=False),
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("requirement", sa.Text, nullable=False),
    sa.Column("original_deadline", sa.Date, nullable=False),
    sa.Column("deadline", sa.Date, nullable=False),  # after approved extensions
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("created_by", sa.String(60)),
    sa.Column("created_on", sa.Date, nullable=False),
)

#: every change of an item, with the business date it happened on (``on_date``) and when it was typed
rectification_events = sa.Table(
    "rectification_events", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("rectification_items.item_id"), nullable=False),
    # created | done | extension_requested | extension_approved | extension_rejected
    # | recheck_passed | recheck_failed
    sa.Column("action", sa.String(24), nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("new_deadline", sa.Date),
    sa.Column("detail", sa.Text, default=""),
    sa.Column("run_id", sa.Integer),  # the result version a re-check produced
    sa.Column("by", sa.String(60)),
    sa.Column("at", sa.DateTime),
)

extension_requests = sa.Table(
    "extension_requests", metadata,
    sa.Column("request_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("rectification_items.item_id"), nullable=False),
    sa.Column("requested_deadline", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("requested_by", sa.String(60)),
    sa.Column("requested_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # pending | approved | rejected
    sa.Column("decided_by", sa.String(60)),
    sa.Column("decided_on", sa.Date),
    sa.Column("note", sa.Text, default=""),
)

decisions = sa.Table(
    "decisions", metadata,
    sa.Column("decision_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(120), nullable=False),  # rule|round|unit|matter: one live decision each
    sa.Column("rule", sa.String(20), nullable=False),  # proposal | suspension | lift | provenance
    sa.Column("round_id", sa.String(20)),
    sa.Column("unit_id", sa.String(40)),
    sa.Column("matter_id", sa.String(40)),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),  # JSON: the facts the rule used
    sa.Column("reason_text", sa.Text, nullable=False),  # the same, in words (zh)
    sa.Column("status", sa.String(10), nullable=False),  # draft | signed | rejected
    sa.Column("created_by", sa.String(60)),
    sa.Column("created_at", sa.DateTime),
    sa.Column("decided_by", sa.String(60)),
    sa.Column("decided_at", sa.DateTime),
    sa.Column("reject_reason", sa.Text),
)

decision_log = sa.Table(
    "decision_log", metadata,
    sa.Column("log_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.decision_id"), nullable=False),
    sa.Column("action", sa.String(12), nullable=False),  # drafted | signed | rejected
    sa.Column("by", sa.String(60)),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, default=""),
)

seals = sa.Table(
    "seals", metadata,
    sa.Column("seal_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False, unique=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("scoring_runs.run_id"), nullable=False),
    sa.Column("results_hash", sa.String(64), nullable=False),
    sa.Column("max_entry_id", sa.Integer, nullable=False),
    sa.Column("entries_hash", sa.String(64), nullable=False),
    sa.Column("sealed_by", sa.String(60)),
    sa.Column("sealed_at", sa.DateTime, nullable=False),
    sa.Column("feedback_issued_on", sa.Date, nullable=False),
)

amendments = sa.Table(
    "amendments", metadata,
    sa.Column("amendment_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False),
    sa.Column("old_run_id", sa.Integer, nullable=False),
    sa.Column("new_run_id", sa.Integer, sa.ForeignKey("scoring_runs.run_id"), nullable=False),
    sa.Column("results_hash", sa.String(64), nullable=False),
    sa.Column("max_entry_id", sa.Integer, nullable=False),
    sa.Column("entries_hash", sa.String(64), nullable=False),
    sa.Column("by", sa.String(60), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("why", sa.Text, nullable=False),
)

letters = sa.Table(
    "letters", metadata,
    sa.Column("letter_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False),
    sa.Column("unit_id", sa.String(40), sa.ForeignKey("units.unit_id"), nullable=False),
    sa.Column("doc_no", sa.String(80)),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("file_name", sa.String(200), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary),  # the .docx itself, so the archive keeps what was sent
    sa.Column("created_by", sa.String(60)),
    sa.Column("created_at", sa.DateTime),
)

"""Every table of the archive, declared once.

The storage layer knows its tables, never the features that use them: rounds, entries and
results; the round's steps and team; survey facts and evidence; the follow-through (items,
decisions, seals, amendments, letters); county filings. Results, entries, events and logs are
append-only: a change adds a row (a new version, an event, an amendment), it never rewrites one.
"""

from __future__ import annotations

import sqlalchemy as sa

SOURCES = ("self", "verified")


metadata = sa.MetaData()


organisation = sa.Table(
    # The office and the areas it oversees, as validated from its organisation.yaml
    # (``workbench init --org``). One row per recording; the latest is the organisation.
    "organisation", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document", sa.Text, nullable=False),  # the validated document, JSON
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("recorded_by", sa.String(80)),
)


organisation_areas = sa.Table(
    # The areas of the latest organisation, one row each (the own area first), for joins.
    "organisation_areas", metadata,
    sa.Column("area", sa.String(10), primary_key=True),  # the level word for the own area, else the code
    sa.Column("code", sa.String(6), nullable=False, unique=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("name_en", sa.String(80), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)


units = sa.Table(
    "units", metadata,
    sa.Column("unit_id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("level", sa.String(10), nullable=False),  # city | county
    sa.Column("county", sa.String(6)),  # division code for county-level units
    sa.Column("kind", sa.String(20)),
    sa.Column("approved_quota", sa.Integer),
    sa.Column("staff_in_post", sa.Integer),
    sa.Column("approved_leader_posts", sa.Integer),
    sa.Column("approved_sections", sa.Integer),
    # when the body existed (issue 12): a matter approved outside these dates is refused
    sa.Column("formed_on", sa.Date),  # NULL: existed before anything the archive holds
    sa.Column("dissolved_on", sa.Date),  # NULL: still exists
)


matters = sa.Table(
    "matters", metadata,
    sa.Column("matter_id", sa.String(40), primary_key=True),
    sa.Column("unit_id", sa.String(40), sa.ForeignKey("units.unit_id"), nullable=False),
    sa.Column("category", sa.String(10), nullable=False),
    sa.Column("approved_on", sa.Date, nullable=False),
    sa.Column("doc_no", sa.String(80)),
    sa.Column("summary", sa.Text),
)


rounds = sa.Table(
    "rounds", metadata,
    sa.Column("round_id", sa.String(20), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("area", sa.String(6), nullable=False),
    sa.Column("window_start", sa.Date, nullable=False),
    sa.Column("window_end", sa.Date, nullable=False),
    sa.Column("eval_date", sa.Date, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, default="open"),  # open | completed
    sa.Column("team", sa.Text, default=""),
    sa.Column("created_by", sa.String(60)),
    sa.Column("created_at", sa.DateTime),
)


round_matters = sa.Table(
    "round_matters", metadata,
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), primary_key=True),
    sa.Column("matter_id", sa.String(40), sa.ForeignKey("matters.matter_id"), primary_key=True),
    sa.Column("included", sa.Boolean, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False, default=False),
    sa.Column("reason", sa.Text, default=""),  # why excluded: a selection code or the officer's words
    sa.Column("decided_by", sa.String(60)),
    sa.Column("decided_at", sa.DateTime),
)


entries = sa.Table(
    "entries", metadata,
    sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False),
    sa.Column("matter_id", sa.String(40), sa.ForeignKey("matters.matter_id"), nullable=False),
    sa.Column("indicator_id", sa.String(10), nullable=False),
    sa.Column("source", sa.String(10), nullable=False),  # self | verified
    sa.Column("result", sa.String(40)),  # as typed; NULL = missing
    sa.Column("note", sa.Text, default=""),
    sa.Column("entered_by", sa.String(60)),
    sa.Column("entered_at", sa.DateTime),
    # The entry this one replaces (0: the first for its key). Unique per key, so two imports that
    # read the same current entry cannot both append after it: the database, not a check in
    # Python, keeps one file imported twice — even at the same moment — from adding anything.
    # NULL (rows written by the demo builder) is outside the constraint.
    sa.Column("supersedes", sa.Integer),
    sa.Index("ix_entries_key", "round_id", "matter_id", "indicator_id", "source"),
    sa.UniqueConstraint("round_id", "matter_id", "indicator_id", "source", "supersedes", name="uq_entries_chain"),
)


scoring_runs = sa.Table(
    "scoring_runs", metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False),
    sa.Column("source", sa.String(10), nullable=False),
    sa.Column("catalogue_hash", sa.String(64), nullable=False),
    sa.Column("weights_hash", sa.String(64), nullable=False),
    sa.Column("weights", sa.Text, nullable=False),  # JSON id → weight
    sa.Column("software_version", sa.String(20), nullable=False),
    sa.Column("computed_by", sa.String(60)),
    sa.Column("computed_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, default=""),
)


results = sa.Table(
    "results", metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("scoring_runs.run_id"), primary_key=True),
    sa.Column("matter_id", sa.String(40), sa.ForeignKey("matters.matter_id"), primary_key=True),
    sa.Column("unit_id", sa.String(40), nullable=False),
    sa.Column("category", sa.String(10), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("score", sa.Float),
    sa.Column("applicable_weight", sa.Float),
    sa.Column("completion_pct", sa.Float),
    sa.Column("band", sa.String(4)),
    sa.Column("rank_in_category", sa.Integer),
)


work_log = sa.Table(
    "work_log", metadata,
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), primary_key=True),
    sa.Column("documents", sa.Integer, nullable=False, default=0),
    sa.Column("questions", sa.Integer, nullable=False, default=0),
    sa.Column("items_verified", sa.Integer, nullable=False, default=0),
    sa.Column("suggestions", sa.Integer, nullable=False, default=0),
)


# ---------------------------------------------------------------- follow-through
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


amending = sa.Table(
    # While a transaction amends a sealed round it holds a row here and deletes it before it
    # commits, so no other transaction ever sees one: the database's triggers (``guard``) let
    # entries and verified scoring runs of a sealed round in only beside such a row.
    "amending", metadata,
    sa.Column("marker_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False),
)


matter_amendments = sa.Table(
    # A change to an archived matter's facts made on purpose (``import matters --amend``): the
    # value before and after, who, when and why. Without one, a changed matter is refused.
    "matter_amendments", metadata,
    sa.Column("amendment_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("matter_id", sa.String(40), sa.ForeignKey("matters.matter_id"), nullable=False),
    sa.Column("column", sa.String(40), nullable=False),
    sa.Column("old", sa.Text),
    sa.Column("new", sa.Text),
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


# ---------------------------------------------------------------- official documents (issue 12)
doc_numbers = sa.Table(
    # The 文号 register: one row per number given out, per format (e.g. 潍编办函〔{year}〕{n}号)
    # and year. A number is given once; ``ref`` says what it numbers (letter:ROUND:UNIT,
    # correction:LETTER_ID, filing:ROUND) so asking again for the same document finds it.
    "doc_numbers", metadata,
    sa.Column("number_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("format", sa.String(80), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("doc_no", sa.String(80), nullable=False, unique=True),
    sa.Column("ref", sa.String(120), nullable=False, unique=True),
    sa.Column("typed", sa.Boolean, nullable=False, default=False),  # typed by the officer, not the next free one
    sa.Column("by", sa.String(60)),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("format", "year", "n", name="uq_doc_numbers_n"),
)


letter_corrections = sa.Table(
    # A 更正函: the new letter (in ``letters``) that corrects an issued one, who, when and why.
    "letter_corrections", metadata,
    sa.Column("letter_id", sa.Integer, sa.ForeignKey("letters.letter_id"), primary_key=True),
    sa.Column("corrects_letter_id", sa.Integer, sa.ForeignKey("letters.letter_id"), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("by", sa.String(60), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
)


# ---------------------------------------------------------------- steps, team, survey, evidence
step_events = sa.Table(
    "step_events", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False),
    sa.Column("step", sa.String(12), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),  # close | reopen
    sa.Column("by", sa.String(60)),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, default=""),
)


round_team = sa.Table(
    "round_team", metadata,
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), primary_key=True),
    sa.Column("officer", sa.String(60), primary_key=True),
    sa.Column("unit_id", sa.String(40)),  # NULL: the staffing office itself
    sa.Column("role", sa.String(40), default=""),
)


evidence = sa.Table(
    "evidence", metadata,
    sa.Column("evidence_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), nullable=False),
    sa.Column("matter_id", sa.String(40), sa.ForeignKey("matters.matter_id"), nullable=False),
    sa.Column("indicator_id", sa.String(10), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("added_by", sa.String(60)),
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.Index("ix_evidence_matter", "round_id", "matter_id"),
)


survey_facts = sa.Table(
    "survey_facts", metadata,
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), primary_key=True),
    sa.Column("unit_id", sa.String(40), sa.ForeignKey("units.unit_id"), primary_key=True),
    sa.Column("fact", sa.String(20), primary_key=True),
    sa.Column("approved", sa.Integer),
    sa.Column("reported", sa.String(40)),
    sa.Column("note", sa.Text, default=""),
    sa.Column("entered_by", sa.String(60)),
    sa.Column("entered_at", sa.DateTime),
)


# ---------------------------------------------------------------- county filing
filings = sa.Table(
    "filings", metadata,
    sa.Column("filing_id", sa.Integer, primary_key=True, autoincrement=True),
    # no foreign key: a city archive apart from the county's need not hold the round itself
    sa.Column("round_id", sa.String(20), nullable=False, index=True),
    sa.Column("area", sa.String(6), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("eval_date", sa.Date, nullable=False),
    sa.Column("feedback_on", sa.Date),
    sa.Column("filed_on", sa.Date, nullable=False),
    sa.Column("filed_by", sa.String(60)),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("received_by", sa.String(60)),
    sa.Column("received_at", sa.DateTime, nullable=False),
    sa.Column("package_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("file_name", sa.String(200)),
    sa.Column("status", sa.String(10), nullable=False),  # received | flagged | rejected
    sa.Column("problems", sa.Text, default=""),  # one per line, zh
    sa.Column("manifest", sa.Text, nullable=False),
    # signed packages (issue 11): the key that signed it; package_sha256 is the content id (the
    # hash of the manifest's entry hashes), so the same files re-zipped count once
    sa.Column("key_id", sa.String(64)),
    sa.Column("receipt_gap_days", sa.Integer),  # received_on − filed_on (the 报备函's own date)
)


# ---------------------------------------------------------------- county filing keys (issue 11)
filing_keys = sa.Table(
    "filing_keys", metadata,
    # key_id: SHA-256 of the raw Ed25519 public key, as the package's manifest names it
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(6), nullable=False, index=True),
    sa.Column("public_key", sa.Text, nullable=False),  # PEM
    sa.Column("registered_by", sa.String(60), nullable=False),
    sa.Column("registered_at", sa.DateTime, nullable=False),
    sa.Column("revoked_by", sa.String(60)),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("revoke_reason", sa.Text),
)


# ---------------------------------------------------------------- shared deployment (issue 15)
# Who may sign in, where they work and what they are; on PostgreSQL each row has a login role of
# the same name and archive/access.py keys row-level security on it. SQLite has no roles: the
# single-user archive keeps this table empty.
USER_ROLES = ("officer", "leader", "admin")

users = sa.Table(
    "users", metadata,
    sa.Column("login", sa.String(60), primary_key=True),  # = the PostgreSQL role
    sa.Column("area", sa.String(10), nullable=False),  # the own area's level word ("city") or a code
    sa.Column("role", sa.String(10), nullable=False),  # officer | leader | admin
    sa.Column("unit_id", sa.String(40)),  # the unit the user belongs to: recused from verifying it
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_by", sa.String(60)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


audit = sa.Table(
    # Every change on a shared archive, written by PostgreSQL triggers (access.py): who (the
    # session's login), when, which table and key, before and after. Append-only.
    "audit", metadata,
    sa.Column("audit_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("by", sa.String(60), nullable=False),
    sa.Column("table_name", sa.String(40), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),  # INSERT | UPDATE | DELETE
    sa.Column("row_key", sa.Text, nullable=False),  # the primary key, JSON
    sa.Column("before", sa.Text),  # the row as JSON, NULL for an insert
    sa.Column("after", sa.Text),  # NULL for a delete
)


entry_versions = sa.Table(
    # One counter per round × matter × source, raised by every save of that matter's entries: a
    # form remembers the version it opened and a save that finds another one is refused (no lost
    # update), while saves of different matters touch different rows and never wait for each other.
    "entry_versions", metadata,
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id"), primary_key=True),
    sa.Column("matter_id", sa.String(40), sa.ForeignKey("matters.matter_id"), primary_key=True),
    sa.Column("source", sa.String(10), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)


# ---------------------------------------------------------------- implementation dates
# What the source measured of the evaluation's effect: when a matter was carried out. Recorded per
# matter in the on-site verification (or imported); one row per matter, a correction replaces it.
implementation = sa.Table(
    "implementation", metadata,
    sa.Column("matter_id", sa.String(40), sa.ForeignKey("matters.matter_id"), primary_key=True),
    sa.Column("round_id", sa.String(20), sa.ForeignKey("rounds.round_id")),
    sa.Column("staffed_on", sa.Date),  # 组建到位
    sa.Column("sections_on", sa.Date),  # 科室设置完成
    sa.Column("registered_on", sa.Date),  # 法人登记 / 变更登记
    sa.Column("entered_by", sa.String(60)),
    sa.Column("entered_at", sa.DateTime),
)

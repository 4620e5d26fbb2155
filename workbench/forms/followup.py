"""ipywidgets forms for feedback, rectification and result use (情况反馈 · 督促整改 · 结果运用).

Thin, like ``widgets``: each handler calls ``rectification``, ``documents``, ``sealing``,
``result_use`` or ``unit_history`` and shows the outcome; a library error becomes the form's
message and nothing of that action is saved. The notebook calls ``followup(db, round_id, lang,
officer)`` and displays the form: five tabs — items, progress, feedback, decisions, unit archive.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import ipywidgets as W
import pandas as pd

from workbench.archive import Archive
from workbench.dates import as_date
from workbench.errors import WorkbenchError
from workbench.followup import (
    check_seal,
    correct_letter,
    export_bundle,
    issue_feedback,
    missing_words,
    read_letters,
    readiness,
    seal_of,
)
from workbench.followup import rectification as R
from workbench.followup import result_use as U
from workbench.labels import column_labels, register, t
from workbench.paths import REPORTS_DIR
from workbench.views import html_table

from .base import Form, handler, open_archive, opened
from .names import Names

register({
    "fw_tab_items": {"zh": "整改事项", "en": "Items"},
    "fw_tab_progress": {"zh": "整改进度", "en": "Progress"},
    "fw_tab_feedback": {"zh": "情况反馈", "en": "Feedback"},
    "fw_tab_decisions": {"zh": "结果运用", "en": "Result use"},
    "fw_tab_archive": {"zh": "电子档案", "en": "Unit archive"},
    "fw_propose": {"zh": "从评定结果生成整改建议", "en": "Propose from the assessment"},
    "fw_confirm": {"zh": "确认所选整改事项", "en": "Confirm selected items"},
    "fw_confirmed": {"zh": "已确认 {n} 项整改事项", "en": "{n} item(s) confirmed"},
    "fw_proposed": {"zh": "共 {n} 项未得满分的指标,请选择需整改的事项", "en": "{n} indicators under full marks: pick the items"},
    "fw_on": {"zh": "日期", "en": "Date"},
    "fw_item": {"zh": "整改事项", "en": "Item"},
    "fw_done": {"zh": "登记整改完成", "en": "Record done"},
    "fw_pass": {"zh": "复查通过", "en": "Re-check passed"},
    "fw_fail": {"zh": "复查未通过", "en": "Re-check failed"},
    "fw_result": {"zh": "复查结果", "en": "Re-checked result"},
    "fw_new_deadline": {"zh": "申请新期限", "en": "New deadline"},
    "fw_reason": {"zh": "理由", "en": "Reason"},
    "fw_request": {"zh": "登记延期申请", "en": "Record extension request"},
    "fw_pending": {"zh": "待审批延期", "en": "Pending extension"},
    "fw_approve": {"zh": "批准延期", "en": "Approve"},
    "fw_reject_ext": {"zh": "不予延期", "en": "Refuse"},
    "fw_saved": {"zh": "已保存", "en": "saved"},
    "fw_done_ok": {"zh": "已登记整改完成({on})— {item}", "en": "recorded as done ({on}) — {item}"},
    "fw_rechecked": {"zh": "已复查{outcome}({on}),结果重新评分(本轮第 {run} 版)— {item}",
                     "en": "re-checked: {outcome} ({on}); results re-scored (version {run} of the round) — {item}"},
    "fw_passed_word": {"zh": "通过", "en": "passed"}, "fw_failed_word": {"zh": "未通过", "en": "failed"},
    "fw_requested": {"zh": "已登记延期申请(至 {deadline})— {item}", "en": "extension to {deadline} requested — {item}"},
    "fw_approved": {"zh": "已批准延期(至 {deadline})— {item}", "en": "extension to {deadline} approved — {item}"},
    "fw_refused": {"zh": "不予延期(申请至 {deadline})— {item}", "en": "extension to {deadline} refused — {item}"},
    "fw_out_dir": {"zh": "输出目录", "en": "Output folder"},
    "fw_issue": {"zh": "发出情况反馈并封存结果", "en": "Issue feedback and seal"},
    "fw_issued": {"zh": "已生成 {n} 份反馈函,结果已封存", "en": "{n} letters written; results sealed"},
    "fw_check_seal": {"zh": "封存校验", "en": "Check the seal"},
    "fw_not_ready": {"zh": "本轮尚未完成,暂不能发出情况反馈。尚缺:", "en": "The round is not finished; feedback cannot go out yet. Missing:"},
    "fw_reprint": {"zh": "已发出的反馈函将按原文号、原日期重印", "en": "letters already issued are re-printed as issued"},
    "fw_correct_unit": {"zh": "更正函发往", "en": "Correct the letter to"},
    "fw_correct_reason": {"zh": "更正原因", "en": "Why"},
    "fw_doc_no": {"zh": "文号(可空)", "en": "Number (optional)"},
    "fw_correct": {"zh": "发出更正函", "en": "Issue corrected letter"},
    "fw_corrected": {"zh": "已生成更正函 {doc_no}:{path}", "en": "corrected letter {doc_no} written: {path}"},
    "fw_dry_run": {"zh": "试算(不保存)", "en": "Dry run (nothing saved)"},
    "fw_record": {"zh": "生成决定草案", "en": "Record as drafts"},
    "fw_recorded": {"zh": "新增 {n} 项决定草案", "en": "{n} draft decision(s) recorded"},
    "fw_draft": {"zh": "决定草案", "en": "Draft"},
    "fw_sign": {"zh": "签发", "en": "Sign off"},
    "fw_reject": {"zh": "驳回", "en": "Reject"},
    "fw_signed": {"zh": "决定 #{id} 已签发", "en": "decision #{id} signed off"},
    "fw_rejected": {"zh": "决定 #{id} 已驳回", "en": "decision #{id} rejected"},
    "fw_decision_named": {"zh": "{rule} · {unit}({unit_id})· 事项 {matter_id}",
                          "en": "{rule} · {unit} ({unit_id}) · matter {matter_id}"},
    "fw_pick_first": {"zh": "请先选择", "en": "pick one first"},
    "fw_draft_reasons": {"zh": "签发前请核对:{reasons}", "en": "Check before signing off: {reasons}"},
    "fw_export": {"zh": "导出电子档案", "en": "Export the archive"},
    "fw_exported": {"zh": "已导出:{path}", "en": "exported: {path}"},
})


def _picked(widget: W.ValueWidget):
    if widget.value is None:
        raise WorkbenchError(f"{t('fw_pick_first')}: {widget.description}")
    return widget.value


def _keep_pick(widget: W.Dropdown, options: list[tuple[str, object]]) -> None:
    """New options (labels change with states); the officer's pick stays where it was, or is
    cleared if it is gone: the selection never moves to another entry by itself."""
    before = widget.value
    widget.options = options
    widget.value = before if before in {v for _, v in options} else None


class FollowupForm(Form):
    """Items from the assessment → progress → feedback and seal → rule decisions → unit archive."""

    def __init__(self, archive: Archive, round_id: str, out_dir: str | None = None, today: date | None = None,
                 **kwargs):
        super().__init__(archive, round_id, **kwargs)
        self.today = today or date.today()
        self.proposals = pd.DataFrame()
        self.pending = pd.DataFrame()
        L = self.L
        # items
        self.propose_button = W.Button(description=L("fw_propose"), button_style="info")
        self.proposal_pick = W.SelectMultiple(options=[], rows=12, layout=W.Layout(width="95%"))
        self.deadline = W.DatePicker(description=L("deadline"))
        self.confirm_button = W.Button(description=L("fw_confirm"), button_style="primary")
        self.items_box = W.VBox([W.HBox([self.propose_button]), self.proposal_pick,
                                 W.HBox([self.deadline, self.confirm_button])])
        # progress
        self.as_of = W.DatePicker(description=L("as_of"), value=self.today)
        self.item_pick = W.Dropdown(description=L("fw_item"), options=[], layout=W.Layout(width="95%"))
        self.item_pick.add_class("fw-item-pick")
        self.on = W.DatePicker(description=L("fw_on"), value=self.today)
        self.result = W.Text(description=L("fw_result"))
        self.done_button = W.Button(description=L("fw_done"))
        self.pass_button = W.Button(description=L("fw_pass"), button_style="success")
        self.fail_button = W.Button(description=L("fw_fail"), button_style="danger")
        self.new_deadline = W.DatePicker(description=L("fw_new_deadline"))
        self.reason = W.Text(description=L("fw_reason"))
        self.request_button = W.Button(description=L("fw_request"))
        self.pending_pick = W.Dropdown(description=L("fw_pending"), options=[])
        self.approve_button = W.Button(description=L("fw_approve"), button_style="success")
        self.refuse_button = W.Button(description=L("fw_reject_ext"), button_style="warning")
        self.items_table = W.HTML()
        self.history_table = W.HTML()
        self.progress_box = W.VBox([
            self.as_of, self.items_table, self.item_pick, self.history_table, W.HBox([self.on, self.result]),
            W.HBox([self.done_button, self.pass_button, self.fail_button]),
            W.HBox([self.new_deadline, self.reason, self.request_button]),
            W.HBox([self.pending_pick, self.approve_button, self.refuse_button])])
        # feedback
        default_out = out_dir or str(REPORTS_DIR / round_id / "feedback")
        self.out_dir = W.Text(description=L("fw_out_dir"), value=default_out, layout=W.Layout(width="80%"))
        self.issued_on = W.DatePicker(description=L("fw_on"), value=self.today)
        self.issue_button = W.Button(description=L("fw_issue"), button_style="primary")
        self.seal_button = W.Button(description=L("fw_check_seal"))
        self.seal_info = W.HTML()
        self.missing_info = W.HTML()  # what is missing before feedback; the issue button waits for it
        self.correct_pick = W.Dropdown(description=L("fw_correct_unit"), options=[])
        self.correct_reason = W.Text(description=L("fw_correct_reason"), layout=W.Layout(width="60%"))
        self.correct_doc_no = W.Text(description=L("fw_doc_no"))
        self.correct_button = W.Button(description=L("fw_correct"), button_style="warning")
        self.feedback_box = W.VBox([self.out_dir, self.missing_info, W.HBox([self.issued_on, self.issue_button]),
                                    W.HBox([self.seal_button]), self.seal_info,
                                    W.HBox([self.correct_pick, self.correct_reason]),
                                    W.HBox([self.correct_doc_no, self.correct_button])])
        # decisions
        self.rules_as_of = W.DatePicker(description=L("as_of"), value=self.today)
        self.dry_button = W.Button(description=L("fw_dry_run"))
        self.record_button = W.Button(description=L("fw_record"), button_style="primary")
        self.draft_pick = W.Dropdown(description=L("fw_draft"), options=[], layout=W.Layout(width="95%"))
        self.draft_reasons = W.HTML()  # what the draft rests on, read before 签发
        self.reject_reason = W.Text(description=L("fw_reason"))
        self.sign_button = W.Button(description=L("fw_sign"), button_style="success")
        self.reject_button = W.Button(description=L("fw_reject"), button_style="danger")
        self.decisions_table = W.HTML()
        self.decisions_box = W.VBox([W.HBox([self.rules_as_of, self.dry_button, self.record_button]),
                                     self.decisions_table, self.draft_pick, self.draft_reasons,
                                     W.HBox([self.sign_button, self.reject_reason, self.reject_button])])
        # unit archive
        self.unit_pick = W.Dropdown(description=L("unit"), options=[])
        self.export_button = W.Button(description=L("fw_export"))
        self.archive_box = W.VBox([W.HBox([self.unit_pick, self.export_button])])

        for button, fn in [(self.propose_button, self._on_propose), (self.confirm_button, self._on_confirm),
                           (self.done_button, self._on_done), (self.pass_button, self._on_pass),
                           (self.fail_button, self._on_fail), (self.request_button, self._on_request),
                           (self.approve_button, self._on_approve), (self.refuse_button, self._on_refuse),
                           (self.issue_button, self._on_issue), (self.seal_button, self._on_seal_check),
                           (self.dry_button, self._on_dry_run), (self.record_button, self._on_record),
                           (self.sign_button, self._on_sign), (self.reject_button, self._on_reject),
                           (self.export_button, self._on_export), (self.correct_button, self._on_correct)]:
            button.on_click(fn)
        self.as_of.observe(lambda _: self._refresh(), "value")
        self.item_pick.observe(lambda _: self._show_history(), "value")
        self.draft_pick.observe(lambda _: self._show_draft(), "value")
        self.tabs = W.Tab(children=[self.items_box, self.progress_box, self.feedback_box, self.decisions_box,
                                    self.archive_box])
        for i, key in enumerate(("items", "progress", "feedback", "decisions", "archive")):
            self.tabs.set_title(i, L("fw_tab_" + key))
        self.children = [self.title(), self.message, self.tabs]
        self._refresh()

    # ------------------------------------------------------------------ display
    def _show(self, df: pd.DataFrame) -> pd.DataFrame:
        return df.rename(columns=column_labels(list(df.columns), self.lang))

    def _refresh(self) -> None:
        names = self.names = Names(self.archive, self.catalogue, self.lang)
        states = R.items_as_of(self.archive, self.as_of.value or self.today, self.round_id)
        cols = ["item_id", "unit_id", "matter_id", "indicator_id", "deadline", "state", "done_on"]
        # names, not codes: the unit, the matter by 文号 and category, the indicator by name
        shown = states[cols].assign(state=states["state"].map(lambda s: self.L(f"state_{s}")),
                                    unit_id=states["unit_id"].map(names.unit),
                                    matter_id=states["matter_id"].map(names.matter),
                                    indicator_id=states["indicator_id"].map(names.indicator)).rename(
            columns={"unit_id": "unit", "matter_id": "matter", "indicator_id": "indicator"})
        self.items_table.value = html_table(self._show(shown), self.lang, highlight=states["state"] == "overdue")
        _keep_pick(self.item_pick, [
            (names.label(r.unit_id, r.matter_id, r.indicator_id, r.deadline, self.L("state_" + r.state)), int(r.item_id))
            for r in states.itertuples()])
        pending = R.extension_requests_of(self.archive, states["item_id"], pending_only=True)
        self.pending = pending.set_index("request_id", drop=False) if len(pending) else pending
        items = states.set_index("item_id")
        _keep_pick(self.pending_pick, [
            (names.label(items.at[r.item_id, "unit_id"], items.at[r.item_id, "matter_id"],
                         items.at[r.item_id, "indicator_id"], r.requested_deadline, r.reason), int(r.request_id))
            for r in pending.itertuples()])
        drafts = U.read_decisions(self.archive, "draft")
        # A unit's drafts in the order they arose (a suspension before its lifting), each with its date.
        drafts = drafts[drafts["round_id"] == self.round_id].sort_values(["unit_id", "as_of", "decision_id"])
        self.drafts = drafts.set_index("decision_id", drop=False)
        _keep_pick(self.draft_pick, [
            (names.label(r.unit_id, r.matter_id, None, None, self.L("rule_" + r.rule), str(r.as_of)), int(r.decision_id))
            for r in drafts.itertuples()])
        units = self.archive.latest_results(self.round_id)["unit_id"].drop_duplicates().sort_values()
        _keep_pick(self.unit_pick, [(names.unit(u), u) for u in units])
        self._show_history()
        self._show_draft()
        seal = seal_of(self.archive, self.round_id)
        self.seal_info.value = "" if seal is None else html.escape(
            f"{self.L('fw_on')} {seal['feedback_issued_on']} · sha256 {seal['results_hash'][:16]}…")
        self._show_readiness(seal)

    def _show_readiness(self, seal: dict | None) -> None:
        """The list of what is missing (the same the CLI refuses with); nothing to issue until it is empty."""
        missing = [] if seal else missing_words(readiness(self.archive, self.round_id, self.catalogue),
                                                self.round_id, self.lang)
        self.issue_button.disabled = bool(missing)
        if missing:
            self.missing_info.value = (f"<b>{html.escape(self.L('fw_not_ready'))}</b><ul>"
                                       + "".join(f"<li>{html.escape(m)}</li>" for m in missing) + "</ul>")
        else:
            self.missing_info.value = html.escape(self.L("fw_reprint")) if seal else ""
        sent = read_letters(self.archive, self.round_id)
        names = self.archive.unit_names()
        _keep_pick(self.correct_pick, [(f"{names.get(u, u)} ({u})", u) for u in sent["unit_id"].drop_duplicates()])
        self.correct_button.disabled = sent.empty

    def _show_draft(self) -> None:
        """The picked draft's reasons (matter, score, deadline, dates), in words, before 签发."""
        if self.draft_pick.value is None or self.draft_pick.value not in self.drafts.index:
            self.draft_reasons.value = ""
            return
        row = U.decisions_table(self.drafts.loc[[self.draft_pick.value]], self.lang).iloc[0]
        self.draft_reasons.value = f'<p class="fw-draft-reasons">{html.escape(self.L("fw_draft_reasons", reasons=row["reason_text"]))}</p>'

    def _show_history(self) -> None:
        """The picked item's history: every step with its date and who did it."""
        if self.item_pick.value is None:
            self.history_table.value = ""
            return
        hist = R.history(self.archive, self.item_pick.value)[["on_date", "action", "new_deadline", "detail", "by"]]
        hist["action"] = hist["action"].map(lambda a: self.L(f"ev_{a}"))
        self.history_table.value = html_table(hist.rename(columns={"on_date": self.L("fw_on")}), self.lang)

    # ------------------------------------------------------------------ items
    @handler
    def _on_propose(self, _=None) -> None:
        self.proposals = R.propose_items(self.archive, self.round_id, self.catalogue, self.lang)
        names = Names(self.archive, self.catalogue, self.lang)
        self.proposal_pick.options = [(names.label(r.unit_id, r.matter_id, r.indicator_id, None, r.problem), i)
                                      for i, r in enumerate(self.proposals.itertuples())]
        if len(self.proposals):
            self.deadline.value = self.proposals["deadline"].iloc[0]
        self._ok(self.L("fw_proposed", n=len(self.proposals)))

    @handler
    def _on_confirm(self, _=None) -> None:
        chosen = self.proposals.iloc[list(self.proposal_pick.value)]
        ids = R.confirm_items(self.archive, self.round_id, chosen, by=self.officer, on=self.today,
                              deadline=_picked(self.deadline), catalogue=self.catalogue)
        self._refresh()
        self._ok(self.L("fw_confirmed", n=len(ids)))

    # ------------------------------------------------------------------ progress
    def _item_named(self, item_id: int) -> str:
        """The item an action is about, as the officer knows it: unit, matter, indicator, problem."""
        it = R.get_item(self.archive, item_id)
        return self.names.label(it["unit_id"], it["matter_id"], it["indicator_id"], None, it["problem"])

    @handler
    def _on_done(self, _=None) -> None:
        item_id, on = _picked(self.item_pick), _picked(self.on)
        R.mark_done(self.archive, item_id, on, self.officer, self.result.value)
        self._refresh()
        self._ok(self.L("fw_done_ok", on=on, item=self._item_named(item_id)))

    def _recheck(self, passed: bool) -> None:
        item_id, on = _picked(self.item_pick), _picked(self.on)
        run = R.recheck(self.archive, item_id, passed, on, self.officer,
                        result=self.result.value.strip() or None, catalogue=self.catalogue)
        self._refresh()
        self._ok(self.L("fw_rechecked", run=self.archive.run_version(run), on=on, item=self._item_named(item_id),
                        outcome=self.L("fw_passed_word" if passed else "fw_failed_word")))

    @handler
    def _on_pass(self, _=None) -> None:
        self._recheck(True)

    @handler
    def _on_fail(self, _=None) -> None:
        self._recheck(False)

    @handler
    def _on_request(self, _=None) -> None:
        item_id, deadline = _picked(self.item_pick), _picked(self.new_deadline)
        R.request_extension(self.archive, item_id, deadline, self.reason.value, self.officer, _picked(self.on))
        self._refresh()
        self._ok(self.L("fw_requested", deadline=deadline, item=self._item_named(item_id)))

    def _decide(self, approve: bool) -> None:
        request_id = _picked(self.pending_pick)
        req = self.pending.loc[request_id]
        R.decide_extension(self.archive, request_id, approve, self.officer, _picked(self.on),
                           *([] if approve else [self.reason.value]))
        self._refresh()
        self._ok(self.L("fw_approved" if approve else "fw_refused", deadline=req["requested_deadline"],
                        item=self._item_named(int(req["item_id"]))))

    @handler
    def _on_approve(self, _=None) -> None:
        self._decide(True)

    @handler
    def _on_refuse(self, _=None) -> None:
        self._decide(False)

    # ------------------------------------------------------------------ feedback
    @handler
    def _on_issue(self, _=None) -> None:
        out = issue_feedback(self.archive, self.round_id, Path(self.out_dir.value), _picked(self.issued_on),
                             self.officer, self.lang, self.catalogue)
        self._refresh()
        self._ok(self.L("fw_issued", n=len(out["letter"])), files=[p for paths in out.values() for p in paths])

    @handler
    def _on_correct(self, _=None) -> None:
        path = correct_letter(self.archive, self.round_id, self.correct_pick.value, self.correct_reason.value,
                              self.officer, Path(self.out_dir.value), _picked(self.issued_on),
                              self.correct_doc_no.value.strip() or None, self.catalogue)
        self._refresh()
        doc_no = read_letters(self.archive, self.round_id)["doc_no"].iloc[-1]
        self._ok(self.L("fw_corrected", doc_no=doc_no, path=path))

    @handler
    def _on_seal_check(self, _=None) -> None:
        report = check_seal(self.archive, self.round_id, self.lang)
        (self._ok if report.ok else self._fail)(report.message(self.lang))

    # ------------------------------------------------------------------ decisions
    def _table(self, df: pd.DataFrame) -> None:
        shown = U.decisions_table(df, self.lang)
        cols = [c for c in ["decision_id", "rule", "unit_id", "matter_id", "status", "reason_text"] if c in shown]
        self.decisions_table.value = html_table(self._show(shown[cols]), self.lang)

    @handler
    def _on_dry_run(self, _=None) -> None:
        found = U.dry_run(self.archive, _picked(self.rules_as_of), self.lang)
        self._table(found[found["round_id"] == self.round_id])

    @handler
    def _on_record(self, _=None) -> None:
        new = U.record_decisions(self.archive, _picked(self.rules_as_of), self.officer)
        self._table(new[new["round_id"] == self.round_id])
        self._refresh()
        self._ok(self.L("fw_recorded", n=len(new)))

    def _decision_named(self, decision_id: int) -> str:
        d = U.read_decisions(self.archive)
        d = d[d["decision_id"] == int(decision_id)].iloc[0]
        return self.L("fw_decision_named", rule=self.L("rule_" + d["rule"]), unit_id=d["unit_id"],
                      unit=self.archive.unit_names().get(d["unit_id"], d["unit_id"]), matter_id=d["matter_id"] or "—")

    @handler
    def _on_sign(self, _=None) -> None:
        decision_id = _picked(self.draft_pick)
        U.sign_off(self.archive, decision_id, self.officer)
        self._refresh()
        self._ok(self.L("fw_signed", id=decision_id) + " — " + self._decision_named(decision_id))

    @handler
    def _on_reject(self, _=None) -> None:
        decision_id = _picked(self.draft_pick)
        U.reject(self.archive, decision_id, self.officer, self.reject_reason.value)
        self._refresh()
        self._ok(self.L("fw_rejected", id=decision_id) + " — " + self._decision_named(decision_id))

    # ------------------------------------------------------------------ unit archive
    @handler
    def _on_export(self, _=None) -> None:
        path = Path(self.out_dir.value) / f"{self.unit_pick.value}-电子档案.zip"
        export_bundle(self.archive, _picked(self.unit_pick), path)
        self._ok(self.L("fw_exported", path=path.name), files=[path])




def followup(db: str | None, round_id: str, lang: str = "zh", officer: str = "", out_dir: str | None = None,
             today: date | str | None = None) -> W.Widget:
    return opened(lambda: FollowupForm(open_archive(db), round_id, lang=lang, officer=officer, out_dir=out_dir,
                                       today=as_date(today) or date.today()), lang)


def overview(db: str | None, round_id: str, as_of: date | str | None = None, lang: str = "zh"):
    """Where the round stands on ``as_of``: the seal, items by state, what the rules would decide."""
    archive, day = open_archive(db), as_date(as_of) or date.today()
    states = R.items_as_of(archive, day, round_id)
    counts = states["state"].value_counts()
    table = pd.DataFrame([{t(f"state_{s}", lang): int(counts.get(s, 0))
                           for s in ("open", "overdue", "done", "passed", "failed")}])
    found = U.dry_run(archive, day, lang)
    found = found[found["round_id"] == round_id]
    shown = U.decisions_table(found, lang)[["rule", "unit_id", "matter_id", "reason_text"]]
    from IPython.display import HTML

    return HTML(f"<h4>{html.escape(round_id)} · {html.escape(t('as_of', lang))} {day}</h4>"
                  f"<p>{html.escape(check_seal(archive, round_id, lang).message(lang))}</p>"
                  + html_table(table, lang) + "<br>"
                  + html_table(shown.rename(columns=column_labels(list(shown.columns), lang)), lang))

"""The on-site verification form (现场核查): one matter at a time, one row per indicator.

Each row offers the control its kind needs (grade drop-down, number, yes/no) and a
not-applicable toggle, shows the unit's self-assessed value beside it and takes an evidence note.
The matter's completion % and band are recomputed by the scoring core on every change; saving
writes verified entries under the officer's name, after checking that the officer is on the team
and does not belong to the unit (回避). Evidence files and the round's work-log counters are kept
here too. The matter picker lists at most ``MAX_OPTIONS`` matches of a search, never the archive.
"""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from workbench.archive import AccessDenied, Archive, implementation, signed_in_user
from workbench.archive import evidence as ev
from workbench.core import MILESTONES, STATUS_INVALID, parse_results
from workbench.errors import ConflictError, WorkbenchError
from workbench.followup import amend_verified, seal_of
from workbench.labels import register, t
from workbench.rounds import record_matter_dates, steps
from workbench.scoring import COMPLETE, score_round
from workbench.views import html_table

from .base import Form, handler, open_archive, opened
from .names import Names

register({
    "wt_impl_title": {"zh": "落实情况日期(组建到位、科室设置完成、法人登记)",
                      "en": "Implementation dates (staffed, sections set up, legal-person registration)"},
    "wt_save_dates": {"zh": "保存落实日期", "en": "Save the dates"},
    "wt_dates_saved": {"zh": "已保存 {matter} 的落实日期", "en": "dates of {matter} saved"},
    "wt_search": {"zh": "查找事项", "en": "Find matter"},
    "wt_search_hint": {"zh": "编号、单位或摘要", "en": "id, unit or summary"},
    "wt_only_open": {"zh": "仅未核查完的", "en": "only not fully verified"},
    "wt_matches": {"zh": "匹配 {n} 项,列出前 {shown} 项", "en": "{n} match(es), first {shown} listed"},
    "wt_na": {"zh": "不适用", "en": "n/a"},
    "wt_self_value": {"zh": "自评:{value}", "en": "self: {value}"},
    "wt_evidence_note": {"zh": "核查说明", "en": "evidence note"},
    "wt_live": {"zh": "当前完成百分比:{pct}% · 等次:{band}", "en": "Completion now: {pct}% · band {band}"},
    "wt_live_incomplete": {"zh": "尚有 {n} 项指标未填写,暂无结果", "en": "{n} indicator(s) still empty: no result yet"},
    "wt_save_verified": {"zh": "保存核查结果", "en": "Save verification"},
    "wt_saved_entries": {"zh": "{officer} 已保存 {n} 条核查结果", "en": "{n} verified entries saved by {officer}"},
    "wt_nothing_changed": {"zh": "没有改动,未保存", "en": "nothing changed, nothing saved"},
    "wt_bad_value": {"zh": "{indicator} 填写的“{value}”{why}", "en": "{indicator}: “{value}” {why}"},
    "wt_live_bad": {"zh": "{problems},暂无结果", "en": "{problems}: no result yet"},
    "wt_over_limit": {"zh": "超过上限,按违规计 0 分", "en": "over the limit: counted as a breach, 0 points"},
    "wt_live_over_limit": {"zh": "{indicator} 为 {value},超过上限,按违规计 0 分",
                           "en": "{indicator} is {value}, over the limit: counted as a breach, 0 points"},
    "wt_attach": {"zh": "上传佐证", "en": "Attach"},
    "wt_attached": {"zh": "已上传 {n} 个佐证文件", "en": "{n} evidence file(s) attached"},
    "wt_work_log": {"zh": "现场核查工作量", "en": "On-site work log"},
    "wt_documents": {"zh": "调阅文件", "en": "Documents read"},
    "wt_questions": {"zh": "询问问题", "en": "Questions asked"},
    "wt_items_verified": {"zh": "核实事项", "en": "Items verified"},
    "wt_suggestions": {"zh": "征求意见建议", "en": "Suggestions"},
    "wt_save_log": {"zh": "保存工作量", "en": "Save work log"},
    "wt_log_saved": {"zh": "工作量已保存", "en": "work log saved"},
    "wt_no_matter": {"zh": "请先选择事项", "en": "choose a matter first"},
    "wt_officer_local": {"zh": "经办人(单机版)", "en": "Officer (single-user)"},
})

MAX_OPTIONS = 50
MAX_INDICATORS = 12
WORK_LOG = ("documents", "questions", "items_verified", "suggestions")


class _IndicatorRow:
    """One indicator line; holds a control of every kind and shows the one its kind needs."""

    def __init__(self, form: VerificationForm):
        self.indicator_id: str | None = None
        self.kind = ""
        self.na_words = form.catalogue.vocab.na
        words = list(form.catalogue.vocab.grade_words)
        self.name = W.HTML(layout=W.Layout(width="300px"))
        self.graded = W.Dropdown(options=[("—", "")] + [(w, w) for w in words], layout=W.Layout(width="120px"))
        self.yes_no = W.Dropdown(options=[("—", ""), ("是", "是"), ("否", "否")], layout=W.Layout(width="120px"))
        self.ratio = W.Text(placeholder="0.85", layout=W.Layout(width="120px"))
        self.na = W.Checkbox(description=form.L("wt_na"), indent=False, layout=W.Layout(width="80px"))
        self.self_value = W.HTML(layout=W.Layout(width="150px"))
        self.note = W.Text(placeholder=form.L("wt_evidence_note"), layout=W.Layout(width="240px"))
        self.flag = W.HTML()
        self.flag.add_class("wt-flag")
        self.box = W.HBox([self.name, self.graded, self.yes_no, self.ratio, self.flag, self.na, self.self_value,
                           self.note])
        for w, css in ((self.box, "wt-indicator-row"), (self.graded, "wt-graded"), (self.yes_no, "wt-yes-no"),
                       (self.ratio, "wt-ratio"), (self.na, "wt-na")):
            w.add_class(css)
        for w in (self.graded, self.yes_no, self.ratio, self.na):
            w.observe(form._on_value_change, "value")

    @property
    def control(self) -> W.ValueWidget:
        return {"graded": self.graded, "yes_no": self.yes_no, "ratio": self.ratio}[self.kind]

    def bind(self, ind: dict | None, current: str | None, note: str, own: str | None, lang: str) -> None:
        self.box.layout.display = "none" if ind is None else ""
        self.indicator_id = None if ind is None else ind["indicator_id"]
        if ind is None:
            return
        self.kind = ind["kind"]
        self.flag.value = ""
        name = ind["name_en"] if lang == "en" else ind["name_zh"]
        self.name.value = (f"<b>{html.escape(self.indicator_id)}</b> {html.escape(name)} "
                           f"<small>({int(ind['weight'])})</small>")
        for kind, w in (("graded", self.graded), ("yes_no", self.yes_no), ("ratio", self.ratio)):
            w.layout.display = "" if kind == self.kind else "none"
            w.value = ""
        is_na = current is not None and current.strip().lower() in self.na_words
        self.na.value = is_na
        if current is not None and not is_na:
            options = {v for _, v in getattr(self.control, "options", [])}
            if self.kind == "ratio" or current in options:
                self.control.value = current
        self.control.disabled = is_na
        self.note.value = note or ""
        self.self_value.value = html.escape(t("wt_self_value", lang, value=own or "—"))

    def result(self) -> str | None:
        if self.indicator_id is None:
            return None
        if self.na.value:
            return "不适用"
        value = str(self.control.value or "").strip()
        return value or None


class VerificationForm(Form):
    """现场核查: pick a matter, enter what was verified, see the score move, save."""

    def __init__(self, archive: Archive, round_id: str, matter_id: str | None = None, **kwargs):
        super().__init__(archive, round_id, **kwargs)
        self.matters = archive.round_matters(round_id).set_index("matter_id", drop=False)
        self.names = Names(archive, self.catalogue, self.lang)
        self.search = W.Text(placeholder=self.L("wt_search_hint"), description=self.L("wt_search"))
        self.only_open = W.Checkbox(description=self.L("wt_only_open"), indent=False)
        self.matches = W.HTML()
        self.matter = W.Dropdown(description=self.L("matter"), layout=W.Layout(width="560px"))
        # Signed in to a shared archive, the officer is the database login: no drop-down (the
        # database records and checks who saves). Single-user SQLite keeps the team drop-down.
        self.signed_in = signed_in_user(archive)
        team = [self.signed_in] if self.signed_in else steps.team(archive, round_id)["officer"].tolist()
        self.officer_pick = W.Dropdown(options=team, description=self.L("wt_officer_local"),
                                       value=self.officer if self.officer in team else team[0] if self.signed_in else None)
        if self.signed_in:
            self.officer_pick.layout.display = "none"
        self._opened_version = 0
        self.header = W.HTML()
        self.rows = [_IndicatorRow(self) for _ in range(MAX_INDICATORS)]
        self.live = W.HTML()
        # A sealed round's results change only by amendment: its save needs a reason and records one.
        self.sealed = seal_of(archive, round_id) is not None
        self.reason = self.reason_field(self.sealed)
        self.save_button = W.Button(description=self.L("wt_save_verified"), button_style="primary")
        self.save_button.on_click(self._on_save)
        self.save_button.add_class("wt-save")
        self.live.add_class("wt-live")
        self.ev_indicator = W.Dropdown(description=self.L("indicator"), layout=W.Layout(width="520px"))
        self.ev_upload = W.FileUpload(multiple=True, description=self.L("wt_evidence"))
        self.ev_button = W.Button(description=self.L("wt_attach"))
        self.ev_button.on_click(self._on_attach)
        self.ev_list = W.HTML()
        log = archive.work_log(round_id)
        self.work_log = {k: W.BoundedIntText(value=log[k], min=0, max=1_000_000, description=self.L("wt_" + k),
                                        style={"description_width": "initial"}) for k in WORK_LOG}
        self.work_log_button = W.Button(description=self.L("wt_save_log"))
        # when the matter was carried out: the source measures the evaluation's effect by it
        self.dates = {m: W.DatePicker(description=self.L(m), style={"description_width": "initial"})
                      for m in MILESTONES}
        self.dates_button = W.Button(description=self.L("wt_save_dates"), layout=W.Layout(width="auto"))
        self.dates_button.on_click(self._on_save_dates)
        self.work_log_button.on_click(self._on_save_log)
        self._binding = False
        self.search.observe(self._on_search, "value")
        self.only_open.observe(self._on_search, "value")
        self.matter.observe(self._on_pick, "value")
        self.children = [
            self.title(), W.HBox([self.search, self.only_open]), self.matches,
            W.HBox([self.matter, self.officer_pick]), self.header, *[r.box for r in self.rows],
            self.live, self.reason, self.save_button, self.message,
            W.HTML(f"<h4>{html.escape(self.L('wt_impl_title'))}</h4>"),
            W.HBox(list(self.dates.values()), layout=W.Layout(flex_flow="row wrap")), self.dates_button,
            W.HTML(f"<h4>{html.escape(self.L('wt_evidence'))}</h4>"),
            W.HBox([self.ev_indicator, self.ev_upload, self.ev_button]), self.ev_list,
            W.HTML(f"<h4>{html.escape(self.L('wt_work_log'))}</h4>"),
            W.HBox(list(self.work_log.values())), self.work_log_button,
        ]
        self._on_search()
        if matter_id and matter_id in self.matters.index:
            self.matter.options = [(self._label(matter_id), matter_id)]
            self.matter.value = matter_id

    # ------------------------------------------------------------------ picking a matter
    def _label(self, mid: str) -> str:
        return self.names.label(self.matters.at[mid, "unit_id"], mid)

    def _open_matters(self) -> set[str]:
        cur = self.archive.current_entries(self.round_id, "verified")
        table = score_round(self.matters.reset_index(drop=True), cur, self.catalogue)
        return set(table.loc[table["status"] != COMPLETE, "matter_id"])

    def _on_search(self, _=None) -> None:
        m = self.matters
        q = self.search.value.strip()
        if q:
            hay = m["matter_id"] + " " + m["unit_name"] + " " + m["summary"].fillna("")
            m = m[hay.str.contains(q, case=False, regex=False)]
        if self.only_open.value:
            m = m[m["matter_id"].isin(self._open_matters())]
        ids = list(m["matter_id"][:MAX_OPTIONS])
        self.matches.value = f"<small>{html.escape(self.L('wt_matches', n=len(m), shown=len(ids)))}</small>"
        keep = self.matter.value if self.matter.value in ids else (ids[0] if ids else None)
        self.matter.options = [(self._label(i), i) for i in ids]
        self.matter.value = keep
        self._on_pick()

    def _on_pick(self, _=None) -> None:
        mid = self.matter.value
        inds = [] if mid is None else self.catalogue.indicators_of(self.matters.at[mid, "category"]).to_dict("records")
        cur = self._current(mid, "verified")
        own = self._current(mid, "self")
        self._binding = True
        try:
            for i, row in enumerate(self.rows):
                ind = inds[i] if i < len(inds) else None
                iid = ind["indicator_id"] if ind else None
                row.bind(ind, cur.get(iid, (None, ""))[0], cur.get(iid, (None, ""))[1],
                         own.get(iid, (None, ""))[0], self.lang)
        finally:
            self._binding = False
        if mid is None:
            self.header.value = ""
        else:
            m = self.matters.loc[mid]
            self.header.value = (f"<p><b>{html.escape(mid)}</b> {html.escape(str(m['unit_name']))} · "
                                 f"{html.escape(str(m['approved_on']))} · {html.escape(str(m['doc_no'] or ''))}"
                                 f"<br>{html.escape(str(m['summary'] or ''))}</p>")
        self.ev_indicator.options = [(f"{d['indicator_id']} {d['name_en' if self.lang == 'en' else 'name_zh']}",
                                      d["indicator_id"]) for d in inds]
        self.ev_indicator.value = inds[0]["indicator_id"] if inds else None
        self._opened_version = 0 if mid is None else self.archive.entry_version(self.round_id, mid)
        self._refresh_live()
        self._refresh_evidence()
        self._show_dates(mid)

    def _current(self, mid: str | None, source: str) -> dict[str, tuple[str | None, str]]:
        if mid is None:
            return {}
        cur = self.archive.current_entries(self.round_id, source)
        cur = cur[cur["matter_id"] == mid]
        return {r["indicator_id"]: (r["result"], r["note"] or "") for r in cur.to_dict("records")}

    # -------------------------------------------------------------------------- values
    def entries(self) -> pd.DataFrame:
        """What the form holds now: matter_id, indicator_id, result, note (blank rows too)."""
        rows = [r for r in self.rows if r.indicator_id]
        return pd.DataFrame({
            "matter_id": self.matter.value, "indicator_id": [r.indicator_id for r in rows],
            "result": [r.result() for r in rows], "note": [r.note.value.strip() for r in rows],
            "kind": [r.kind for r in rows]}, columns=["matter_id", "indicator_id", "result", "note", "kind"])

    def _on_value_change(self, change=None) -> None:
        if self._binding:
            return
        for r in self.rows:
            if r.indicator_id:
                r.control.disabled = bool(r.na.value)
        self._refresh_live()

    def _refresh_live(self) -> None:
        mid = self.matter.value
        if mid is None:
            self.live.value = ""
            return
        e = self.entries()
        table = score_round(self.matters.loc[[mid]].reset_index(drop=True), e, self.catalogue)
        rec = table.iloc[0]
        over = self._flag_over_limit()
        bad = self.problems()
        if rec["status"] == COMPLETE:
            text = self.L("wt_live", pct=f"{rec['completion_pct']:.2f}",
                          band=self.catalogue.band_name(rec["band"], self.lang))
        elif bad:  # name the value that cannot be read, not a count of "empty" rows
            text = self.L("wt_live_bad", problems=";".join(bad))
        else:
            text = self.L("wt_live_incomplete", n=int(e["result"].isna().sum()) or 1)
        lines = [text] + [self.L("wt_live_over_limit", indicator=iid, value=v) for iid, v in over]
        self.live.value = "".join(f"<p style='font-size:15px'><b>{html.escape(x)}</b></p>" for x in lines)

    def _flag_over_limit(self) -> list[tuple[str, str]]:
        """Mark, beside its value, each ratio over a limit that counts as a breach (scores 0)."""
        ind = self.catalogue.indicators
        out = []
        for r in self.rows:
            r.flag.value = ""
            if not r.indicator_id or r.kind != "ratio" or r.na.value:
                continue
            value = pd.to_numeric(str(r.ratio.value or "").strip(), errors="coerce")
            limit = ind.at[r.indicator_id, "target"]
            if bool(ind.at[r.indicator_id, "over_limit_zero"]) and pd.notna(value) and value / limit > 1:
                r.flag.value = f"<span style='color:#c00'>⚠ {html.escape(self.L('wt_over_limit'))}</span>"
                out.append((r.indicator_id, str(r.ratio.value).strip()))
        return out

    def problems(self) -> list[str]:
        """Values the scoring core cannot read (a word where a number belongs, a negative ratio)."""
        e = self.entries()
        parsed = parse_results(e["result"], e["kind"], self.catalogue.vocab)
        words = "、".join(self.catalogue.vocab.grade_words) + "、不适用"
        why = {"graded": self.L("err_bad_grade", options=words), "yes_no": self.L("err_bad_yes_no"),
               "ratio": self.L("err_bad_number")}
        out = []
        for i, status in parsed["status"].items():
            if status == STATUS_INVALID:
                out.append(self.L("wt_bad_value", indicator=e.at[i, "indicator_id"], value=e.at[i, "result"],
                                  why=why[e.at[i, "kind"]]))
            elif status == "negative":
                out.append(self.L("wt_bad_value", indicator=e.at[i, "indicator_id"], value=e.at[i, "result"],
                                  why=self.L("err_negative")))
        return out

    @handler
    def _on_save(self, _=None) -> None:
        mid = self.matter.value
        if mid is None:
            raise WorkbenchError(self.L("wt_no_matter"))
        officer = self._check_officer(mid)
        why = self.amend_reason() if self.sealed else ""
        bad = self.problems()
        if bad:
            raise WorkbenchError(";".join(bad))
        e = self.entries()
        e = e[e["result"].notna() | (e["note"] != "")].drop(columns="kind")
        amendment = None
        try:
            if self.sealed:  # entries, new version and amendment: one transaction
                n, amendment = amend_verified(self.archive, self.round_id, e, self.catalogue, officer, why,
                                              expected={mid: self._opened_version}, lang=self.lang)
            else:
                n = self.archive.add_entries(e.assign(round_id=self.round_id, source="verified"),
                                             entered_by=officer, expected={mid: self._opened_version},
                                             lang=self.lang)
        except ConflictError:
            # The message names both values; what is on screen stays, and saving again now
            # (knowingly) replaces the other officer's values.
            self._opened_version = self.archive.entry_version(self.round_id, mid)
            raise
        except AccessDenied as exc:
            raise WorkbenchError(exc.text(self.lang)) from None
        self._opened_version = self.archive.entry_version(self.round_id, mid)
        # the same values again are not a save: no new version, nobody else is told of one
        if amendment is not None:
            self.reason.value = ""  # the next correction says its own why
            self._ok(self.L("wt_saved_entries", officer=officer, n=n) + " · " + self.amended(amendment))
        else:
            self._ok(self.L("wt_saved_entries", officer=officer, n=n) if n else self.L("wt_nothing_changed"))

    def _check_officer(self, mid: str) -> str:
        """Who saves. Signed in, the database decides (area, recusal) and records the login."""
        if self.signed_in:
            return self.signed_in
        officer = self.officer_pick.value or ""
        steps.check_officer(self.archive, self.round_id, officer, self.matters.at[mid, "unit_id"], self.lang)
        return officer

    # ----------------------------------------------------------------- implementation dates
    def _show_dates(self, mid: str | None) -> None:
        row = {} if mid is None else next(iter(self.archive.read(
            implementation, implementation.c.matter_id == mid).to_dict("records")), {})
        for m, picker in self.dates.items():
            picker.value = row.get(m) if row.get(m) is not None and not pd.isna(row.get(m)) else None

    @handler
    def _on_save_dates(self, _=None) -> None:
        mid = self.matter.value
        if mid is None:
            raise WorkbenchError(self.L("wt_no_matter"))
        record_matter_dates(self.archive, self.round_id, mid, self.signed_in or self.officer_pick.value or self.officer, self.lang,
                            **{m: w.value for m, w in self.dates.items()})
        self._ok(self.L("wt_dates_saved", matter=mid))

    # ----------------------------------------------------------------- evidence, work log
    def _refresh_evidence(self) -> None:
        mid = self.matter.value
        if mid is None:
            self.ev_list.value = ""
            return
        files = ev.list_evidence(self.archive, self.round_id, mid)
        shown = pd.DataFrame({
            self.L("indicator_id"): files["indicator_id"], self.L("wt_evidence_file"): files["filename"],
            "SHA-256": files["sha256"].str[:12], self.L("wt_evidence_added_by"): files["added_by"],
            self.L("wt_evidence_added_at"): files["added_at"]})
        self.ev_list.value = html_table(shown, self.lang)

    @handler
    def _on_attach(self, _=None) -> None:
        mid, iid = self.matter.value, self.ev_indicator.value
        if mid is None or iid is None:
            raise WorkbenchError(self.L("wt_no_matter"))
        officer = self._check_officer(mid)
        files = list(self.ev_upload.value)
        for f in files:
            ev.add_evidence(self.archive, self.round_id, mid, iid, f["name"], bytes(f["content"]),
                            added_by=officer, lang=self.lang)
        self.ev_upload.value = ()
        self._ok(self.L("wt_attached", n=len(files)))
        self._refresh_evidence()

    @handler
    def _on_save_log(self, _=None) -> None:
        self.archive.set_work_log(self.round_id, **{k: w.value for k, w in self.work_log.items()})
        self._ok(self.L("wt_log_saved"))


def verification(db: str | None, round_id: str, lang: str = "zh", officer: str = "",
                 matter_id: str | None = None):

    return opened(lambda: VerificationForm(open_archive(db), round_id, lang=lang, officer=officer,
                                           matter_id=matter_id), lang)

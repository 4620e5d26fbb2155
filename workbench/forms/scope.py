"""Forms for choosing a round's matters (问效范围) and for the survey / self-assessment workbooks.

The selection form keeps the whole scope in one DataFrame and shows it a page at a time through
a fixed pool of row widgets, so a 5,000-matter archive costs the same widgets as a 20-matter one.
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import ipywidgets as W
import pandas as pd

from workbench.archive import Archive
from workbench.core import summarise_selection
from workbench.errors import WorkbenchError
from workbench.labels import register
from workbench.paths import REPORTS_DIR
from workbench.rounds import preview_selection
from workbench.rounds import survey as sv
from workbench.views import html_table

from .base import Form, handler, open_archive, opened

register({
    "wt_all": {"zh": "全部", "en": "all"},
    "wt_late_only": {"zh": "仅超期", "en": "late only"},
    "wt_show_ineligible": {"zh": "显示不符合条件的事项", "en": "show ineligible matters"},
    "wt_include": {"zh": "纳入", "en": "include"},
    "wt_reason_hint": {"zh": "不纳入的原因(必填)", "en": "why excluded (required)"},
    "wt_page": {"zh": "第 {page}/{pages} 页,共 {n} 项", "en": "page {page} of {pages}, {n} matters"},
    "wt_prev": {"zh": "上一页", "en": "Previous"},
    "wt_next": {"zh": "下一页", "en": "Next"},
    "wt_save_selection": {"zh": "保存问效范围", "en": "Save the selection"},
    "wt_scope_summary": {
        "zh": "拟纳入问效:{units} 个被问效对象、{matters} 个问效事项(其中超期 {late} 项)",
        "en": "In scope: {units} units, {matters} matters ({late} late)",
    },
    "wt_reason_missing": {
        "zh": "{n} 个符合条件的事项未纳入但没有填写原因:{ids}",
        "en": "{n} eligible matter(s) excluded without a reason: {ids}",
    },
    "wt_selection_saved": {"zh": "问效范围已保存:{matters} 个事项", "en": "selection saved: {matters} matters"},
    "wt_export": {"zh": "导出本单位调查表", "en": "Export this unit's workbook"},
    "wt_export_all": {"zh": "导出全部单位", "en": "Export every unit"},
    "wt_exported": {"zh": "已导出 {n} 个文件,点击下方链接下载(服务器上另存于 {folder})",
                    "en": "{n} file(s) exported: download below (also kept on the server in {folder})"},
    "wt_upload": {"zh": "上传填好的调查表", "en": "Upload filled-in workbooks"},
    "wt_path": {"zh": "或文件路径", "en": "or file path"},
    "wt_import": {"zh": "导入", "en": "Import"},
    "wt_nothing_to_import": {"zh": "请先上传文件或填写路径", "en": "upload a file or give a path first"},
})

PAGE_SIZE = 15
CATEGORY_KEYS = ("establish", "change", "merge", "abolish")


class _Row:
    """One on-screen line of the selection list, re-bound to another matter on each page."""

    def __init__(self, form: SelectionForm):
        self.matter_id: str | None = None
        self.include = W.Checkbox(description=form.L("wt_include"), indent=False,
                                  layout=W.Layout(width="90px"))
        self.info = W.HTML(layout=W.Layout(width="640px"))
        self.reason = W.Text(placeholder=form.L("wt_reason_hint"), layout=W.Layout(width="260px"))
        self.box = W.HBox([self.include, self.info, self.reason])
        self.include.observe(lambda ch: form._on_row_change(self, "included", ch["new"]), "value")
        self.reason.observe(lambda ch: form._on_row_change(self, "officer_reason", ch["new"]), "value")


class SelectionForm(Form):
    """调查摸底 prep: the eligible matters, filtered and paged; include/exclude with a reason."""

    def __init__(self, archive: Archive, round_id: str, **kwargs):
        super().__init__(archive, round_id, **kwargs)
        self.scope = self._load()
        units = self.scope.drop_duplicates("unit_id").sort_values("unit_id")
        self.category = W.Dropdown(options=[(self.L("wt_all"), "")] + [
            (self.catalogue.category_name(c, self.lang), c) for c in CATEGORY_KEYS],
            description=self.L("category"))
        self.unit = W.Dropdown(options=[(self.L("wt_all"), "")] + list(
            zip(units["unit_name"], units["unit_id"], strict=True)), description=self.L("unit"))
        self.late_only = W.Checkbox(description=self.L("wt_late_only"), indent=False)
        self.show_ineligible = W.Checkbox(description=self.L("wt_show_ineligible"), indent=False)
        for w in (self.category, self.unit, self.late_only, self.show_ineligible):
            w.observe(self._on_filter, "value")
        self.page = 0
        self.page_label = W.HTML()
        self.prev_button = W.Button(description=self.L("wt_prev"))
        self.next_button = W.Button(description=self.L("wt_next"))
        self.prev_button.on_click(lambda _: self._turn(-1))
        self.next_button.on_click(lambda _: self._turn(1))
        self.summary = W.HTML()
        self.save_button = W.Button(description=self.L("wt_save_selection"), button_style="primary")
        self.save_button.on_click(self._on_save)
        self._binding = False
        self.rows = [_Row(self) for _ in range(PAGE_SIZE)]
        self.children = [
            self.title(), W.HBox([self.category, self.unit]), W.HBox([self.late_only, self.show_ineligible]),
            *[r.box for r in self.rows], W.HBox([self.prev_button, self.page_label, self.next_button]),
            self.summary, self.save_button, self.message,
        ]
        self._show()

    def _load(self) -> pd.DataFrame:
        judged = preview_selection(self.archive, self.round_id)
        judged = judged[judged["reason"] != "other_area"].copy()
        names = self.archive.unit_names()
        judged["unit_name"] = judged["unit_id"].map(names)
        saved = self.archive.selection(self.round_id).set_index("matter_id")
        judged["included"] = judged["eligible"]
        judged["officer_reason"] = ""
        if len(saved):
            known = judged["matter_id"].isin(saved.index)
            judged.loc[known, "included"] = judged.loc[known, "matter_id"].map(saved["included"]).astype(bool) \
                & judged.loc[known, "eligible"]
            words = judged["matter_id"].map(saved["reason"]).fillna("")
            judged.loc[known & judged["eligible"], "officer_reason"] = words
        return judged.sort_values("matter_id").reset_index(drop=True)

    def visible(self) -> pd.DataFrame:
        """The matters that pass the filters (all pages)."""
        s = self.scope
        mask = pd.Series(True, index=s.index)
        if self.category.value:
            mask &= s["category"] == self.category.value
        if self.unit.value:
            mask &= s["unit_id"] == self.unit.value
        if self.late_only.value:
            mask &= s["late"]
        if not self.show_ineligible.value:
            mask &= s["eligible"]
        return s[mask]

    def _show(self) -> None:
        vis = self.visible()
        pages = max(1, -(-len(vis) // PAGE_SIZE))
        self.page = min(max(self.page, 0), pages - 1)
        chunk = vis.iloc[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE]
        self._binding = True
        try:
            for row, rec in zip(self.rows, list(chunk.to_dict("records")) + [None] * PAGE_SIZE, strict=False):
                row.box.layout.display = "none" if rec is None else ""
                row.matter_id = None if rec is None else rec["matter_id"]
                if rec is None:
                    continue
                row.include.value = bool(rec["included"])
                row.include.disabled = not rec["eligible"]
                row.reason.value = rec["officer_reason"] or ""
                row.reason.disabled = not rec["eligible"] or bool(rec["included"])
                row.info.value = self._describe(rec)
        finally:
            self._binding = False
        self.page_label.value = "&nbsp;" + html.escape(self.L("wt_page", page=self.page + 1, pages=pages,
                                                              n=len(vis))) + "&nbsp;"
        chosen = self.scope[self.scope["included"]]
        self.summary.value = "<b>" + html.escape(self.L("wt_scope_summary", **summarise_selection(
            chosen.drop(columns=["eligible"])))) + "</b>"

    def _describe(self, rec: dict) -> str:
        # names, not codes: the unit, the 文号 and category, the approval date, what the matter is
        parts = [rec["unit_name"], f'{rec.get("doc_no") or rec["matter_id"]} '
                 f'{self.catalogue.category_name(rec["category"], self.lang)}',
                 str(rec["approved_on"]), rec.get("summary") or ""]
        text = " · ".join(html.escape(str(p)) for p in parts)
        if rec["late"]:
            text += f' <b style="color:#c62828">[{html.escape(self.L("late"))}]</b>'
        if not rec["eligible"]:
            text += f' <i>({html.escape(self.L("reason_" + rec["reason"]))})</i>'
        return text

    def _turn(self, step: int) -> None:
        self.page += step
        self._show()

    def _on_filter(self, _=None) -> None:
        self.page = 0
        self._show()

    def _on_row_change(self, row: _Row, column: str, value) -> None:
        if self._binding or row.matter_id is None:
            return
        idx = self.scope.index[self.scope["matter_id"] == row.matter_id][0]
        self.scope.at[idx, column] = value
        if column == "included":
            row.reason.disabled = bool(value)
            self._show()

    def set_included(self, matter_id: str, included: bool, reason: str = "") -> None:
        """What a click and a typed reason do, for scripts that know the matter id."""
        idx = self.scope.index[self.scope["matter_id"] == matter_id][0]
        self.scope.loc[idx, ["included", "officer_reason"]] = [bool(included), reason]
        self._show()

    @handler
    def _on_save(self, _=None) -> None:
        s = self.scope
        unexplained = s[s["eligible"] & ~s["included"] & (s["officer_reason"].str.strip() == "")]
        if len(unexplained):
            ids = list(unexplained["matter_id"])
            raise WorkbenchError(self.L("wt_reason_missing", n=len(ids),
                                        ids="、".join(ids[:10]) + ("…" if len(ids) > 10 else "")))
        reason = s["reason"].where(~s["eligible"], s["officer_reason"].str.strip().where(~s["included"], ""))
        n = self.archive.save_selection(self.round_id, s.assign(reason=reason), decided_by=self.officer)
        self._ok(self.L("wt_selection_saved", matters=n))


class SurveyForm(Form):
    """调查摸底 / 自评自查: a workbook per unit out, filled-in workbooks back, the statistics table."""

    def __init__(self, archive: Archive, round_id: str, out_dir: str | Path | None = None, **kwargs):
        super().__init__(archive, round_id, **kwargs)
        self.out_dir = Path(out_dir) if out_dir else REPORTS_DIR / "survey" / round_id
        units = sv.round_units(archive, round_id)
        self.unit = W.Dropdown(options=list(zip(units["unit_name"], units["unit_id"], strict=True)),
                               description=self.L("unit"))
        self.export_button = W.Button(description=self.L("wt_export"), button_style="primary")
        self.export_all_button = W.Button(description=self.L("wt_export_all"))
        self.export_button.on_click(self._on_export)
        self.export_all_button.on_click(self._on_export_all)
        self.upload = W.FileUpload(accept=".xlsx", multiple=True, description=self.L("wt_upload"))
        self.path = W.Text(description=self.L("wt_path"), layout=W.Layout(width="480px"))
        self.import_button = W.Button(description=self.L("wt_import"), button_style="success")
        self.import_button.on_click(self._on_import)
        self.stats = W.HTML()
        self.exported: list[Path] = []
        self.children = [self.title(), W.HBox([self.unit, self.export_button, self.export_all_button]),
                         W.HBox([self.upload, self.path, self.import_button]), self.message, self.stats]
        self._refresh()

    def _refresh(self) -> None:
        stats = sv.survey_statistics(self.archive, self.round_id, self.catalogue, self.lang)
        heads = {c: self.L("wt_fact_" + c.removeprefix("reported_")) for c in stats if c.startswith("reported_")}
        heads.update({"self_done": self.L("wt_self_done"), "self_needed": self.L("wt_self_needed"),
                      "unit_name": self.L("unit_name"), "unit_id": self.L("unit_id"),
                      "matters": self.L("matters_count")})
        self.stats.value = f"<h4>{html.escape(self.L('wt_sheet_facts'))}</h4>" + html_table(
            stats.rename(columns=heads), self.lang)

    def _export(self, unit_ids: list[str]) -> None:
        self.exported = [sv.export_survey(self.archive, self.round_id, u, self.out_dir / f"{u}.xlsx",
                                          self.catalogue, self.lang) for u in unit_ids]
        self._ok(self.L("wt_exported", n=len(self.exported), folder=str(self.out_dir)), files=self.exported)

    @handler
    def _on_export(self, _=None) -> None:
        self._export([self.unit.value])

    @handler
    def _on_export_all(self, _=None) -> None:
        self._export([u for _, u in self.unit.options])

    @handler
    def _on_import(self, _=None) -> None:
        files = [(f["name"], bytes(f["content"])) for f in self.upload.value]
        if not files and self.path.value.strip():
            p = Path(self.path.value.strip())
            files = [(p.name, p.read_bytes() if p.exists() else b"")]
            if not p.exists():
                raise WorkbenchError(f"{p}: {self.L('err_file_missing')}")
        if not files:
            raise WorkbenchError(self.L("wt_nothing_to_import"))
        reports = []
        with tempfile.TemporaryDirectory() as tmp:
            for name, content in files:
                target = Path(tmp) / Path(name).name
                target.write_bytes(content)
                # One file is checked against the chosen unit; several each carry their own.
                unit = self.unit.value if len(files) == 1 else None
                r = sv.import_survey(self.archive, target, self.round_id, unit, self.catalogue,
                                     entered_by=self.officer, lang=self.lang)
                reports.append(self.L("wt_imported", file=name, entries=r["entries"], facts=r["facts"]))
        self.upload.value = ()
        self._ok(";".join(reports))
        self._refresh()


def selection(db: str | None, round_id: str, lang: str = "zh", officer: str = ""):

    return opened(lambda: SelectionForm(open_archive(db), round_id, lang=lang, officer=officer), lang)



def survey(db: str | None, round_id: str, lang: str = "zh", officer: str = "", out_dir: str | None = None):

    return opened(lambda: SurveyForm(open_archive(db), round_id, lang=lang, officer=officer, out_dir=out_dir), lang)

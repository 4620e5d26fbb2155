"""What ``notebooks/07_county_filing.ipynb`` calls: one function per step, each opening the
archive, calling ``workbench.filing`` and returning something to show.
Errors the user can fix are shown as a sentence, not a traceback."""

from __future__ import annotations

import html
import io
import zipfile
from datetime import date
from pathlib import Path

import ipywidgets as W
import pandas as pd

from workbench.archive import Archive
from workbench.core import parse_round_id
from workbench.dates import as_date
from workbench.errors import WorkbenchError
from workbench.filing import (
    build_filing_package,
    county_performance,
    default_key_path,
    filing_status,
    labelled,
    package_bytes,
    receive_filing,
    receive_package,
)
from workbench.labels import register, t
from workbench.organisation import is_subordinate
from workbench.paths import REPORTS_DIR
from workbench.views import html_table

from .base import Form, handler
from .files import uploaded

register({
    "fl_build": {"zh": "生成报备包", "en": "Build the filing package"},
    "fl_upload": {"zh": "选择县级报备包", "en": "Choose a county's package"},
    "fl_receive": {"zh": "接收报备", "en": "Receive"},
    "fl_built": {"zh": "{round_id} 报备包已生成({files} 个文件),请下载后报市编办",
                 "en": "{round_id}: package built ({files} files); download it and send it to the city"},
    "fl_nothing": {"zh": "请先选择报备包文件", "en": "choose a package file first"},
    "fl_status": {"zh": "各县报备情况", "en": "Filing status of the counties"},
    "fl_performance": {"zh": "县级绩效评价得分", "en": "Counties' performance points"},
})


def build_package(db: str, round_id: str, officer: str, filed_on: str | None = None,
                  out_dir: str | None = None, lang: str = "zh", key: str | None = None) -> Path | None:
    """County side: write the round's filing package, signed with the county's private key ``key``
    (default: ``keys/AREA.key`` beside the archive, where the demo keeps it); prints where it went
    (or why not)."""
    out = Path(out_dir or REPORTS_DIR / "filings") / f"{round_id}_报备.zip"
    try:
        archive = Archive(db or None)
        key = key or default_key_path(archive, parse_round_id(round_id)[1])
        path = build_filing_package(archive, round_id, out, officer, as_date(filed_on), key=key)
    except WorkbenchError as exc:
        print(exc)
        return None
    with zipfile.ZipFile(path) as z:
        print(t("filing_written", lang, round_id=round_id, path=path, files=len(z.namelist())))
    return path


def receive(db: str, path: Path | None, officer: str, received_on: str | None = None, lang: str = "zh") -> dict | None:
    """City side: check and record the package; prints the outcome and anything flagged."""
    if path is None:
        return None
    try:
        row = receive_filing(Archive(db or None), path, officer, as_date(received_on))
    except WorkbenchError as exc:
        print(exc)
        return None
    key = "filing_received" if row["new"] else "filing_already"
    print(t(key, lang, round_id=row["round_id"], filing_id=row["filing_id"], received_on=row["received_on"],
            status=t(f"filing_{row['status']}_word", lang)))
    for line in filter(None, (row["problems"] or "").split("\n")):
        print(f"  ! {line}")
    return row


def status_table(db: str, round_id: str, lang: str = "zh", as_of: str | None = None) -> pd.DataFrame:
    """The filing status of every county round of the round's year."""
    year, _ = parse_round_id(round_id)
    archive = Archive(db or None, read_only=True)
    df = filing_status(archive, year, as_date(as_of))
    return labelled(df.drop(columns="problems"), lang, archive.organisation()).drop(columns=t("filing_col_area", lang))


def performance_table(db: str, round_id: str, lang: str = "zh", as_of: str | None = None) -> pd.DataFrame:
    """The counties' performance points for the round's year."""
    year, _ = parse_round_id(round_id)
    archive = Archive(db or None, read_only=True)
    return labelled(county_performance(archive, year, as_date(as_of)), lang, archive.organisation())


class FilingForm(Form):
    """县级报备 in the page: a county builds and downloads its package; the city uploads and
    receives packages and sees every county's status. Dates come from ``on`` (the app's picker)."""

    def __init__(self, archive: Archive, round_id: str, on: date | None = None, **kwargs):
        super().__init__(archive, round_id, **kwargs)
        self.on = on or date.today()
        _, area = parse_round_id(round_id)
        self.build_button = W.Button(description=self.L("fl_build"), button_style="primary",
                                     layout=W.Layout(width="auto"))
        self.build_button.on_click(self._on_build)
        self.upload = W.FileUpload(accept=".zip", multiple=True, description=self.L("fl_upload"),
                                   layout=W.Layout(width="auto"))
        self.receive_button = W.Button(description=self.L("fl_receive"), button_style="primary",
                                       layout=W.Layout(width="auto"))
        self.receive_button.on_click(self._on_receive)
        self.tables = W.HTML()
        action = (W.HBox([self.build_button]) if is_subordinate(area)
                  else W.HBox([self.upload, self.receive_button]))
        self.children = [self.title(), action, self.message, self.tables]
        self._refresh()

    def _refresh(self) -> None:
        year, _ = parse_round_id(self.round_id)
        org = self.archive.organisation()
        status = filing_status(self.archive, year, self.on).drop(columns="problems")
        status = labelled(status, self.lang, org).drop(columns=t("filing_col_area", self.lang))
        points = labelled(county_performance(self.archive, year, self.on), self.lang, org)
        self.tables.value = (f"<h4>{html.escape(self.L('fl_status'))}</h4>" + html_table(status, self.lang)
                             + f"<h4>{html.escape(self.L('fl_performance'))}</h4>" + html_table(points, self.lang))

    @handler
    def _on_build(self, _=None) -> None:
        name = f"{self.round_id}_报备.zip"
        # signed with the county office's key kept beside its archive (``workbench keys new``)
        key = default_key_path(self.archive, parse_round_id(self.round_id)[1])
        data = package_bytes(self.archive, self.round_id, self.officer, self.on, self.catalogue, name, key)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            n = len(z.namelist())
        self._ok(self.L("fl_built", round_id=self.round_id, files=n), files=[(name, data)])

    @handler
    def _on_receive(self, _=None) -> None:
        files = uploaded(self.upload)
        if not files:
            raise WorkbenchError(self.L("fl_nothing"))
        said = []
        for name, data in files:
            row = receive_package(self.archive, data, name, self.officer, self.on, self.catalogue)
            key = "filing_received" if row["new"] else "filing_already"
            said.append(t(key, self.lang, round_id=row["round_id"], filing_id=row["filing_id"],
                          received_on=row["received_on"], status=t(f"filing_{row['status']}_word", self.lang)))
            said += [f"! {line}" for line in filter(None, (row["problems"] or "").split("\n"))]
        self.upload.value = ()
        self._refresh()
        self._ok(";".join(said))

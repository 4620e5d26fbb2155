"""The electronic archive of one unit (电子档案): everything the office ever recorded about it.

``unit_history`` returns the unit's rounds, every version of every result of its matters (with
each version's provenance), the letters sent, the rectification items and their events, and the
result-use decisions with their sign-off log. ``export_bundle`` writes it as one zip — a CSV per
table (UTF-8 with BOM, for Excel), the letters as sent, and a manifest with SHA-256 of each file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pandas as pd

from workbench import __version__
from workbench.archive import Archive, decision_log, now, rectification_events, results
from workbench.errors import NotFoundError
from workbench.files import csv_bytes
from workbench.labels import default_lang, localise, localise_keys, register, t
from workbench.paths import atomic_write

from .letters import read_letters, safe_name
from .rectification import read_items
from .result_use import decisions_table, read_decisions

register({
    "history_rounds": {"zh": "问效轮次", "en": "Rounds"},
    "history_results": {"zh": "问效结果(全部版本)", "en": "Results (every version)"},
    "history_letters": {"zh": "反馈函", "en": "Letters sent"},
    "history_items": {"zh": "整改事项", "en": "Rectification items"},
    "history_events": {"zh": "整改过程记录", "en": "Rectification history"},
    "history_decisions": {"zh": "结果运用决定", "en": "Decisions"},
    "history_log": {"zh": "签发记录", "en": "Sign-off log"},
    "err_unknown_unit_id": {"zh": "单位 {unit_id} 不存在", "en": "unit {unit_id} does not exist"},
    "bundle_written": {"zh": "{unit}的电子档案已导出:{path}", "en": "archive of {unit} exported to {path}"},
})

SECTIONS = ("rounds", "results", "letters", "items", "events", "decisions", "log")


def unit_history(archive: Archive, unit_id: str) -> dict[str, pd.DataFrame | dict]:
    units = archive.units().set_index("unit_id", drop=False)
    if unit_id not in units.index:
        raise NotFoundError(t("err_unknown_unit_id", unit_id=unit_id))
    runs = archive.scoring_runs()
    res = archive.read(results, results.c.unit_id == unit_id)
    res = res.merge(runs[["run_id", "round_id", "source", "catalogue_hash", "weights_hash", "software_version",
                          "computed_by", "computed_at", "note"]], on="run_id")
    # the version within the round (1, 2, 3…), as every form, letter and report shows it
    res["version"] = res["run_id"].map(archive.run_versions()).astype(int)
    rounds = archive.rounds()
    rounds = rounds[rounds["round_id"].isin(set(res["round_id"]))]
    items = read_items(archive, unit_id=unit_id)
    events = archive.read(rectification_events, rectification_events.c.item_id.in_([int(i) for i in items["item_id"]]),
                          order_by=rectification_events.c.event_id)
    decisions = read_decisions(archive, unit_id=unit_id)
    log = archive.read(decision_log, decision_log.c.decision_id.in_([int(i) for i in decisions["decision_id"]]))
    return {
        "unit": units.loc[unit_id].to_dict(),
        "rounds": rounds.reset_index(drop=True),
        "results": res.sort_values(["round_id", "matter_id", "source", "run_id"]).reset_index(drop=True),
        "letters": read_letters(archive, unit_id=unit_id),
        "items": items, "events": events, "decisions": decisions, "log": log,
    }


def export_bundle(archive: Archive, unit_id: str, path: Path, lang: str | None = None) -> Path:
    """Write the unit's whole history as one zip (CSV per section, letters, manifest), for people
    to read: headers, codes and the manifest's keys in the user's language."""
    hist = unit_history(archive, unit_id)
    hist["decisions"] = decisions_table(hist["decisions"], lang or default_lang())
    files: dict[str, bytes] = {}
    for name in SECTIONS:
        files[f"{name}.csv"] = csv_bytes(localise(hist[name], lang))
    for rec in read_letters(archive, unit_id=unit_id, with_content=True).to_dict("records"):
        files[f"letters/{rec['letter_id']}_{safe_name(rec['file_name'])}"] = bytes(rec["content"])
    unit = {k: (None if pd.isna(v) else v) for k, v in localise(pd.DataFrame([hist["unit"]]), lang).iloc[0].items()}
    manifest = {"unit": unit, "exported_at": now().isoformat(), "software_version": __version__,
                "archive": repr(archive), "counts": {n: len(hist[n]) for n in SECTIONS},
                "sha256": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(localise_keys(manifest, lang), ensure_ascii=False, indent=2,
                                               default=str))
        for name, data in sorted(files.items()):
            z.writestr(name, data)
    return atomic_write(path, buf.getvalue())





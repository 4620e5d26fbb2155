"""The shape a filing package's ``manifest.json`` must have before anything in it is believed.

A manifest comes from outside: it may be huge, deeply nested, or carry a list where a date
belongs. ``parse_manifest`` bounds its size and nesting, then checks every key the city reads
for its type and form, and returns every problem at once (named by key, in the user's language).
"""

from __future__ import annotations

import json
import re
from datetime import date

from workbench.labels import register, t

FORMAT = "workbench-filing/1"
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_DEPTH = 6
_SHA = re.compile(r"^[0-9a-f]{64}$")
_ROUND = re.compile(r"^\d{4}-\d{6}$")
_AREA = re.compile(r"^\d{6}$")
DATES = ("eval_date", "filed_on")

register({
    "manifest_err_size": {"zh": "manifest.json 过大({size} 字节,上限 {limit})",
                          "en": "manifest.json is too large ({size} bytes, at most {limit})"},
    "manifest_err_json": {"zh": "manifest.json 不是有效的 UTF-8 JSON({why})", "en": "manifest.json is not valid UTF-8 JSON ({why})"},
    "manifest_err_depth": {"zh": "manifest.json 嵌套过深(超过 {limit} 层)", "en": "manifest.json is nested too deeply (more than {limit} levels)"},
    "manifest_err_format": {"zh": "manifest.json 的 format 为 {found},应为 {expected}",
                            "en": "manifest.json format is {found}, expected {expected}"},
    "manifest_err_key": {"zh": "manifest.json 的 {name}:{why}", "en": "manifest.json {name}: {why}"},
    "manifest_why_missing": {"zh": "缺失", "en": "missing"},
    "manifest_why_text": {"zh": "应为 {pattern} 形式的文本", "en": "must be text of the form {pattern}"},
    "manifest_why_date": {"zh": "应为 YYYY-MM-DD 日期(2000–2100 年)", "en": "must be a YYYY-MM-DD date (2000–2100)"},
    "manifest_why_year": {"zh": "应为 2000–2100 的整数", "en": "must be a whole number 2000–2100"},
    "manifest_why_files": {"zh": "应为 {{文件名: SHA-256}} 的映射", "en": "must map file names to SHA-256 hex digests"},
    "manifest_why_counts": {"zh": "应为 {{名称: 非负整数}} 的映射", "en": "must map names to whole numbers ≥ 0"},
    "manifest_why_window": {"zh": "应为两个日期的列表", "en": "must be a list of two dates"},
})


def _depth(v, limit: int, level: int = 1) -> bool:
    """True if ``v`` nests no deeper than ``limit`` (iterative enough for what json.loads allowed)."""
    if level > limit:
        return False
    if isinstance(v, dict):
        return all(_depth(x, limit, level + 1) for x in v.values())
    if isinstance(v, list):
        return all(_depth(x, limit, level + 1) for x in v)
    return True


def _is_date(v) -> bool:
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        return 2000 <= date.fromisoformat(v).year <= 2100
    except ValueError:
        return False


def parse_manifest(data: bytes) -> tuple[dict | None, list[str]]:
    """(manifest, problems): the manifest is usable only when ``problems`` is empty."""
    if len(data) > MAX_MANIFEST_BYTES:
        return None, [t("manifest_err_size", size=len(data), limit=MAX_MANIFEST_BYTES)]
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, [t("manifest_err_json", why=str(exc)[:200])]
    if not isinstance(manifest, dict):
        return None, [t("manifest_err_json", why=type(manifest).__name__)]
    if not _depth(manifest, MAX_DEPTH):
        return None, [t("manifest_err_depth", limit=MAX_DEPTH)]
    if manifest.get("format") != FORMAT:
        return None, [t("manifest_err_format", found=repr(manifest.get("format"))[:80], expected=FORMAT)]
    problems = []

    def bad(key: str, why: str) -> None:
        problems.append(t("manifest_err_key", name=key, why=why if key in manifest else t("manifest_why_missing")))

    for key, pattern in (("round_id", _ROUND), ("area", _AREA), ("catalogue_hash", _SHA)):
        if not (isinstance(manifest.get(key), str) and pattern.match(manifest[key])):
            bad(key, t("manifest_why_text", pattern=pattern.pattern))
    year = manifest.get("year")
    if not (isinstance(year, int) and not isinstance(year, bool) and 2000 <= year <= 2100):
        bad("year", t("manifest_why_year"))
    for key in DATES:
        if not _is_date(manifest.get(key)):
            bad(key, t("manifest_why_date"))
    if manifest.get("feedback_on") is not None and not _is_date(manifest["feedback_on"]):
        bad("feedback_on", t("manifest_why_date"))
    window = manifest.get("window")
    if window is not None and not (isinstance(window, list) and len(window) == 2 and all(map(_is_date, window))):
        bad("window", t("manifest_why_window"))
    files = manifest.get("files")
    if not (isinstance(files, dict) and files and all(isinstance(v, str) and _SHA.match(v) for v in files.values())):
        bad("files", t("manifest_why_files"))
    counts = manifest.get("counts")
    if not (isinstance(counts, dict) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                             for v in counts.values())):
        bad("counts", t("manifest_why_counts"))
    for key in ("filed_by", "area_name", "key_id"):
        if key in manifest and not isinstance(manifest[key], str):
            bad(key, t("manifest_why_text", pattern="…"))
    return (None if problems else manifest), problems

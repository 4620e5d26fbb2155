"""The indicator catalogue: categories → indicators with kinds, weights and ratings.

Loaded from ``parameters/catalogue.yaml`` and validated; identified by a content hash that every
result records. Also loads weights scenarios (``parameters/weights/*.yaml``) with the same rules:
integer weights summing to exactly 100 within each category.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from workbench.errors import CatalogueError

from .kinds import KINDS, Vocabulary

CATEGORIES = ("establish", "change", "merge", "abolish")
CATEGORY_ALIASES = {"设立": "establish", "变更": "change", "合并": "merge", "撤销": "abolish"}
CATEGORY_ALIASES.update({c: c for c in CATEGORIES})
TOTAL_WEIGHT = 100
INDICATOR_KEYS = {"id", "zh", "en", "evidence", "kind", "weight", "importance", "difficulty",
                  "workload", "over_limit_zero", "target"}


@dataclass(frozen=True)
class Catalogue:
    indicators: pd.DataFrame  # one row per indicator, index = indicator_id
    categories: dict[str, dict[str, str]]
    vocab: Vocabulary
    bands: tuple[tuple[str, str, float], ...]  # (band, en, min %), best first
    hash: str
    version: str = ""
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def weights(self) -> pd.Series:
        """The official weights, indexed by indicator id."""
        return self.indicators["weight"]

    @cached_property
    def band_order(self) -> list[str]:
        return [b for b, _, _ in self.bands]

    def indicators_of(self, category: str) -> pd.DataFrame:
        return self.indicators[self.indicators["category"] == category]

    def name(self, indicator_id: str, lang: str = "zh") -> str:
        return self.indicators.at[indicator_id, "name_en" if lang == "en" else "name_zh"]

    def category_name(self, category: str, lang: str = "zh") -> str:
        return self.categories[category]["en" if lang == "en" else "zh"]

    def band_name(self, band: str, lang: str = "zh") -> str:
        return {b: en for b, en, _ in self.bands}.get(band, band) if lang == "en" else band


def content_hash(data: object) -> str:
    """SHA-256 of the canonical JSON form: comments and key order do not change it."""
    canon = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()




def build_catalogue(raw: dict, source: str = "catalogue") -> Catalogue:
    """Validate a parsed catalogue; every problem is reported at once, each naming its indicator."""
    if not isinstance(raw, dict) or "categories" not in raw:
        raise CatalogueError(f"{source}: 缺少 categories / no 'categories' section")
    problems: list[str] = []
    rows = []
    for cat, body in (raw.get("categories") or {}).items():
        if cat not in CATEGORIES:
            problems.append(f"未知类别 unknown category '{cat}' (valid: {', '.join(CATEGORIES)})")
            continue
        for ind in body.get("indicators") or []:
            rows.append({"category": cat, **ind})
    missing_cats = set(CATEGORIES) - set((raw.get("categories") or {}).keys())
    if missing_cats:
        problems.append(f"缺少类别 missing categories: {', '.join(sorted(missing_cats))}")
    table = pd.DataFrame(rows)
    for col, default in [("over_limit_zero", False), ("target", 1.0), ("evidence", "")]:
        if col not in table:
            table[col] = default
        table[col] = table[col].fillna(default)
    for rec in table.to_dict("records"):
        ident = rec.get("id", "?")
        unknown = sorted(k for k, v in rec.items() if k not in INDICATOR_KEYS | {"category"} and not pd.isna(v))
        if unknown:
            problems.append(f"{ident}: 未知字段 unknown keys {unknown} (valid: {sorted(INDICATOR_KEYS)})")
        if rec.get("kind") not in KINDS:
            problems.append(
                f"{ident}: 未知指标类型 unknown kind '{rec.get('kind')}' (valid: {', '.join(KINDS)})"
            )
        w = rec.get("weight")
        if not isinstance(w, int) or isinstance(w, bool) or w < 0:
            problems.append(f"{ident}: 权重须为非负整数 weight must be a whole number ≥ 0, got {w!r}")
        for rating in ("importance", "difficulty", "workload"):
            r = rec.get(rating)
            if not isinstance(r, int) or not 1 <= r <= 5:
                problems.append(f"{ident}: {rating} 须为 1–5 的整数 must be 1–5, got {r!r}")
        for name in ("zh", "en"):
            if not rec.get(name):
                problems.append(f"{ident}: 缺少名称 missing '{name}' name")
    dups = table["id"][table["id"].duplicated()] if "id" in table else []
    problems += [f"{d}: 指标编号重复 duplicate indicator id" for d in dups]
    if not problems:
        sums = table.groupby("category")["weight"].sum()
        for cat, total in sums.items():
            if total != TOTAL_WEIGHT:
                ids = ", ".join(table.loc[table["category"] == cat, "id"])
                problems.append(
                    f"{cat}: 权重合计 {total} ≠ 100 weights sum to {total}, not 100 ({ids})"
                )
    vocab, bands = _vocab_and_bands(raw, problems)
    if problems:
        raise CatalogueError(f"{source}: 指标目录有误 catalogue is invalid:\n  " + "\n  ".join(problems))
    table = table.rename(columns={"id": "indicator_id", "zh": "name_zh", "en": "name_en"})
    table["over_limit_zero"] = table["over_limit_zero"].astype(bool)
    table["target"] = table["target"].astype(float)
    table = table.set_index("indicator_id", drop=False)
    categories = {c: {"zh": b.get("zh", c), "en": b.get("en", c)} for c, b in raw["categories"].items()}
    return Catalogue(table, categories, vocab, bands, content_hash(raw), str(raw.get("version", "")), raw)


def _vocab_and_bands(raw: dict, problems: list[str]) -> tuple[Vocabulary, tuple]:
    grades: dict[str, float] = {}
    words = []
    for word, spec in (raw.get("grade_scale") or {}).items():
        words.append(word)
        for w in [word, *spec.get("aliases", [])]:
            grades[str(w).lower()] = float(spec["fraction"])
    if not grades:
        problems.append("grade_scale: 缺少等级 no grade words")
    yn = raw.get("yes_no") or {}
    lower = lambda ws: frozenset(str(w).lower() for w in ws)  # noqa: E731
    vocab = Vocabulary(
        grades, tuple(words), lower(yn.get("yes", [])), lower(yn.get("no", [])),
        lower(raw.get("not_applicable", [])),
    )
    bands = tuple((b["band"], b.get("en", b["band"]), float(b["min"])) for b in raw.get("bands", []))
    if not bands or [b[2] for b in bands] != sorted((b[2] for b in bands), reverse=True):
        problems.append("bands: 须按阈值从高到低排列 thresholds must be listed best first")
    return vocab, bands




def validate_weights(weights: pd.Series, catalogue: Catalogue, source: str = "weights") -> pd.Series:
    problems = []
    known = set(catalogue.indicators.index)
    problems += [f"{i}: 未知指标 unknown indicator" for i in weights.index if i not in known]
    problems += [f"{i}: 缺少权重 weight missing" for i in sorted(known - set(weights.index))]
    for i, w in weights.items():
        if not isinstance(w, (int,)) or isinstance(w, bool) or w < 0:
            if not (hasattr(w, "is_integer") and float(w).is_integer() and w >= 0):
                problems.append(f"{i}: 权重须为非负整数 weight must be a whole number ≥ 0, got {w!r}")
    if not problems:
        weights = weights.astype(int)
        cats = catalogue.indicators["category"]
        for cat, total in weights.groupby(cats.reindex(weights.index)).sum().items():
            if total != TOTAL_WEIGHT:
                problems.append(f"{cat}: 权重合计 {total} ≠ 100 weights sum to {total}, not 100")
    if problems:
        raise CatalogueError(f"{source}: 权重方案有误 weights are invalid:\n  " + "\n  ".join(problems))
    return weights.reindex(catalogue.indicators.index).astype(int)


def weights_hash(weights: pd.Series) -> str:
    return content_hash({k: int(v) for k, v in weights.sort_index().items()})

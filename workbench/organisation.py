"""The organisation: the staffing office that runs the evaluations and the areas it oversees.

An office is configuration, not code. ``parameters/organisation.yaml`` names the office, its own
area and level (province | city | county), the subordinate areas that file with it (6-digit
administrative division codes, Chinese and English names) and its document-number formats.
``workbench init --org FILE`` validates the file and records it in the archive; every module reads
areas, names and 文号 from there (an archive without one falls back to the shipped default file).

Area keys, one rule everywhere: the office's own area is keyed by its level word (``city`` for a
city office, ``province`` for a provincial one, ``county`` for a county office), so round ids
read ``2018-city``; a subordinate area is keyed by its 6-digit division code (``2018-370781``).
Units of the office's own level carry ``level`` = that word; units of a subordinate carry the
subordinate's code in ``county``. A user may type an area by key, code or name (``青州市``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from workbench.errors import FAILURE_COLUMNS, ValidationError, WorkbenchError
from workbench.labels import register, t
from workbench.paths import parameter_file
from workbench.yamlfile import safe_yaml

LEVELS = ("province", "city", "county")
SUBORDINATE_LEVEL = {"province": "city", "city": "county", "county": None}
CODE = re.compile(r"^[1-9]\d{5}$")

register({
    "org_level_province": {"zh": "省级", "en": "provincial level"},
    "org_level_city": {"zh": "市级", "en": "city level"},
    "org_level_county": {"zh": "县级", "en": "county level"},
    "err_org_invalid": {"zh": "{file}:组织机构配置有 {count} 处错误,未记录",
                        "en": "{file}: {count} problem(s) in the organisation; nothing was recorded"},
    "err_org_unreadable": {"zh": "无法读取组织机构配置:{why}", "en": "cannot read the organisation file: {why}"},
    "err_org_missing": {"zh": "缺少必填项", "en": "required, missing"},
    "err_org_code": {"zh": "应为6位行政区划代码", "en": "must be a 6-digit administrative division code"},
    "err_org_code_dup": {"zh": "代码重复", "en": "duplicate code"},
    "err_org_name_dup": {"zh": "名称重复", "en": "duplicate name"},
    "err_org_level": {"zh": "层级应为 province、city 或 county", "en": "level must be province, city or county"},
    "err_org_format": {"zh": "文号格式须包含 {{year}} 与 {{n}}", "en": "a document-number format needs {{year}} and {{n}}"},
    "err_org_county_subs": {"zh": "县级机构没有下级地区", "en": "a county office has no subordinate areas"},
    "err_org_not_list": {"zh": "应为列表", "en": "must be a list"},
    "err_org_drops_areas": {"zh": "档案中已有以下地区的轮次或单位,新的组织机构配置不能去掉它们:{areas};未记录",
                            "en": "the archive has rounds or units in {areas}; the new organisation cannot drop them; "
                                  "nothing was recorded"},
    "err_unknown_area": {"zh": "地区 {area} 不存在;可选:{options}",
                         "en": "area {area} is not known; choose one of: {options}"},
})


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    name_en: str
    office: str = ""        # the area's own office, if it differs from name + 机构编制委员会办公室
    letter: str = ""        # its letter-number format, if it differs from the default

    @property
    def office_name(self) -> str:
        return self.office or self.name + "机构编制委员会办公室"


@dataclass(frozen=True)
class Organisation:
    office_name: str
    office_short: str
    office_name_en: str
    level: str
    area: Area
    subordinates: tuple[Area, ...]
    doc_numbers: dict = field(default_factory=dict)

    # -------------------------------------------------------------- areas
    @property
    def own(self) -> str:
        """The key of the office's own area (its level word)."""
        return self.level

    @property
    def subordinate_level(self) -> str | None:
        return SUBORDINATE_LEVEL[self.level]

    @property
    def counties(self) -> dict[str, str]:
        """Subordinate code → Chinese name, in the file's order."""
        return {a.code: a.name for a in self.subordinates}

    @property
    def areas(self) -> tuple[str, ...]:
        return (self.own, *self.counties)

    def get(self, area: str) -> Area:
        if area in (self.own, self.area.code):
            return self.area
        for a in self.subordinates:
            if a.code == area:
                return a
        raise WorkbenchError(t("err_unknown_area", area=area, options=self.options()))

    def options(self) -> str:
        return ", ".join([self.own] + [f"{a.code} {a.name}" for a in self.subordinates])

    def resolve_area(self, text: str) -> str:
        """An area key from what a user typed: the key, a code, a Chinese or English name."""
        s = str(text).strip()
        if s in (self.own, self.area.code, self.area.name, self.area.name_en):
            return self.own
        for a in self.subordinates:
            if s in (a.code, a.name) or s.lower() == a.name_en.lower():
                return a.code
        raise WorkbenchError(t("err_unknown_area", area=text, options=self.options()))

    def place(self, area: str, lang: str = "zh") -> str:
        """The plain name of an area (潍坊市, 青州市)."""
        try:
            a = self.get(area)
        except WorkbenchError:
            return area
        return a.name_en if lang == "en" else a.name

    # -------------------------------------------------------------- documents
    def office_of(self, area: str) -> str:
        """The office that writes for an area: this office for its own area, else the subordinate's."""
        return self.office_name if area == self.own else self.get(area).office_name

    def letter_format(self, area: str) -> str:
        if area == self.own:
            return self.doc_numbers["letter"]
        a = self.get(area)
        return a.letter or a.name[:2] + "编办函〔{year}〕{n}号"

    def letter_no(self, area: str, year: int, n: str | int = "  ") -> str:
        return self.letter_format(area).format(year=year, n=n)

    def approval_no(self, area: str, year: int, n: str | int) -> str:
        if area == self.own:
            return self.doc_numbers["approval"].format(year=year, n=n)
        return self.get(area).name[:2] + f"编〔{year}〕{n}号"

    def to_document(self) -> dict:
        def one(a: Area) -> dict:
            d = {"code": a.code, "name": a.name, "name_en": a.name_en}
            d.update({k: v for k, v in (("office", a.office), ("letter", a.letter)) if v})
            return d
        return {"office": {"name": self.office_name, "short": self.office_short, "name_en": self.office_name_en},
                "level": self.level, "area": one(self.area),
                "subordinates": [one(a) for a in self.subordinates], "doc_numbers": dict(self.doc_numbers)}


def area_name(org: Organisation, area: str, lang: str = "zh") -> str:
    """An area as tables show it: the own area with its level (潍坊市(市级)), a subordinate by name."""
    if area == org.own:
        level = t(f"org_level_{org.level}", lang)
        return f"{org.area.name_en} ({level})" if lang == "en" else f"{org.area.name}({level})"
    return org.place(area, lang)


def is_subordinate(area) -> bool:
    """True for a subordinate's area key (a division code), False for the office's own."""
    return isinstance(area, str) and bool(CODE.match(area))


def subordinate_mask(areas: pd.Series) -> pd.Series:
    """``is_subordinate`` over a column, always boolean (also when the column is empty)."""
    return areas.astype("string").str.fullmatch(CODE.pattern[1:-1]).fillna(False).astype(bool)


# ------------------------------------------------------------------ reading and checking
def validate(doc, file: str = "organisation.yaml") -> Organisation:
    """The organisation a document describes, or a ValidationError naming every problem."""
    problems: list[dict] = []

    def bad(column: str, value, reason: str) -> None:
        problems.append({"file": file, "row": None, "column": column, "value": "" if value is None else str(value),
                         "reason": reason})

    if not isinstance(doc, dict):
        bad("", "", t("err_org_missing"))
        doc = {}
    office = doc.get("office") if isinstance(doc.get("office"), dict) else {}
    for key in ("name", "short", "name_en"):
        if not str(office.get(key) or "").strip():
            bad(f"office.{key}", office.get(key), t("err_org_missing"))
    level = doc.get("level")
    if level not in LEVELS:
        bad("level", level, t("err_org_level"))

    def area(d, where: str) -> Area | None:
        if not isinstance(d, dict):
            bad(where, d, t("err_org_missing"))
            return None
        code = str(d.get("code") or "").strip()
        if not CODE.match(code):
            bad(f"{where}.code", d.get("code"), t("err_org_code"))
        for key in ("name", "name_en"):
            if not str(d.get(key) or "").strip():
                bad(f"{where}.{key}", d.get(key), t("err_org_missing"))
        letter = str(d.get("letter") or "")
        if letter and not ("{year}" in letter and "{n}" in letter):
            bad(f"{where}.letter", letter, t("err_org_format"))
        return Area(code, str(d.get("name") or "").strip(), str(d.get("name_en") or "").strip(),
                    str(d.get("office") or "").strip(), letter)

    own = area(doc.get("area"), "area")
    subs_doc = doc.get("subordinates") or []
    if not isinstance(subs_doc, list):
        bad("subordinates", "", t("err_org_not_list"))
        subs_doc = []
    if level == "county" and subs_doc:
        bad("subordinates", len(subs_doc), t("err_org_county_subs"))
    subs = [area(d, f"subordinates[{i + 1}]") for i, d in enumerate(subs_doc)]
    seen_codes: set[str] = {own.code} if own else set()
    seen_names: set[str] = {own.name} if own else set()
    for i, a in enumerate(subs):
        if a is None:
            continue
        if a.code and a.code in seen_codes:
            bad(f"subordinates[{i + 1}].code", a.code, t("err_org_code_dup"))
        if a.name and a.name in seen_names:
            bad(f"subordinates[{i + 1}].name", a.name, t("err_org_name_dup"))
        seen_codes.add(a.code)
        seen_names.add(a.name)
    numbers = doc.get("doc_numbers") if isinstance(doc.get("doc_numbers"), dict) else {}
    for key in ("letter", "approval"):
        fmt = str(numbers.get(key) or "")
        if not fmt:
            bad(f"doc_numbers.{key}", None, t("err_org_missing"))
        elif "{year}" not in fmt or "{n}" not in fmt:
            bad(f"doc_numbers.{key}", fmt, t("err_org_format"))
        else:
            try:
                fmt.format(year=2000, n=1)
            except (KeyError, IndexError, ValueError) as exc:
                bad(f"doc_numbers.{key}", fmt, f"{t('err_org_format')} ({exc})")
    if problems:
        raise ValidationError(t("err_org_invalid", file=file, count=len(problems)),
                              pd.DataFrame(problems, columns=FAILURE_COLUMNS))
    return Organisation(str(office["name"]).strip(), str(office["short"]).strip(), str(office["name_en"]).strip(),
                        level, own, tuple(subs), {k: str(numbers[k]) for k in ("letter", "approval")})


def parse(text: str, file: str = "organisation.yaml") -> Organisation:
    try:
        doc = safe_yaml(text)
    except yaml.YAMLError as exc:
        raise ValidationError(t("err_org_unreadable", why=f"{file}: {exc}")) from exc
    return validate(doc, file)


def load_organisation(path: str | Path) -> Organisation:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(t("err_org_unreadable", why=f"{path}: {exc.strerror or exc}")) from exc
    return parse(text, path.name)


def default_organisation() -> Organisation:
    """The project's ``parameters/organisation.yaml``, else the shipped one (Weifang's)."""
    return load_organisation(parameter_file("organisation.yaml"))

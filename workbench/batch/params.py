"""A year's batch parameters (``parameters/<year>.yaml``), checked before anything runs.

The file names the year, its areas, the publication window and evaluation date every round must
have, the output folder, and the parameters passed to the round-report notebook. Everything is
validated up front and every problem names its key: an unknown key, a wrong type, an area without
a round that year, a year without data, an output folder outside the project or not writable, a
notebook parameter the notebook does not declare (papermill itself only warns about that).

The result is a plan: one ``RoundTask`` per round, each carrying the hashes of its inputs —
the round's archive content, the catalogue, the parameters and the notebook — so a re-run can
tell which rounds are unchanged.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import yaml

from workbench import __version__
from workbench.archive import entries, metadata
from workbench.core import content_hash, make_round_id
from workbench.dates import as_date
from workbench.errors import WorkbenchError
from workbench.files import load_catalogue
from workbench.followup import TEMPLATE
from workbench.labels import register, t
from workbench.organisation import Organisation, area_name, is_subordinate
from workbench.paths import (
    NOTEBOOKS_DIR,
    SHIPPED_PARAMETERS,
    parameter_file,
    parameters_dir,
    project_root,
)
from workbench.yamlfile import read_yaml

DEFAULT_NOTEBOOK = NOTEBOOKS_DIR / "round_report.ipynb"
#: notebook parameters the batch sets for every round; a parameters file may not set them
BATCH_SET = ("round_id", "db", "catalogue", "output_dir")
TOP_KEYS = {
    "year": "int", "areas": "list or 'all'", "output": "str", "timeout": "int",
    "notebook": "str", "window": "[start, end]", "eval_date": "date",
    "parameters": "mapping", "overrides": "mapping", "letters": "bool",
}
OVERRIDE_KEYS = ("window", "eval_date", "parameters")
TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}
#: notebook parameters with a fixed set of values
CHOICES = {"lang": ("zh", "en"), "source": ("verified", "self")}

register({
    "bp_no_file": {
        "zh": "{year} 年没有批处理参数文件 {path};可参照 parameters/2018.yaml 新建",
        "en": "no batch parameters for {year}: {path}; create one like parameters/2018.yaml",
    },
    "bp_not_yaml": {"zh": "{path}:不是有效的 YAML", "en": "{path}: not valid YAML"},
    "bp_not_mapping": {"zh": "{path}:应为 键: 值 映射", "en": "{path}: must be a mapping of key: value"},
    "bp_unknown_key": {
        "zh": "{path}:未知参数 {name};可用:{options}",
        "en": "{path}: unknown key {name}; valid keys: {options}",
    },
    "bp_bad_type": {
        "zh": "{path}:参数 {name} 类型应为 {expected},实际为 {value!r}",
        "en": "{path}: {name} must be {expected}, got {value!r}",
    },
    "bp_bad_choice": {
        "zh": "{path}:参数 {name} 的值 {value!r} 无效;可选:{options}",
        "en": "{path}: {name} cannot be {value!r}; valid: {options}",
    },
    "bp_year_mismatch": {
        "zh": "{path}:year 为 {value},与文件名年度 {year} 不符",
        "en": "{path}: year is {value} but the file is for {year}",
    },
    "bp_no_data": {
        "zh": "档案中没有 {year} 年的问效轮次;已有年度:{options}",
        "en": "the archive has no rounds for {year}; years with rounds: {options}",
    },
    "bp_no_round": {
        "zh": "{path}:{name} 中的地区 {area} 在 {year} 年没有问效轮次;该年度地区:{options}",
        "en": "{path}: {name} names {area}, which has no round in {year}; areas that year: {options}",
    },
    "bp_outside": {
        "zh": "{path}:输出目录 {value} 不在项目目录 {root} 之内",
        "en": "{path}: output folder {value} is outside the project {root}",
    },
    "bp_not_writable": {
        "zh": "{path}:输出目录 {value} 无法写入({reason})",
        "en": "{path}: output folder {value} is not writable ({reason})",
    },
    "bp_date_mismatch": {
        "zh": "{path}:{name} 为 {value},而档案中轮次 {round_id} 为 {actual}",
        "en": "{path}: {name} is {value} but round {round_id} in the archive has {actual}",
    },
    "bp_reserved": {
        "zh": "{path}:{name} 由批处理为每一轮设置,不能在参数文件中指定",
        "en": "{path}: {name} is set by the batch for each round and cannot be given here",
    },
    "bp_not_in_notebook": {
        "zh": "{path}:{name} 不是笔记本 {notebook} 的参数;可用:{options}",
        "en": "{path}: {name} is not a parameter of {notebook}; its parameters: {options}",
    },
    "bp_notebook_lacks": {
        "zh": "笔记本 {notebook} 缺少批处理所需参数 {name}",
        "en": "notebook {notebook} lacks the parameter {name} that the batch sets",
    },
    "bp_notebook_outside": {
        "zh": "{path}:notebook 只能是项目自带的笔记本(.ipynb,位于 {options}),不能是 {value}:批处理会执行它",
        "en": "{path}: notebook must be one of the project's notebooks (.ipynb under {options}), not {value}: "
              "the batch executes it"},
    "bp_missing_file": {"zh": "{path}:{name} 指向的文件不存在:{value}",
                        "en": "{path}: {name} names a file that does not exist: {value}"},
    "bp_unknown_area": {
        "zh": "--areas 中的地区 {area} 不在 {path} 的 areas 中;可用:{options}",
        "en": "--areas names {area}, which is not among the areas of {path}; valid: {options}",
    },
})


def round_title(org: Organisation, year: int, area: str, lang: str = "zh") -> str:
    """``2018年度潍坊市(市级)机构编制事项跟踪问效报告``; a subordinate's report names the office's
    area too (``2019年度潍坊市青州市…``)."""
    own = org.place(org.own, lang)
    if lang == "en":
        where = area_name(org, area, "en") + (f", {own}" if is_subordinate(area) else "")
        return f"{year} follow-up evaluation of institutional-establishment matters — {where}"
    where = own + area_name(org, area) if is_subordinate(area) else area_name(org, area)
    return f"{year}年度{where}机构编制事项跟踪问效报告"


def _area_key(org: Organisation, area: str) -> str:
    """An area as a user typed it (key, code or name) → its key; unknown ones stay as typed so
    the caller names them in its own message."""
    try:
        return org.resolve_area(area)
    except WorkbenchError:
        return area


@dataclass
class RoundTask:
    """Everything a worker needs to produce one round's reports."""

    round_id: str
    year: int
    area: str
    notebook: Path
    out_dir: Path  # reports/<year>/<area>
    parameters: dict  # for papermill, without output_dir (the worker sets a staging folder)
    timeout: int
    kernel_name: str
    cwd: Path
    inputs: dict = field(default_factory=dict)  # archive, catalogue, parameters, notebook hashes
    letters: bool = False  # write the feedback letters of a sealed round
    db_url: str = ""  # the archive; reaches the kernel as WORKBENCH_DB, so no password is
    # written into the executed notebook
    org: Organisation | None = None  # the archive's organisation (titles, area names)


@dataclass
class YearPlan:
    year: int
    params_file: Path
    output: Path
    tasks: list[RoundTask]
    catalogue_hash: str
    org: Organisation | None = None


def _fail(label: str, **kw) -> WorkbenchError:
    return WorkbenchError(f"{t(label, 'zh', **kw)}\n{t(label, 'en', **kw)}")


def _check_type(path: Path, key: str, value, expected: str) -> None:
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
        "date": isinstance(value, date),
        "mapping": isinstance(value, dict),
        "list or 'all'": value == "all" or isinstance(value, list),
        "[start, end]": isinstance(value, list) and len(value) == 2
        and all(isinstance(v, date) for v in value),
    }[expected]
    if not ok:
        raise _fail("bp_bad_type", path=path, name=key, expected=expected, value=value)


def read_params_file(year: int, params_dir: Path) -> tuple[Path, dict]:
    path = Path(params_dir) / f"{year}.yaml"
    if not path.is_file():
        raise _fail("bp_no_file", year=year, path=path)
    try:
        raw = read_yaml(path)
    except yaml.YAMLError as exc:
        raise WorkbenchError(f"{t('bp_not_yaml', 'zh', path=path)}\n"
                             f"{t('bp_not_yaml', 'en', path=path)}\n{exc}") from exc
    if not isinstance(raw, dict):
        raise _fail("bp_not_mapping", path=path)
    for key, value in raw.items():
        if key not in TOP_KEYS:
            raise _fail("bp_unknown_key", path=path, name=key, options=", ".join(TOP_KEYS))
        _check_type(path, key, value, TOP_KEYS[key])
    if raw.get("year", year) != year:
        raise _fail("bp_year_mismatch", path=path, value=raw.get("year"), year=year)
    overrides = {}
    for area, body in (raw.get("overrides") or {}).items():
        prefix = f"overrides.{area}"
        _check_type(path, prefix, body, "mapping")
        for key, value in body.items():
            if key not in OVERRIDE_KEYS:
                raise _fail("bp_unknown_key", path=path, name=f"{prefix}.{key}",
                            options=", ".join(OVERRIDE_KEYS))
            _check_type(path, f"{prefix}.{key}", value, TOP_KEYS[key])
        overrides[str(area)] = body
    raw["overrides"] = overrides
    if isinstance(raw.get("areas"), list):
        raw["areas"] = [str(a) for a in raw["areas"]]
    return path, raw


def project_notebook_dirs() -> list[Path]:
    """Where a batch may take its notebook from: the shipped notebooks and the project's own."""
    return [d.resolve() for d in dict.fromkeys((NOTEBOOKS_DIR, project_root() / "notebooks"))]


def check_project_notebook(path: Path, notebook: Path) -> None:
    """A parameters file runs code: only a project notebook (``.ipynb``, symlinks resolved) is run."""
    dirs = project_notebook_dirs()
    if notebook.suffix != ".ipynb" or not any(notebook.is_relative_to(d) for d in dirs):
        raise _fail("bp_notebook_outside", path=path, value=notebook, options=", ".join(map(str, dirs)))


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The notebook's declared parameters (papermill's own reading of its parameters cell)."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def check_notebook_parameters(path: Path, notebook: Path, given: dict, key_prefix: str,
                              declared: dict[str, dict]) -> None:
    for name in BATCH_SET:
        if name not in declared:
            raise _fail("bp_notebook_lacks", notebook=notebook, name=name)
    for name, value in given.items():
        key = f"{key_prefix}.{name}"
        if name in BATCH_SET:
            raise _fail("bp_reserved", path=path, name=key)
        if name not in declared:
            options = ", ".join(n for n in declared if n not in BATCH_SET)
            raise _fail("bp_not_in_notebook", path=path, name=key, notebook=notebook.name,
                        options=options)
        expected = declared[name].get("inferred_type_name", "None")
        if expected in TYPES and not (isinstance(value, TYPES[expected])
                                      and not (expected != "bool" and isinstance(value, bool))):
            raise _fail("bp_bad_type", path=path, name=key, expected=expected, value=value)
        if name in CHOICES and value not in CHOICES[name]:
            raise _fail("bp_bad_choice", path=path, name=key, value=value,
                        options=", ".join(CHOICES[name]))


def check_output(path: Path, value: str, root: Path) -> Path:
    out = (root / value).resolve()
    if not out.is_relative_to(root.resolve()):
        raise _fail("bp_outside", path=path, value=value, root=root)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise _fail("bp_not_writable", path=path, value=value, reason=exc.strerror or exc) from exc
    return out


def _resolve_file(path: Path, key: str, value: str, root: Path) -> str:
    if value in ("", "official"):
        return value
    f = (root / value).resolve()
    if not f.is_file():
        raise _fail("bp_missing_file", path=path, name=key, value=value)
    return str(f)


def file_hash(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def round_snapshots(archive, round_ids: list[str]) -> dict[str, str]:
    """A content hash per round of what its report reads: the round, its scope, the scoped
    matters and their units, the current entries and the work log. Row ids and entry times are
    left out, so re-entering the same value or copying the archive does not change it."""
    rounds = archive.rounds().set_index("round_id")
    scope = archive.read("round_matters")
    matters = archive.matters().merge(archive.units(), on="unit_id", suffixes=("", "_unit"))
    current = archive.read(entries, entries.c.round_id.in_(round_ids))
    current = current.sort_values("entry_id").drop_duplicates(
        ["round_id", "matter_id", "indicator_id", "source"], keep="last")
    logs = archive.read("work_log").set_index("round_id")
    # What the feedback letters say besides the results: the seal and the rectification items.
    follow = {name: archive.read(name) for name in ("seals", "rectification_items")
              if name in metadata.tables}
    out = {}
    for rid in round_ids:
        sel = scope[scope["round_id"] == rid].drop(columns=["decided_at", "decided_by"])
        ent = current[current["round_id"] == rid]
        ent = ent[["matter_id", "indicator_id", "source", "result", "note"]].sort_values(
            ["matter_id", "indicator_id", "source"])
        out[rid] = content_hash({
            "round": rounds.loc[rid].drop(["created_at", "created_by"]).to_dict(),
            "scope": _records(sel.sort_values("matter_id")),
            "matters": _records(matters[matters["matter_id"].isin(sel["matter_id"])]),
            "entries": _records(ent),
            "work_log": logs.loc[rid].to_dict() if rid in logs.index else {},
            **{name: _records(df[df["round_id"] == rid]) for name, df in follow.items()},
        })
    return out


def _records(df: pd.DataFrame) -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


def plan_year(year: int, archive, params_dir: Path | None = None, areas: list[str] | None = None,
              kernel_name: str = "python3") -> YearPlan:
    """Read and check ``<params_dir>/<year>.yaml`` against the archive and the notebook."""
    params_dir = Path(params_dir or parameters_dir()).resolve()
    # The project's folder; the shipped defaults write into the project, never the package.
    root = project_root() if params_dir == SHIPPED_PARAMETERS.resolve() else params_dir.parent
    org = archive.organisation()
    path, raw = read_params_file(year, params_dir)
    rounds = archive.rounds()
    have = rounds[rounds["year"] == year].set_index("area")
    if have.empty:
        years = ", ".join(str(y) for y in sorted(rounds["year"].unique())) or "—"
        raise _fail("bp_no_data", year=year, options=years)
    present = sorted(have.index, key=list(org.areas).index)
    # areas may be written by code or by name (青州市) in the parameters file too
    raw["overrides"] = {_area_key(org, str(a)): v for a, v in raw["overrides"].items()}
    wanted = present if raw.get("areas", "all") == "all" else [_area_key(org, str(a)) for a in raw["areas"]]
    for key, names in [("areas", wanted), ("overrides", list(raw["overrides"]))]:
        for area in names:
            if area not in have.index:
                raise _fail("bp_no_round", path=path, name=key, area=area, year=year,
                            options=", ".join(present))
    if areas:
        areas = [_area_key(org, a) for a in areas]
        for area in areas:
            if area not in wanted:
                raise _fail("bp_unknown_area", area=area, path=path, options=", ".join(wanted))
        wanted = [a for a in wanted if a in areas]
    notebook = (root / str(raw["notebook"])).resolve() if "notebook" in raw else DEFAULT_NOTEBOOK
    if not notebook.is_file():
        raise _fail("bp_missing_file", path=path, name="notebook", value=notebook)
    check_project_notebook(path, notebook)
    declared = notebook_parameters(notebook)
    base = raw.get("parameters") or {}
    check_notebook_parameters(path, notebook, base, "parameters", declared)
    output = check_output(path, raw.get("output", f"reports/{year}"), root)
    catalogue = parameter_file("catalogue.yaml")
    catalogue_hash = load_catalogue(catalogue).hash
    notebook_hash = file_hash(notebook)
    letters = bool(raw.get("letters", True))
    snapshots = round_snapshots(archive, [make_round_id(year, a) for a in wanted])
    # The notebook's db parameter is recorded in the executed notebook: a URL with a password
    # is left out there (empty means WORKBENCH_DB, which the worker sets).
    shown_url = "" if sa.engine.make_url(archive.url).password else archive.url
    tasks = []
    for area in wanted:
        rid = make_round_id(year, area)
        over = raw["overrides"].get(area, {})
        check_notebook_parameters(path, notebook, over.get("parameters", {}),
                                  f"overrides.{area}.parameters", declared)
        _check_dates(path, raw, over, area, rid, have.loc[area])
        params = {**base, **over.get("parameters", {})}
        if "weights" in params:
            key = "overrides" if "weights" in over.get("parameters", {}) else "parameters"
            params["weights"] = _resolve_file(path, f"{key}.weights", params["weights"], root)
        params.update(round_id=rid, db=shown_url, catalogue=str(catalogue))
        inputs = {
            "archive": snapshots[rid],
            "catalogue": catalogue_hash,
            "parameters": content_hash(_hashable(params)),
            "notebook": notebook_hash,
            "software": __version__,
        }
        if letters:
            inputs["letter_template"] = file_hash(letter_template())
        tasks.append(RoundTask(rid, year, area, notebook, output / area, params,
                               int(raw.get("timeout", 600)), kernel_name, root, inputs, letters,
                               archive.url, org))
    return YearPlan(year, path, output, tasks, catalogue_hash, org)


def letter_template() -> Path:
    return TEMPLATE


def _hashable(params: dict) -> dict:
    """Parameters for the input hash: a weights file counts by its content, not its path, and
    the archive by its snapshot (hashed separately), not its URL."""
    out = {k: v for k, v in params.items() if k not in ("db", "catalogue")}
    w = out.get("weights", "")
    if w not in ("", "official"):
        out["weights"] = file_hash(w)
    return out


def _check_dates(path: Path, raw: dict, over: dict, area: str, round_id: str, actual) -> None:
    window = over.get("window", raw.get("window"))
    eval_date = over.get("eval_date", raw.get("eval_date"))
    where = f"overrides.{area}." if area in raw["overrides"] else ""
    checks = []
    if window is not None:
        key = (where if "window" in over else "") + "window"
        checks.append((key, f"{window[0]} – {window[1]}",
                       f"{as_date(actual['window_start'])} – {as_date(actual['window_end'])}"))
    if eval_date is not None:
        key = (where if "eval_date" in over else "") + "eval_date"
        checks.append((key, str(eval_date), str(as_date(actual["eval_date"]))))
    for key, value, have in checks:
        if value != have:
            raise _fail("bp_date_mismatch", path=path, name=key, value=value, round_id=round_id,
                        actual=have)


"""Parameter files: the indicator catalogue and weights scenarios (``parameters/weights/*.yaml``),
read and validated into the core's types, and scenarios saved by the explorer.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

from workbench.core import Catalogue, build_catalogue, validate_weights, weights_hash
from workbench.errors import CatalogueError, WorkbenchError
from workbench.labels import t
from workbench.paths import atomic_write, parameter_file
from workbench.yamlfile import read_yaml


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    path = Path(path or parameter_file("catalogue.yaml"))
    try:
        raw = read_yaml(path)
    except FileNotFoundError as exc:
        raise CatalogueError(f"指标目录文件不存在 / catalogue not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: 不是有效的 YAML / not valid YAML: {exc}") from exc
    return build_catalogue(raw, source=str(path))



def load_weights(path: str | Path, catalogue: Catalogue) -> pd.Series:
    """A weights scenario file → weights Series (validated like the catalogue's own)."""
    path = Path(path)
    try:
        raw = read_yaml(path)
    except FileNotFoundError as exc:
        raise CatalogueError(f"权重方案文件不存在 / weights file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: 不是有效的 YAML / not valid YAML: {exc}") from exc
    weights = raw.get("weights") if isinstance(raw, dict) else None
    if not isinstance(weights, dict):
        raise CatalogueError(f"{path}: 缺少 weights 映射 / needs a 'weights:' mapping of id → weight")
    return validate_weights(pd.Series(weights, dtype=object), catalogue, source=str(path))





_NAME = re.compile(r"^[\w\-\u4e00-\u9fff]{1,60}$")



def save_scenario(weights: pd.Series, catalogue: Catalogue, name: str, directory: str | Path | None = None,
                  description: str = "", **meta: object) -> Path:
    """Write ``<directory>/<name>.yaml``: validated integer weights with what made them."""
    if not _NAME.match(name or ""):
        raise WorkbenchError(t("wx_bad_name"))
    weights = validate_weights(weights.astype(int), catalogue, source=name)
    doc = {
        "name": name, "description": description, "catalogue_hash": catalogue.hash,
        "weights_hash": weights_hash(weights), "saved_at": datetime.now().isoformat(timespec="seconds"),
        **{k: v for k, v in meta.items() if v is not None},
        "weights": {k: int(v) for k, v in weights.items()},
    }
    return atomic_write(Path(directory or parameter_file("weights")) / f"{name}.yaml",
                        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))



def list_scenarios(directory: str | Path | None = None) -> list[str]:
    return sorted(p.stem for p in Path(directory or parameter_file("weights")).glob("*.yaml"))



def load_scenario(name: str, catalogue: Catalogue, directory: str | Path | None = None) -> pd.Series:
    return load_weights(Path(directory or parameter_file("weights")) / f"{name}.yaml", catalogue)

"""The one way a parameter file's YAML is read: bounded in size, with no anchors or aliases.

Parameter files (catalogue, weights scenarios, organisation, batch years, performance rules) are
small, hand-written mappings. An alias lets ten lines expand to gigabytes (the "billion laughs"),
and no parameter file needs one, so anchors and aliases are refused before anything is built.
"""

from __future__ import annotations

from pathlib import Path

import yaml

MAX_YAML_BYTES = 1_000_000  # the shipped catalogue is ~20 KB


class YAMLRefused(yaml.YAMLError):
    """A parameter file that is too big or uses anchors/aliases (a yaml.YAMLError, so every
    caller that reports bad YAML reports this too)."""


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YAMLRefused(f"{event.start_mark}: 不允许使用 YAML 锚点/别名 (& *) / "
                              "YAML anchors and aliases (& *) are not allowed in parameter files")
        return super().compose_node(parent, index)


def safe_yaml(text: str) -> object:
    """Parse YAML text: safe types only, no anchors/aliases, at most ``MAX_YAML_BYTES``."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise YAMLRefused(f"文件超过 {MAX_YAML_BYTES // 1000} KB / larger than {MAX_YAML_BYTES // 1000} KB")
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass


def read_yaml(path: str | Path) -> object:
    """``safe_yaml`` of a UTF-8 file; the size is checked before the file is read."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_YAML_BYTES:
        raise YAMLRefused(f"{path.name}: 文件超过 {MAX_YAML_BYTES // 1000} KB / "
                          f"larger than {MAX_YAML_BYTES // 1000} KB")
    return safe_yaml(path.read_text(encoding="utf-8"))

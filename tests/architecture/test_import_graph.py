"""The package's imports point one way: no cycles, no forbidden direction, nothing imports the CLI.

The graph is built from the source with ``ast`` — imports inside functions count too — so the rule
holds whatever runs first. ``from workbench.pkg import name`` is an edge to the submodule ``name``
when there is one, else to the package itself (whose ``__init__`` imports its modules).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "workbench"

#: lowest first; a module may import its own package and the layers below its own, never above
LAYERS: list[set[str]] = [
    {"workbench", "workbench.errors", "workbench.labels", "workbench.paths", "workbench.dates",
     "workbench.yamlfile"},
    {"workbench.organisation"},
    {"workbench.core"},
    {"workbench.scoring"},
    {"workbench.views"},
    {"workbench.archive"},
    {"workbench.files"},
    {"workbench.rounds"},
    {"workbench.followup"},
    {"workbench.filing"},
    {"workbench.forms", "workbench.explorer", "workbench.dashboard", "workbench.batch", "workbench.demo"},
    {"workbench.widgets"},
    {"workbench.app"},
    {"workbench.cli"},
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "templates" not in p.parts}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every workbench module ``name`` imports, anywhere in the file."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: imports(m, p, set(mods)) for m, p in mods.items()}


def unit(module: str) -> str:
    """The package a module belongs to for the layer rules (a top-level module is its own unit)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def layer(module: str) -> int:
    u = unit(module)
    for i, members in enumerate(LAYERS):
        if u in members:
            return i
    raise AssertionError(f"{module}: not in any layer of {__file__}; place it there")


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> list[str] | None:
        state[v] = 1
        stack.append(v)
        for w in sorted(g[v]):
            if state.get(w) == 1:
                return stack[stack.index(w):] + [w]
            if w not in state and (c := visit(w)):
                return c
        stack.pop()
        state[v] = 2
        return None

    for v in sorted(g):
        if v not in state and (c := visit(v)):
            return c
    return None


def test_no_import_cycles():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_imports_point_down_the_layers():
    wrong = []
    for m, targets in graph().items():
        for t in targets:
            if unit(t) == unit(m) or t == "workbench":
                continue
            if layer(t) >= layer(m):
                wrong.append(f"{m} imports {t}")
    assert not wrong, "\n".join(sorted(wrong))


def test_nothing_outside_the_cli_imports_it():
    offenders = [m for m, targets in graph().items()
                 if unit(m) != "workbench.cli" and any(unit(t) == "workbench.cli" for t in targets)]
    assert offenders == []


def test_other_packages_use_only_a_package_api_or_its_public_modules():
    wrong = []
    for m, targets in graph().items():
        for t in targets:
            if unit(t) != unit(m) and any(part.startswith("_") for part in t.split(".")):
                wrong.append(f"{m} imports {t}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_importlib_of_the_package_and_no_module_over_500_lines():
    for m, p in modules().items():
        text = p.read_text(encoding="utf-8")
        assert "importlib.import_module(" not in text, m
        assert len(text.splitlines()) <= 500, f"{m}: {len(text.splitlines())} lines"


@pytest.mark.parametrize("found, expect", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": set()}, None),
])
def test_the_cycle_finder_finds_cycles(found, expect):
    assert find_cycle(found) == expect

"""The README is the manual: every command and every option the CLI accepts appears in it."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def walk(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, f"{prefix} {name}".strip())
        elif prefix:
            yield prefix, action


def test_every_command_and_option_is_documented():
    missing = []
    for command, action in walk(build_parser()):
        if f"workbench {command}" not in README:
            missing.append(f"workbench {command}")
        for opt in action.option_strings:
            if opt.startswith("--") and opt not in ("--help",) and opt not in README:
                missing.append(f"workbench {command} {opt}")
    assert not missing, f"undocumented in README.md: {sorted(set(missing))}"


def test_readme_shows_the_two_setup_commands():
    assert "make demo" in README and "make test" in README


def test_every_command_a_message_names_exists():
    # "如需改动请登记修正(workbench amend)" sent people to a command that was never there
    import re

    import workbench.cli  # noqa: F401  (every module registers its labels at import)
    from workbench.labels import LABELS

    commands = set(next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices)
    named = {(key, m) for key, entry in LABELS.items() for text in entry.values()
             for m in re.findall(r"workbench ([a-z][a-z-]*)", text)}
    assert {(key, m) for key, m in named if m not in commands} == set()

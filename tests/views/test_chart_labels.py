"""Every word a chart draws is in the glossary itself: ``workbench.views`` imported alone (a fresh
interpreter, nothing else loaded) translates every label key its modules ask for."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import workbench.views

VIEWS = Path(workbench.views.__file__).parent


def test_views_imported_alone_know_every_label_they_use():
    keys = sorted({k for f in VIEWS.glob("*.py") for k in re.findall(r'\bt\("([a-z_]+)"', f.read_text())})
    assert len(keys) > 20  # the scan found the charts' labels
    code = ("import workbench.views.charts, workbench.views.explorer_charts, workbench.views.html\n"
            "from workbench.labels import LABELS\n"
            f"print([k for k in {keys!r} if k not in LABELS])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"labels used by views but defined outside the glossary: {out.strip()}"

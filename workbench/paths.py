"""Where things are: the project folder and the files the package ships beside its code.

Every default path is named once, here, so that no module works out a location from its own
``__file__``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
TEMPLATES = PACKAGE_DIR / "templates"
VOILA_CONFIG = PACKAGE_DIR / "voila_config"

PARAMETERS_DIR = PROJECT_ROOT / "parameters"
DEFAULT_CATALOGUE = PARAMETERS_DIR / "catalogue.yaml"
SCENARIO_DIR = PARAMETERS_DIR / "weights"
PERFORMANCE_RULE = PARAMETERS_DIR / "county_performance.yaml"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "workbench.db"

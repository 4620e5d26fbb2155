"""Files in and out: imports validated cell by cell (all-or-nothing), declared input shapes,
exports, and the parameter files (catalogue, weights scenarios).
"""

from .excel import save_workbook, write_workbook
from .exports import csv_bytes, export_table, write_tables
from .importing import check_entries, import_entries, import_matters, import_units
from .parameters import list_scenarios, load_catalogue, load_scenario, load_weights, save_scenario
from .reading import read_table, workbook_problem
from .tables import Failures

__all__ = [
    "Failures",
    "check_entries",
    "csv_bytes",
    "export_table",
    "import_entries",
    "import_matters",
    "import_units",
    "list_scenarios",
    "load_catalogue",
    "load_scenario",
    "load_weights",
    "save_scenario",
    "read_table",
    "save_workbook",
    "write_tables",
    "workbook_problem",
    "write_workbook",
]

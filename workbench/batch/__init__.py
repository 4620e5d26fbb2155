"""The yearly papermill batch: a year's parameters checked, every round's report notebook run,
HTML, tables and letters written, an index and a manifest per year.
"""

from .run import default_jobs, run_batch

__all__ = [
    "default_jobs",
    "run_batch",
]

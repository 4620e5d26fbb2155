"""TODO."""

from .run import default_jobs, run_batch

__all__ = [
    "default_jobs",
    "run_batch",
]

"""TODO."""

from .form import open_explorer

__all__ = [
    "open_explorer",
]

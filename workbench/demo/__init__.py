"""TODO."""

from .build import build_demo

__all__ = [
    "build_demo",
]

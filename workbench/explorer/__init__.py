"""The policy researchers' weight explorer: sliders, scenarios, robustness and overtaking, live."""

from .form import open_explorer

__all__ = [
    "open_explorer",
]

"""The deterministic demo archive: Weifang and its 12 county-level areas, 2018–2021, with the
follow-through and county filings carried out.
"""

from .build import build_demo

__all__ = [
    "build_demo",
]

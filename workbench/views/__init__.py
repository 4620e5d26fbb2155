"""TODO."""

from .charts import band_distribution, to_svg, use_offline_renderer
from .html import html_table

__all__ = [
    "band_distribution",
    "html_table",
    "to_svg",
    "use_offline_renderer",
]

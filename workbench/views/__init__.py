"""Charts and HTML tables as functions of data: a DataFrame in, an Altair chart or an HTML string out.

No archive, no widgets: every view is tested on its ``to_dict()`` spec or its markup. Charts render
offline (inline SVG, or the anywidget renderer), never from a CDN.
"""

from .charts import band_distribution, to_svg, use_offline_renderer
from .html import html_table

__all__ = [
    "band_distribution",
    "html_table",
    "to_svg",
    "use_offline_renderer",
]

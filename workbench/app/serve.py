"""``workbench app``: the officers' app through Voilà, with the dashboard's serving code.

Same checked-in configuration as the leaders' dashboard (sources stripped, no CDN, no files
served); unlike it, the kernel opens the archive for writing, since officers work in the page.
"""

from __future__ import annotations

import os

from workbench.archive import Archive, resolve_url
from workbench.dashboard import DEFAULT_HOST, serve_notebook
from workbench.labels import default_lang, register
from workbench.paths import NOTEBOOKS_DIR

NOTEBOOK = NOTEBOOKS_DIR / "officer_app.ipynb"
DEFAULT_APP_PORT = 8867

register({
    "app_address": {"zh": "问效工作台地址", "en": "Officers' app at"},
})


def serve_app(db: str | None, host: str = DEFAULT_HOST, port: int = DEFAULT_APP_PORT, token: str | None = None,
              lang: str | None = None, officer: str | None = None) -> None:
    """Open (or create) the archive and serve the officers' app until interrupted."""
    url = resolve_url(db)
    Archive(url).dispose()  # creates the tables of a new archive; fails here, clearly, if it cannot
    if officer:
        os.environ["WORKBENCH_OFFICER"] = officer
    serve_notebook(NOTEBOOK, url, lang or default_lang(), host, port, token, "app_address")

"""The officers' app: one page that walks a round step by step (``workbench app``)."""

from .pages import PAGES, page_status
from .serve import DEFAULT_APP_PORT, serve_app
from .shell import AppPage, OfficerApp, officer_app

__all__ = ["DEFAULT_APP_PORT", "PAGES", "AppPage", "OfficerApp", "officer_app", "page_status", "serve_app"]

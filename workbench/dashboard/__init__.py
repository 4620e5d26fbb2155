"""The leaders' read-only dashboard: its data (pure), its page (Voilà) and the server."""

from .serve import DEFAULT_HOST, DEFAULT_PORT, serve_dashboard, serve_notebook
from .view import show_dashboard

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "serve_dashboard",
    "serve_notebook",
    "show_dashboard",
]

"""TODO."""

from .serve import DEFAULT_HOST, DEFAULT_PORT, serve_dashboard
from .view import show_dashboard

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "serve_dashboard",
    "show_dashboard",
]

"""``workbench app``: the officers' app."""

from __future__ import annotations

import argparse

from workbench.app import DEFAULT_APP_PORT, serve_app
from workbench.dashboard import DEFAULT_HOST

from .common import db_option


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("app", help="serve the officers' app: a round step by step in the browser (Voilà, offline)")
    db_option(p)
    p.add_argument("--port", type=int, default=DEFAULT_APP_PORT, help=f"default {DEFAULT_APP_PORT}")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--token", help="require ?token=… in the address (default: no token)")
    p.add_argument("--lang", dest="app_lang", choices=["zh", "en"], help="the page's language (default zh)")
    p.add_argument("--officer", help="the officer's name, pre-filled in the page")
    p.set_defaults(func=cmd_app)


def cmd_app(args: argparse.Namespace) -> int:
    serve_app(args.db, args.host, args.port, args.token, args.app_lang or args.lang, args.officer)
    return 0

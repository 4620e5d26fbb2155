"""``workbench serve``: the leaders' dashboard."""

from __future__ import annotations

import argparse

from workbench.dashboard import DEFAULT_HOST, DEFAULT_PORT, serve_dashboard

from .common import db_option


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="serve the leaders' dashboard (Voilà, read-only, offline)")
    db_option(p)
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--token", help="require ?token=… in the address (default: no token)")
    p.add_argument("--lang", dest="serve_lang", choices=["zh", "en"],
                   help="the page's starting language (default zh; a switch on the page changes it)")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    serve_dashboard(args.db, args.host, args.port, args.token, args.serve_lang or args.lang)
    return 0

"""``workbench serve``: the leaders' dashboard through Voilà, read-only and offline.

The Voilà configuration is checked in under ``workbench/voila_config/``: ``voila.json`` (sources
stripped, tracebacks hidden, a per-cell timeout, idle kernels culled, a preheated kernel so the
page is ready when a leader opens it, no files served) and the ``workbench`` template (Voilà's lab
template minus its CDN links). Voilà itself forwards only widget (comm) and kernel-info messages
from the browser to the kernel, so a page cannot execute code; the kernel opens the archive
read-only (SQLite ``mode=ro``; read-only transactions on PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .labels import register, t

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_DIR = PACKAGE_DIR / "voila_config"
NOTEBOOK = PACKAGE_DIR.parent / "notebooks" / "dashboard.ipynb"
DEFAULT_PORT = 8866
DEFAULT_HOST = "127.0.0.1"

register({
    "serve_address": {"zh": "领导看板地址", "en": "Leaders' dashboard at"},
    "serve_stop": {"zh": "按 Ctrl+C 停止", "en": "press Ctrl+C to stop"},
    "serve_open_warning": {
        "zh": "注意:在 {host} 上监听且未设置 --token,同一网络中的任何人都能打开看板",
        "en": "warning: listening on {host} without --token; anyone on the network can open the dashboard",
    },
})
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    from .cli import db_option

    p = subparsers.add_parser("serve", help="serve the leaders' dashboard (Voilà, read-only, offline)")
    db_option(p)
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--token", help="require ?token=… in the address (default: no token)")
    p.add_argument("--lang", dest="serve_lang", choices=["zh", "en"],
                   help="the page's starting language (default zh; a switch on the page changes it)")
    p.set_defaults(func=cmd_serve)


def dashboard_url(host: str, port: int, token: str | None = None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def voila_argv(host: str, port: int, token: str | None = None) -> list[str]:
    argv = [str(NOTEBOOK), f"--Voila.ip={host}", f"--Voila.port={port}"]
    if token:
        argv.append(f"--Voila.token={token}")
    return argv


def kernel_environment(url: str, lang: str) -> dict[str, str]:
    """What the dashboard kernel reads: the archive, the language, where the template lives."""
    paths = [str(CONFIG_DIR), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {"WORKBENCH_DB": url, "WORKBENCH_LANG": lang, "JUPYTER_PATH": os.pathsep.join(paths)}


def cmd_serve(args: argparse.Namespace) -> int:
    from .archive import Archive, resolve_url
    from .labels import default_lang

    url = resolve_url(args.db)
    Archive(url, read_only=True).dispose()  # fail here, clearly, if the archive is not there
    lang = args.serve_lang or args.lang or default_lang()
    os.environ.update(kernel_environment(url, lang))
    if args.host not in LOOPBACK and not args.token:
        print(t("serve_open_warning", lang, host=args.host), file=sys.stderr)
    print(f"{t('serve_address', lang)}: {dashboard_url(args.host, args.port, args.token)}"
          f"  ({t('serve_stop', lang)})", flush=True)
    from voila.app import Voila

    Voila.launch_instance(argv=voila_argv(args.host, args.port, args.token),
                          config_file_paths=[str(CONFIG_DIR)])
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m workbench.serve` for debugging
    sys.exit(cmd_serve(argparse.Namespace(db=None, port=DEFAULT_PORT, host=DEFAULT_HOST, token=None,
                                          serve_lang=None, lang=None)))

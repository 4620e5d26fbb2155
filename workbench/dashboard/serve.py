"""``workbench serve``: the leaders' dashboard through Voilà, read-only and offline.

The Voilà configuration is checked in under ``workbench/voila_config/``: ``voila.json`` (sources
stripped, tracebacks hidden, a per-cell timeout, idle kernels culled, a preheated kernel so the
page is ready when a leader opens it, no files served) and the ``workbench`` template (Voilà's lab
template minus its CDN links). ``voila.json`` also sets the security headers of every page: a
Content-Security-Policy of ``default-src 'self'`` that allows no remote script, no eval, no plugin
and no framing (``frame-ancestors 'none'``, and ``X-Frame-Options: DENY`` for old browsers),
``Referrer-Policy: no-referrer`` and ``X-Content-Type-Options: nosniff``. Inline script and style
are allowed because Voilà's page boots from inline ``<script>`` blocks and widgets set inline
styles (measured: without ``'unsafe-inline'`` the dashboard does not render; without
``'unsafe-eval'`` it does), and ``img-src data:`` for the inline chart images. Voilà itself forwards only widget (comm) and kernel-info messages
from the browser to the kernel, so a page cannot execute code; the kernel opens the archive
read-only (SQLite ``mode=ro``; read-only transactions on PostgreSQL).
"""

from __future__ import annotations

import os
import sys

from workbench.archive import Archive, resolve_url
from workbench.labels import default_lang, register, t
from workbench.paths import NOTEBOOKS_DIR, VOILA_CONFIG, project_root

CONFIG_DIR = VOILA_CONFIG
NOTEBOOK = NOTEBOOKS_DIR / "dashboard.ipynb"
DEFAULT_PORT = 8866
DEFAULT_HOST = "127.0.0.1"

register({
    "serve_address": {"zh": "领导看板地址", "en": "Leaders' dashboard at"},
    "serve_stop": {"zh": "按 Ctrl+C 停止", "en": "press Ctrl+C to stop"},
    "serve_open_warning": {
        "zh": "注意:在 {host} 上监听且未设置 --token,同一网络中的任何人都能打开此页面",
        "en": "warning: listening on {host} without --token; anyone on the network can open the page",
    },
})
LOOPBACK = {"127.0.0.1", "localhost", "::1"}




def dashboard_url(host: str, port: int, token: str | None = None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def voila_argv(host: str, port: int, token: str | None = None, notebook=NOTEBOOK) -> list[str]:
    argv = [str(notebook), f"--Voila.ip={host}", f"--Voila.port={port}"]
    if token:
        argv.append(f"--Voila.token={token}")
    return argv


def kernel_environment(url: str, lang: str) -> dict[str, str]:
    """What the dashboard kernel reads: the archive, the language, where the template lives."""
    paths = [str(CONFIG_DIR), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {"WORKBENCH_DB": url, "WORKBENCH_LANG": lang, "JUPYTER_PATH": os.pathsep.join(paths),
            "WORKBENCH_PROJECT": str(project_root())}


def serve_notebook(notebook, url: str, lang: str, host: str, port: int, token: str | None,
                   address_key: str) -> None:
    """Serve one notebook as a page with the checked-in Voilà configuration until interrupted:
    the dashboard, and the officers' app (whose kernel opens the archive for writing)."""
    os.environ.update(kernel_environment(url, lang))
    if host not in LOOPBACK and not token:
        print(t("serve_open_warning", lang, host=host), file=sys.stderr)
    print(f"{t(address_key, lang)}: {dashboard_url(host, port, token)}"
          f"  ({t('serve_stop', lang)})", flush=True)
    from voila.app import Voila  # heavy (Jupyter server); only when serving

    Voila.launch_instance(argv=voila_argv(host, port, token, notebook), config_file_paths=[str(CONFIG_DIR)])


def serve_dashboard(db: str | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                    token: str | None = None, lang: str | None = None) -> None:
    """Open the archive read-only and serve the dashboard with Voilà until interrupted."""
    url = resolve_url(db)
    Archive(url, read_only=True).dispose()  # fail here, clearly, if the archive is not there
    serve_notebook(NOTEBOOK, url, lang or default_lang(), host, port, token, "serve_address")

"""Files in and out of the browser: what a form writes is offered as a download in the page.

An officer's browser may be on another machine than the kernel, and the kernel's folders are not
served (Voilà's ``file_allowlist`` is empty), so a produced file travels inside the page as a
``data:`` link with a ``download`` name: no server path, no extra route, nothing from a CDN.
Files an officer brings come in through ``ipywidgets.FileUpload`` (see the forms).
"""

from __future__ import annotations

import base64
import html
import mimetypes
from collections.abc import Iterable
from pathlib import Path

MIME = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".zip": "application/zip", ".html": "text/html", ".csv": "text/csv"}


def download_link(name: str, data: bytes) -> str:
    """One ``<a download>`` link carrying ``data`` under the file name ``name``."""
    suffix = Path(name).suffix.lower()
    mime = MIME.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    href = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return (f'<a class="wb-download" download="{html.escape(name)}" href="{href}" '
            f'style="display:inline-block;margin:2px 8px 2px 0;padding:3px 10px;border:1px solid #1976d2;'
            f'border-radius:3px;color:#1976d2;text-decoration:none">⬇ {html.escape(name)}</a>')


def download_links(files: Iterable[Path | tuple[str, bytes]]) -> str:
    """Links for written files (paths) or in-memory ones (name, bytes), in the order given."""
    links = [download_link(f.name, f.read_bytes()) if isinstance(f, Path) else download_link(*f) for f in files]
    return f'<div class="wb-downloads">{"".join(links)}</div>' if links else ""


def uploaded(upload) -> list[tuple[str, bytes]]:
    """(name, content) of every file in an ``ipywidgets.FileUpload``."""
    return [(f["name"], bytes(f["content"])) for f in upload.value]

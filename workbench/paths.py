"""Where things are, and how a file gets there.

Every default path is named once, here, so that no module works out a location from its own
``__file__``. Every file the package writes goes through ``atomic_write`` or ``atomic_path``:
a reader (or a crash) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
TEMPLATES = PACKAGE_DIR / "templates"
VOILA_CONFIG = PACKAGE_DIR / "voila_config"

PARAMETERS_DIR = PROJECT_ROOT / "parameters"
DEFAULT_CATALOGUE = PARAMETERS_DIR / "catalogue.yaml"
SCENARIO_DIR = PARAMETERS_DIR / "weights"
PERFORMANCE_RULE = PARAMETERS_DIR / "county_performance.yaml"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "workbench.db"


# ------------------------------------------------------------------ writing files
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _temporary(path: Path) -> tuple[int, Path]:
    """A new, empty file beside ``path`` with a random name, open for writing. Created
    exclusively: a file or a symlink planted at that name makes the attempt fail instead of
    being followed. Mode 0o666 less the umask, like any new file (mkstemp's files would be
    private to their owner)."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, _CREATE, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


@contextlib.contextmanager
def _replacing(path: str | Path) -> Iterator[tuple[int, Path]]:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        yield fd, tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder (an empty file) for a writer that wants a
    path (pandas, openpyxl, zipfile); it replaces ``path`` when the block ends without an
    exception and is removed when it raises. Makes the folder if need be."""
    with _replacing(path) as (fd, tmp):
        os.close(fd)
        yield tmp


def atomic_write(path: str | Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` all at once (see ``atomic_path``); text as ``Path.write_text``
    writes it (line ends as the platform's)."""
    path = Path(path)
    if isinstance(data, str):
        data = data.replace("\n", os.linesep).encode(encoding)
    with _replacing(path) as (fd, _), open(fd, "wb") as f:
        f.write(data)
    return path

"""Where things are, and how a file gets there.

Every default path is named once, here, so that no module works out a location from its own
``__file__``. Every file the package writes goes through ``atomic_write`` or ``atomic_path``:
a reader (or a crash) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_DIR / "templates"
VOILA_CONFIG = PACKAGE_DIR / "voila_config"

# The shipped defaults (parameters/, notebooks/): the checkout's top-level folders when run from a
# checkout, else the copies the wheel carries inside the package (pyproject maps them there).
_CHECKOUT = PACKAGE_DIR.parent
IN_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "parameters").is_dir()
SHIPPED = _CHECKOUT if IN_CHECKOUT else PACKAGE_DIR
SHIPPED_PARAMETERS = SHIPPED / "parameters"
NOTEBOOKS_DIR = SHIPPED / "notebooks"
PROJECT_DIRS = ("parameters", "reports", "data")


def project_root() -> Path:
    """The office's project folder, which holds ``parameters/``, ``reports/`` and ``data/``:
    ``--project DIR`` (``WORKBENCH_PROJECT``); else the current folder if it has ``parameters/``
    (made by ``workbench new``); else the checkout when run from one; else the current folder."""
    env = os.environ.get("WORKBENCH_PROJECT")
    if env:
        return Path(env).resolve()
    cwd = Path.cwd()
    if (cwd / "parameters").is_dir() or not IN_CHECKOUT:
        return cwd
    return _CHECKOUT


def create_project(directory: str | Path) -> Path:
    """``workbench new DIR``: a project folder with the shipped ``parameters/`` (organisation,
    catalogue, weights, yearly batch parameters, county performance rule) to edit, and empty
    ``reports/`` and ``data/``. An existing ``parameters/`` is never overwritten."""
    root = Path(directory).resolve()
    target = root / "parameters"
    if target.exists():
        raise FileExistsError(target)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SHIPPED_PARAMETERS, target, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))
    for name in ("reports", "data"):
        (root / name).mkdir(exist_ok=True)
    return root


def parameters_dir() -> Path:
    """The project's ``parameters/`` if it has one, else the shipped defaults."""
    own = project_root() / "parameters"
    return own if own.is_dir() else SHIPPED_PARAMETERS


def parameter_file(name: str) -> Path:
    """One parameter file: the project's copy if it has it, else the shipped default."""
    own = project_root() / "parameters" / name
    return own if own.exists() else SHIPPED_PARAMETERS / name


def default_db_path() -> Path:
    return project_root() / "data" / "workbench.db"


def reports_dir() -> Path:
    return project_root() / "reports"


PROJECT_ROOT = project_root()
PARAMETERS_DIR = parameters_dir()
DEFAULT_CATALOGUE = parameter_file("catalogue.yaml")
SCENARIO_DIR = parameter_file("weights")
PERFORMANCE_RULE = parameter_file("county_performance.yaml")
DEFAULT_ORGANISATION = parameter_file("organisation.yaml")
REPORTS_DIR = reports_dir()
DEFAULT_DB_PATH = default_db_path()


# ------------------------------------------------------------------ writing files
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _sweep_dead(path: Path) -> None:
    """Remove the temporary files a killed writer left beside ``path``: their names carry the
    writer's pid, and a pid that no longer runs will never finish them (issue 11)."""
    for old in path.parent.glob(f".{glob.escape(path.name)}.*-*.tmp"):
        try:
            os.kill(int(old.name[len(path.name) + 2:].split("-")[0]), 0)
        except ProcessLookupError:
            old.unlink(missing_ok=True)
        except (ValueError, PermissionError, OverflowError):
            continue  # not ours, or another user's live process


def _temporary(path: Path) -> tuple[int, Path]:
    """A new, empty file beside ``path`` with a random name, open for writing. Created
    exclusively: a file or a symlink planted at that name makes the attempt fail instead of
    being followed. Mode 0o666 less the umask, like any new file (mkstemp's files would be
    private to their owner)."""
    _sweep_dead(path)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
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

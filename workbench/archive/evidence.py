"""Evidence files (scans, photos, spreadsheets) attached to verified entries.

Each file's bytes are stored once, named by their SHA-256, in an ``evidence/`` folder beside the
archive (``data/evidence/`` for ``data/workbench.db``; ``WORKBENCH_EVIDENCE_DIR`` for a shared
PostgreSQL deployment). The ``evidence`` table says which matter and indicator a file supports,
under which name, who added it and when; attaching the same file to the same indicator twice adds
nothing.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from workbench.errors import WorkbenchError
from workbench.labels import register, t
from workbench.paths import atomic_write, default_db_path

from .schema import evidence
from .store import Archive, now, sqlite_path

MAX_BYTES = 50 * 1024 * 1024


register({
    "wt_evidence": {"zh": "佐证材料", "en": "Evidence files"},
    "wt_evidence_file": {"zh": "文件名", "en": "File"},
    "wt_evidence_added_by": {"zh": "上传人", "en": "Added by"},
    "wt_evidence_added_at": {"zh": "上传时间", "en": "Added at"},
    "wt_evidence_empty": {"zh": "文件为空", "en": "the file is empty"},
    "wt_evidence_too_big": {"zh": "文件超过 50 MB", "en": "the file is larger than 50 MB"},
})


def evidence_dir(archive: Archive) -> Path:
    """``evidence/`` beside a SQLite archive; ``$WORKBENCH_EVIDENCE_DIR`` or ``data/evidence``."""
    env = os.environ.get("WORKBENCH_EVIDENCE_DIR")
    if env:
        return Path(env)
    path = sqlite_path(archive.url)
    return (path.parent if path else default_db_path().parent) / "evidence"


def blob_path(archive: Archive, sha256: str) -> Path:
    return evidence_dir(archive) / sha256[:2] / sha256


def add_evidence(archive: Archive, round_id: str, matter_id: str, indicator_id: str,
                 filename: str, content: bytes, added_by: str = "", lang: str | None = None) -> str:
    """Store ``content`` once (by SHA-256) and record it against the entry; returns the hash."""
    if not content:
        raise WorkbenchError(f"{filename}: {t('wt_evidence_empty', lang)}")
    if len(content) > MAX_BYTES:
        raise WorkbenchError(f"{filename}: {t('wt_evidence_too_big', lang)}")
    digest = hashlib.sha256(content).hexdigest()
    target = blob_path(archive, digest)
    if not target.exists():
        atomic_write(target, content)
    name = Path(filename).name
    with archive.engine.begin() as conn:
        seen = conn.execute(sa.select(evidence.c.evidence_id).where(
            evidence.c.round_id == round_id, evidence.c.matter_id == matter_id,
            evidence.c.indicator_id == indicator_id, evidence.c.sha256 == digest)).first()
        if not seen:
            conn.execute(evidence.insert().values(
                round_id=round_id, matter_id=matter_id, indicator_id=indicator_id, sha256=digest,
                filename=name, size=len(content), added_by=added_by, added_at=now()))
    return digest


def list_evidence(archive: Archive, round_id: str, matter_id: str | None = None) -> pd.DataFrame:
    where = [evidence.c.round_id == round_id]
    if matter_id:
        where.append(evidence.c.matter_id == matter_id)
    return archive.read(evidence, *where, order_by=evidence.c.evidence_id)


def read_evidence(archive: Archive, sha256: str) -> bytes:
    return blob_path(archive, sha256).read_bytes()

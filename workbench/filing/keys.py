"""County offices' signing keys (Ed25519) and the city's register of them.

Each county office holds a private key (``new_key_pair``: a PEM file readable by its owner only)
and gives the city its public key; the city registers it for that county's area
(``register_key``: who and when, in ``filing_keys``) and may revoke it (``revoke_key``). A filing
package carries ``manifest.sig``, the signature over the exact bytes of ``manifest.json``; the
manifest names the key (``key_id``, the SHA-256 of the raw public key) and lists the SHA-256 of
every other entry, so one signature covers the whole package. ``check_signature`` is the city's
side: unsigned, a bad signature, an unknown key, a key of another area or a revoked key are each
refused with the reason.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from workbench.archive import Archive, filing_keys, now, sqlite_path
from workbench.errors import NotFoundError, StateError, WorkbenchError
from workbench.labels import register, t
from workbench.paths import default_db_path

SIGNATURE_ENTRY = "manifest.sig"
_AREA = re.compile(r"^\d{6}$")

register({
    "key_err_area": {"zh": "地区代码 {area} 不是本市所辖县级区划代码", "en": "area {area} is not a county this office oversees"},
    "key_err_area_code": {"zh": "地区代码 {area} 不是 6 位区划代码", "en": "area {area} is not a 6-digit division code"},
    "key_err_exists": {"zh": "{path} 已存在,未覆盖;另选 --out 目录或先移走旧密钥",
                       "en": "{path} already exists and was not overwritten; choose another --out or move the old key"},
    "key_err_read": {"zh": "{path}:不是 Ed25519 {kind}({why})", "en": "{path}: not an Ed25519 {kind} ({why})"},
    "key_err_open": {"zh": "{path}:私钥文件可被其他用户读取(权限 {mode});请执行 chmod 600 {path}",
                     "en": "{path}: the private key is readable by other users (mode {mode}); run chmod 600 {path}"},
    "key_err_other_area": {"zh": "该公钥已登记给 {other},不能再登记给 {area}",
                           "en": "this public key is registered for {other}; it cannot also be registered for {area}"},
    "key_err_unknown": {"zh": "密钥 {key_id} 未登记", "en": "key {key_id} is not registered"},
    "key_err_revoked": {"zh": "密钥 {key_id} 已于 {at} 注销", "en": "key {key_id} was revoked on {at}"},
    "key_err_register_by": {"zh": "登记公钥须写明经办人(--by)", "en": "registering a key needs who (--by)"},
    "key_err_revoke_reason": {"zh": "注销密钥须写明经办人和理由", "en": "revoking a key needs who and why"},
    "key_private": {"zh": "私钥", "en": "private key"},
    "key_public": {"zh": "公钥", "en": "public key"},
    "sig_err_unsigned": {"zh": "报备包未签名(缺 manifest.sig 或清单未写明 key_id);请用 workbench file --key 私钥 重新生成",
                         "en": "the package is not signed (no manifest.sig or no key_id in the manifest); "
                               "rebuild it with `workbench file --key PRIVATE_KEY`"},
    "sig_err_bad": {"zh": "manifest.sig 签名与 manifest.json 不符(清单被改动或签名伪造)",
                    "en": "manifest.sig does not verify against manifest.json (manifest altered or signature forged)"},
    "sig_err_unknown": {"zh": "签名密钥 {key_id} 未在市级登记;请县级编办报送公钥并由市编办执行 workbench keys register",
                        "en": "signing key {key_id} is not registered with the city; the county sends its public key "
                              "and the city runs `workbench keys register`"},
    "sig_err_area": {"zh": "签名密钥 {key_id} 登记给 {other},而报备包属于 {area}",
                     "en": "signing key {key_id} is registered for {other}, the package is for {area}"},
    "sig_err_revoked": {"zh": "签名密钥 {key_id} 已于 {at} 注销", "en": "signing key {key_id} was revoked on {at}"},
    "key_written": {"zh": "{area} 的私钥已写入 {path}(仅本人可读,妥善保管);公钥如下,报送市编办登记:",
                    "en": "{area}: private key written to {path} (owner-only; keep it safe); the public key, "
                          "for the city to register:"},
    "key_registered": {"zh": "已登记 {area} 的公钥 {key_id}", "en": "registered {area}'s public key {key_id}"},
    "key_revoked": {"zh": "已注销密钥 {key_id}", "en": "revoked key {key_id}"},
})


class SigningKeyError(WorkbenchError):
    """A key that cannot be made, read, registered or revoked."""


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def new_key_pair(area: str, out_dir: str | Path) -> tuple[Path, Path, str]:
    """Write ``AREA.key`` (owner-only, created exclusively: never over an old key) and ``AREA.pub``;
    returns (private path, public path, public PEM)."""
    if not _AREA.match(str(area)):
        raise SigningKeyError(t("key_err_area_code", area=area))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    private, public = out / f"{area}.key", out / f"{area}.pub"
    for p in (private, public):
        if p.exists() or p.is_symlink():
            raise SigningKeyError(t("key_err_exists", path=p))
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    text = public_pem(key.public_key())
    public.write_text(text, encoding="ascii")
    return private, public, text


def default_key_path(archive: Archive, area: str) -> Path:
    """Where the demo keeps a county's private key: ``keys/AREA.key`` beside the archive file (never
    committed: ``keys/`` is ignored); for a PostgreSQL archive, beside the default SQLite path."""
    db = sqlite_path(archive.url) or default_db_path()
    return db.parent / "keys" / f"{area}.key"


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{t('err_file_missing')}: {path}")
    mode = path.stat().st_mode & 0o777
    if os.name == "posix" and mode & 0o077:
        raise SigningKeyError(t("key_err_open", path=path, mode=oct(mode)))
    try:
        key = serialization.load_pem_private_key(path.read_bytes()[:10_000], password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(t("key_err_read", path=path, kind=t("key_private"), why=exc)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(t("key_err_read", path=path, kind=t("key_private"), why=type(key).__name__))
    return key


def load_public_key(data: bytes, path: str | Path = "") -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(data[:10_000])
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(t("key_err_read", path=path, kind=t("key_public"), why=exc)) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(t("key_err_read", path=path, kind=t("key_public"), why=type(key).__name__))
    return key


def sign(manifest_bytes: bytes, key: Ed25519PrivateKey) -> bytes:
    """``manifest.sig``: the base64 signature over the manifest's exact bytes."""
    return base64.b64encode(key.sign(manifest_bytes)) + b"\n"


# --------------------------------------------------------------------------- the city's register
def read_keys(archive: Archive) -> pd.DataFrame:
    return archive.read(filing_keys, order_by=[filing_keys.c.area, filing_keys.c.registered_at])


def register_key(archive: Archive, area: str, public: bytes, by: str, path: str | Path = "",
                 at: datetime | None = None) -> str:
    """Register a county's public key for its area; the same key again changes nothing."""
    if not (by or "").strip():
        raise SigningKeyError(t("key_err_register_by"))
    if str(area) not in archive.organisation().counties:
        raise SigningKeyError(t("key_err_area", area=area))
    key = load_public_key(public, path)
    kid = key_id(key)
    with archive.engine.begin() as conn:
        old = conn.execute(sa.select(filing_keys.c.area).where(filing_keys.c.key_id == kid)).first()
        if old is not None and old.area != str(area):
            raise SigningKeyError(t("key_err_other_area", other=old.area, area=area))
        if old is None:
            conn.execute(filing_keys.insert().values(key_id=kid, area=str(area), public_key=public_pem(key),
                                                     registered_by=by.strip()[:60], registered_at=at or now()))
    return kid


def revoke_key(archive: Archive, kid: str, by: str, reason: str, at: datetime | None = None) -> None:
    """A revoked key signs nothing the city will receive from then on."""
    if not (by or "").strip() or not (reason or "").strip():
        raise SigningKeyError(t("key_err_revoke_reason"))
    row = archive.read(filing_keys, filing_keys.c.key_id == kid)
    if row.empty:
        raise NotFoundError(t("key_err_unknown", key_id=kid))
    if pd.notna(row.iloc[0]["revoked_at"]):
        raise StateError(t("key_err_revoked", key_id=kid, at=row.iloc[0]["revoked_at"]))
    with archive.engine.begin() as conn:
        conn.execute(filing_keys.update().where(filing_keys.c.key_id == kid).values(
            revoked_by=by.strip()[:60], revoked_at=at or now(), revoke_reason=reason.strip()))


def check_signature(archive: Archive, manifest: dict, manifest_bytes: bytes, signature: bytes | None) -> list[str]:
    """Why the city cannot trust who signed this manifest (empty: signed by the area's live key)."""
    kid = manifest.get("key_id")
    if signature is None or not isinstance(kid, str):
        return [t("sig_err_unsigned")]
    row = archive.read(filing_keys, filing_keys.c.key_id == kid) if re.fullmatch(r"[0-9a-f]{64}", kid) else None
    if row is None or row.empty:
        return [t("sig_err_unknown", key_id=kid[:64])]
    rec = row.iloc[0]
    if rec["area"] != manifest.get("area"):
        return [t("sig_err_area", key_id=kid[:12], other=rec["area"], area=manifest.get("area"))]
    if pd.notna(rec["revoked_at"]):
        return [t("sig_err_revoked", key_id=kid[:12], at=rec["revoked_at"])]
    try:
        load_public_key(rec["public_key"].encode()).verify(base64.b64decode(signature.strip(), validate=True),
                                                           manifest_bytes)
    except (InvalidSignature, binascii.Error, ValueError):
        return [t("sig_err_bad")]
    return []

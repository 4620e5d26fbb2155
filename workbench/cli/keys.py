"""``workbench keys``: county offices' signing keys for filing packages (new, register, revoke, list)."""

from __future__ import annotations

from pathlib import Path

from workbench.archive import Archive
from workbench.errors import NotFoundError
from workbench.filing import new_key_pair, read_keys, register_key, revoke_key
from workbench.labels import register, t

from .common import by_option, db_option, format_table

register({
    "key_id": {"zh": "密钥编号", "en": "Key"},
    "registered_by": {"zh": "登记人", "en": "Registered by"},
    "registered_at": {"zh": "登记时间", "en": "Registered at"},
    "revoked_by": {"zh": "注销人", "en": "Revoked by"},
    "revoked_at": {"zh": "注销时间", "en": "Revoked at"},
    "revoke_reason": {"zh": "注销原因", "en": "Why revoked"},
})


def add_cli(sub) -> None:
    keys = sub.add_parser("keys", help="signing keys of county filing packages (报备包签名密钥)")
    ks = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    p = ks.add_parser("new", help="county office: make a key pair (private key file 0600; prints the public key)")
    p.add_argument("--area", required=True, help="the county's 6-digit division code")
    p.add_argument("--out", type=Path, required=True, help="folder for AREA.key and AREA.pub")
    p.set_defaults(func=_cmd_new)
    p = ks.add_parser("register", help="city office: register a county's public key")
    p.add_argument("--area", required=True, help="the county's 6-digit division code")
    p.add_argument("public_key", type=Path, metavar="PUBLIC_KEY_FILE")
    by_option(p, help="who registers it")
    db_option(p)
    p.set_defaults(func=_cmd_register)
    p = ks.add_parser("revoke", help="city office: revoke a registered key (packages it signs are refused)")
    p.add_argument("key_id", metavar="KEY_ID")
    by_option(p, help="who revokes it")
    p.add_argument("--reason", required=True)
    db_option(p)
    p.set_defaults(func=_cmd_revoke)
    p = ks.add_parser("list", help="the registered keys")
    db_option(p)
    p.set_defaults(func=_cmd_list)


def _cmd_new(args) -> int:
    private, _, pem = new_key_pair(args.area, args.out)
    print(t("key_written", args.lang, area=args.area, path=private))
    print(pem, end="")
    return 0


def _cmd_register(args) -> int:
    if not args.public_key.is_file():
        raise NotFoundError(f"{t('err_file_missing', args.lang)}: {args.public_key}")
    kid = register_key(Archive(args.db), args.area, args.public_key.read_bytes()[:10_000], args.by, args.public_key)
    print(t("key_registered", args.lang, area=args.area, key_id=kid))
    return 0


def _cmd_revoke(args) -> int:
    revoke_key(Archive(args.db), args.key_id, args.by, args.reason)
    print(t("key_revoked", args.lang, key_id=args.key_id))
    return 0


def _cmd_list(args) -> int:
    keys = read_keys(Archive(args.db, read_only=True)).drop(columns="public_key").astype(object)
    print(format_table(keys.where(keys.notna(), "—"), args.lang))  # a key never revoked: "—", not None
    return 0

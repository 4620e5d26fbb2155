"""``workbench users``: the people of a shared PostgreSQL archive and what the database lets
them do (archive/access.py). Run as the database owner; SQLite archives have no users."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from workbench.archive import add_user, disable_user, install, list_users
from workbench.labels import register, t

from .common import db_option, format_table, open_archive

register({
    "users_setup_done": {"zh": "已安装权限、行级安全与审计(组角色 {groups})",
                         "en": "grants, row-level security and audit installed (group roles {groups})"},
    "user_added": {"zh": "已添加用户 {login}({role},{area})", "en": "user {login} added ({role}, {area})"},
    "user_disabled": {"zh": "已停用用户 {login}", "en": "user {login} disabled"},
    "login": {"zh": "登录名", "en": "Login"},
    "role": {"zh": "角色", "en": "Role"},
    "active": {"zh": "可登录", "en": "Active"},
    "user_role_officer": {"zh": "经办人员", "en": "officer"},
    "user_role_leader": {"zh": "领导", "en": "leader"},
    "user_role_admin": {"zh": "管理员", "en": "admin"},
})


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="users and roles of a shared PostgreSQL archive")
    usub = p.add_subparsers(dest="users_command", required=True)

    c = usub.add_parser("setup", help="install roles, grants, row-level security and the audit trail")
    db_option(c)
    c.set_defaults(func=cmd_setup, archive_must_exist=False)  # PostgreSQL only: SQLite is refused as such

    c = usub.add_parser("add", help="add a user: an archive row and a PostgreSQL login role")
    c.add_argument("login")
    c.add_argument("--area", required=True, help="city (the office's own area) or a subordinate's code")
    c.add_argument("--role", required=True, choices=["officer", "leader", "admin"])
    c.add_argument("--unit", help="the unit the user belongs to (recused from verifying it)")
    c.add_argument("--password-file", type=Path,
                   help="file whose first line is the database password (default: none, sign-in as pg_hba.conf allows)")
    db_option(c)
    c.set_defaults(func=cmd_add, archive_must_exist=False)  # PostgreSQL only: SQLite is refused as such

    c = usub.add_parser("list", help="list the users")
    db_option(c)
    c.set_defaults(func=cmd_list, archive_must_exist=False)  # PostgreSQL only: SQLite is refused as such

    c = usub.add_parser("disable", help="stop a user signing in (the name stays in the archive)")
    c.add_argument("login")
    db_option(c)
    c.set_defaults(func=cmd_disable, archive_must_exist=False)  # PostgreSQL only: SQLite is refused as such


def cmd_setup(args) -> int:
    groups = install(open_archive(args))
    print(t("users_setup_done", groups=", ".join(groups.values())))
    return 0


def cmd_add(args) -> int:
    password = None
    if args.password_file:
        password = args.password_file.read_text(encoding="utf-8").splitlines()[0].strip()
    add_user(open_archive(args), args.login, args.area, args.role, args.unit, password)
    print(t("user_added", login=args.login, role=t(f"user_role_{args.role}"), area=_area(args.area)))
    return 0


def _area(code: str, lang: str | None = None) -> str:
    return t("city", lang) if code == "city" else code


def users_table(listed: pd.DataFrame, lang: str | None = None) -> str:
    """The people as words: roles and areas named, yes/no for active, "—" where nothing is recorded."""
    shown = listed.astype(object).assign(
        role=listed["role"].map(lambda r: t(f"user_role_{r}", lang)),
        area=listed["area"].map(lambda a: _area(a, lang)),
        active=listed["active"].map(lambda a: t("yes" if a else "no", lang)))
    return format_table(shown.where(shown.notna() & (shown != ""), "—"), lang)


def cmd_list(args) -> int:
    print(users_table(list_users(open_archive(args)), args.lang))
    return 0


def cmd_disable(args) -> int:
    disable_user(open_archive(args), args.login)
    print(t("user_disabled", login=args.login))
    return 0

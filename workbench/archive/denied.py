"""The database's refusals in the user's language.

On a shared archive PostgreSQL decides what each login may do (access.py); when it says no — a
row of another area, a table the role may not write, the recusal rule — the application gets a
driver error. This turns those (SQLSTATE 42501, insufficient privilege) into a
``WorkbenchError`` that says what was refused and why, so a form shows it as it shows any other
mistake and nothing of the action is saved.

Reading is refused silently: row-level security hides another area's rows, so another county's
round looks like no round at all, and the officer would be told to create it. ``refused_round``
asks the database whether the round's area is one this login may read (``wb_can_read``, the
function its policies apply) and, if not, says whose round it is and who is asking.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from workbench.core import parse_round_id
from workbench.errors import WorkbenchError
from workbench.labels import register, t
from workbench.organisation import Organisation, area_name

register({
    "err_db_recusal": {"zh": "数据库拒绝保存:您属于事项 {matter} 的被问效单位,应当回避,不能录入核查结果",
                       "en": "the database refused the save: you belong to the unit of matter {matter} and are "
                             "recused from verifying it"},
    "err_db_denied": {"zh": "数据库拒绝此操作:您的账号无权修改这些记录(只能修改本地区的记录;领导只读)",
                      "en": "the database refused this: your account may not change these rows "
                            "(only your own area's; leaders read only)"},
    "err_round_not_yours": {"zh": "轮次 {round_id} 属于{area};您的账号({login},{own})无权查看",
                            "en": "round {round_id} belongs to {area}; your account ({login}, {own}) may not open it"},
})


class AccessDenied(WorkbenchError):
    """The database refused an action of the signed-in user; ``text(lang)`` says so in ``lang``
    (the hook that raises it does not know the form's language)."""

    def __init__(self, key: str, **params: str):
        self.key, self.params = key, params
        super().__init__(self.text())

    def text(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)


class RoundRefused(AccessDenied):
    """Another area's round: whose it is and who asked, the areas named in the language asked for."""

    def __init__(self, org: Organisation, round_id: str, area: str, login: str, own: str):
        self.org = org
        super().__init__("err_round_not_yours", round_id=round_id, area=area, login=login, own=own)

    def text(self, lang: str | None = None) -> str:
        return t(self.key, lang, **{**self.params, "area": area_name(self.org, self.params["area"], lang),
                                    "own": area_name(self.org, self.params["own"], lang)})


def refused_round(engine: sa.Engine, round_id: str, org: Organisation) -> RoundRefused | None:
    """Why a round this connection cannot see is not theirs to see; None on SQLite, for the
    database owner (no ``users`` row), and for an area they may read (there it does not exist)."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        _, area = parse_round_id(round_id, tuple(org.areas))
    except WorkbenchError:
        return None
    try:
        with engine.connect() as conn:
            me = conn.execute(sa.text("SELECT login, area FROM users WHERE login = session_user AND active")).first()
            if me is None or conn.execute(sa.text("SELECT wb_can_read(:a)"), {"a": area}).scalar():
                return None
    except sa.exc.ProgrammingError:  # an archive from before users and roles: nobody's rows are hidden
        return None
    return RoundRefused(org, round_id, area, me.login, me.area)


def _translate(context) -> Exception | None:
    orig = context.original_exception
    if getattr(orig, "sqlstate", None) != "42501":
        return None
    text = str(orig)
    recusal = re.search(r"recusal: \S+ belongs to unit \S+ of matter (\S+)", text)
    if recusal:
        return AccessDenied("err_db_recusal", matter=recusal.group(1))
    return AccessDenied("err_db_denied")


def explain_refusals(engine: sa.Engine) -> None:
    """Have ``engine`` raise ``AccessDenied`` for what the database refuses."""
    sa.event.listen(engine, "handle_error", _translate)

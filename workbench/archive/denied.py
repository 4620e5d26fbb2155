"""The database's refusals in the user's language.

On a shared archive PostgreSQL decides what each login may do (access.py); when it says no — a
row of another area, a table the role may not write, the recusal rule — the application gets a
driver error. This turns those (SQLSTATE 42501, insufficient privilege) into a
``WorkbenchError`` that says what was refused and why, so a form shows it as it shows any other
mistake and nothing of the action is saved.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from workbench.errors import WorkbenchError
from workbench.labels import register, t

register({
    "err_db_recusal": {"zh": "数据库拒绝保存:您属于事项 {matter} 的被问效单位,应当回避,不能录入核查结果",
                       "en": "the database refused the save: you belong to the unit of matter {matter} and are "
                             "recused from verifying it"},
    "err_db_denied": {"zh": "数据库拒绝此操作:您的账号无权修改这些记录(只能修改本地区的记录;领导只读)",
                      "en": "the database refused this: your account may not change these rows "
                            "(only your own area's; leaders read only)"},
})


class AccessDenied(WorkbenchError):
    """The database refused an action of the signed-in user; ``text(lang)`` says so in ``lang``
    (the hook that raises it does not know the form's language)."""

    def __init__(self, key: str, **params: str):
        self.key, self.params = key, params
        super().__init__(t(key, **params))

    def text(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)


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

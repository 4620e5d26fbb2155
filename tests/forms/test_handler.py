"""A click never fails silently: in the browser app an exception raised in a click handler is
invisible to the officer, so every error becomes the form's message."""

from __future__ import annotations

from workbench.errors import WorkbenchError
from workbench.forms import handler


class Clicks:
    def __init__(self):
        self.shown: list[str] = []

    def _fail(self, text, failures=None):
        self.shown.append(text)

    @handler
    def refused(self, _=None):
        raise WorkbenchError("整改事项 #3 当前状态为“已完成”,不能登记整改完成")

    @handler
    def broken(self, _=None):
        raise KeyError("item_id")


def test_a_refusal_is_shown_as_it_is():
    form = Clicks()
    form.refused()
    assert form.shown == ["整改事项 #3 当前状态为“已完成”,不能登记整改完成"]


def test_an_unexpected_error_is_shown_too_in_the_officers_language(monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "zh")
    form = Clicks()
    form.broken()
    assert len(form.shown) == 1 and "意外错误" in form.shown[0] and "KeyError" in form.shown[0], form.shown
    monkeypatch.setenv("WORKBENCH_LANG", "en")
    form.broken()
    assert "unexpected error (KeyError" in form.shown[1]

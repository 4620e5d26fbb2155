"""One root exception; subclasses carry the fields a user needs to fix the problem."""

from __future__ import annotations

import pandas as pd

FAILURE_COLUMNS = ["file", "row", "column", "value", "reason"]


class WorkbenchError(Exception):
    """Root of every error the workbench raises on purpose (user mistakes, bad data)."""


class CatalogueError(WorkbenchError):
    """The indicator catalogue or a weights scenario is inconsistent."""


class ValidationError(WorkbenchError):
    """Bad input rows. ``failures`` is a table: file, row, column, value, reason — every failing
    cell of the file, not just the first, so the user can fix them all in one pass."""

    def __init__(self, message: str, failures: pd.DataFrame | None = None):
        self.failures = (
            failures if failures is not None else pd.DataFrame(columns=FAILURE_COLUMNS)
        )
        super().__init__(message)

    def __str__(self) -> str:
        head = super().__str__()
        if self.failures.empty:
            return head
        lines = [head]
        for rec in self.failures.head(50).to_dict("records"):
            where = f"{rec['file']}" + (f" 第{rec['row']}行" if pd.notna(rec["row"]) else "")
            where += f" [{rec['column']}]" if rec["column"] else ""
            value = "" if pd.isna(rec["value"]) or rec["value"] == "" else f" «{rec['value']}»"
            lines.append(f"  {where}{value}: {rec['reason']}")
        if len(self.failures) > 50:
            lines.append(f"  … (+{len(self.failures) - 50})")
        return "\n".join(lines)


class NotFoundError(WorkbenchError):
    """A round, unit or matter that the user named does not exist."""


class StateError(WorkbenchError):
    """An action that the current state of a round does not allow (e.g. closing a step early)."""


class ConflictError(WorkbenchError):
    """Someone else saved the same matter since it was opened (no lost update). ``theirs`` is
    the matter's entries as saved now, so the person can see both values and decide."""

    def __init__(self, message: str, theirs: pd.DataFrame | None = None):
        self.theirs = theirs if theirs is not None else pd.DataFrame()
        super().__init__(message)

"""Names, not codes, wherever an officer decides: one formatter for every picker and table.

"市住房公积金管理中心 · C-2020-030 撤销 · MRG-03 资产财务档案整合 · 2020-08-31 到期" instead of
"#405 C004 C-2020-004 MRG-06": the unit by name, the matter by its 文号 and category, the
indicator by its id and name, then a date. Ids stay the widgets' values, never their words.
"""

from __future__ import annotations

import pandas as pd

from workbench.archive import Archive
from workbench.core import Catalogue
from workbench.labels import register, t

register({
    "nm_due": {"zh": "{day} 到期", "en": "due {day}"},
})


class Names:
    """Reads unit and matter names once; ``label`` joins whatever parts a picker line has."""

    def __init__(self, archive: Archive, catalogue: Catalogue, lang: str = "zh"):
        self.units = archive.unit_names()
        self.matters = archive.matters().set_index("matter_id")
        self.catalogue, self.lang = catalogue, lang

    def unit(self, unit_id: str | None) -> str:
        return str(self.units.get(unit_id, unit_id or ""))

    def matter(self, matter_id: str | None) -> str:
        """文号 and category, e.g. "C-2020-030 撤销" (the summary when there is no 文号)."""
        if matter_id not in self.matters.index:
            return str(matter_id or "")
        m = self.matters.loc[matter_id]
        doc = m.get("doc_no") or m.get("summary") or matter_id
        return f"{doc} {self.catalogue.category_name(m['category'], self.lang)}"

    def indicator(self, indicator_id: str | None) -> str:
        ind = self.catalogue.indicators
        if not indicator_id or indicator_id not in ind.index:
            return str(indicator_id or "")
        return f"{indicator_id} {ind.at[indicator_id, 'name_en' if self.lang == 'en' else 'name_zh']}"

    def label(self, unit_id: str | None = None, matter_id: str | None = None, indicator_id: str | None = None,
              deadline=None, *extra: str) -> str:
        day = None if deadline is None or pd.isna(deadline) else str(deadline)[:10]
        parts = [self.unit(unit_id) if unit_id else "", self.matter(matter_id) if matter_id else "",
                 self.indicator(indicator_id) if indicator_id else "",
                 t("nm_due", self.lang, day=day) if day else "", *extra]
        return " · ".join(p for p in parts if p)

"""Demo county filings: most completed county rounds filed on time, a few late, two never.

Every county gets a signing key (``keys/AREA.key`` beside the archive file, kept if it is there
already, never committed), the city registers each public key, and every package is signed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from workbench.archive import Archive
from workbench.core import Catalogue
from workbench.files import load_catalogue
from workbench.filing import (
    default_key_path,
    new_key_pair,
    package_bytes,
    receive_package,
    register_key,
)
from workbench.organisation import subordinate_mask

# --------------------------------------------------------------------------- the demo
DEMO_MISSING = ("2019-370786", "2020-370724")



DEMO_LATE = ("2018-370703", "2019-370725", "2020-370783", "2020-370702")



DEMO_OFFICER = "孙丽华"  # the city office's filing clerk



def demo_keys(archive: Archive) -> dict[str, Path]:
    """Each county's private key file (made if missing), its public key registered with the city."""
    keys = {}
    for area in archive.organisation().counties:
        private = default_key_path(archive, area)
        if not private.exists():
            new_key_pair(area, private.parent)
        register_key(archive, area, private.with_suffix(".pub").read_bytes(), DEMO_OFFICER, at=_noon(date(2018, 1, 2)))
        keys[area] = private
    return keys


def build_filing_demo(archive: Archive, catalogue: Catalogue | None = None) -> dict[str, int]:
    """The demo's filings: every completed county round filed, most within the 30 days after
    feedback (20 May), four late (in July), two never (``DEMO_MISSING``). Fixed dates."""

    catalogue = catalogue or load_catalogue()
    keys = demo_keys(archive)
    rounds = archive.rounds()
    county = rounds[subordinate_mask(rounds["area"]) & (rounds["status"] == "completed")].sort_values("round_id")
    filed = 0
    for i, rec in enumerate(county.to_dict("records")):
        rid, year = rec["round_id"], int(rec["year"])
        if rid in DEMO_MISSING:
            continue
        on = date(year, 7, 2 + i % 20) if rid in DEMO_LATE else date(year, 5, 27) + timedelta(days=i % 19)
        officer = rec["created_by"] or "demo"
        data = package_bytes(archive, rid, officer, on, catalogue, key=keys[rec["area"]])
        received = on + timedelta(days=1 + i % 3)
        receive_package(archive, data, f"{rid}_报备.zip", DEMO_OFFICER, received, catalogue, at=_noon(received))
        filed += 1
    return {"filed": filed, "late": len(DEMO_LATE), "missing": len(DEMO_MISSING)}



def _noon(d: date) -> datetime:
    return datetime.combine(d, time(12))

"""County filing (报备): the package a county office files, what the city receives, the filing
status and the counties' performance points (the rules in ``rules``, the archive reads in
``status``).
"""

from .package import (
    build_filing_package,
    package_bytes,
    read_filings,
    receive_filing,
    receive_package,
)
from .rules import STATUS_ORDER
from .status import county_performance, filing_status, labelled

__all__ = [
    "STATUS_ORDER",
    "build_filing_package",
    "county_performance",
    "filing_status",
    "labelled",
    "package_bytes",
    "read_filings",
    "receive_filing",
    "receive_package",
]

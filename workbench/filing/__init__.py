"""County filing (报备): the package a county office files, what the city receives, the filing
status and the counties' performance points (the rules in ``rules``, the archive reads in
``status``).
"""

from .keys import (
    SigningKeyError,
    default_key_path,
    new_key_pair,
    read_keys,
    register_key,
    revoke_key,
)
from .package import (
    FilingRejected,
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
    "FilingRejected",
    "SigningKeyError",
    "build_filing_package",
    "county_performance",
    "default_key_path",
    "filing_status",
    "labelled",
    "new_key_pair",
    "read_keys",
    "register_key",
    "revoke_key",
    "package_bytes",
    "read_filings",
    "receive_filing",
    "receive_package",
]

"""跟踪问效 evaluation workbench.

The core (catalogue, selection, scoring, robustness, rules) is pure functions on DataFrames;
the edges (archive, importing, documents, charts, widgets, batch, cli) fetch and write back.
"""

import sys

__version__ = "0.1.0"

# jsonschema (imported by altair) compiles the grammar of the optional rfc3987_syntax package on
# import — over a second of every kernel's, batch worker's and command's start-up — for an "iri"
# format check that nothing here uses. Marking the module absent makes jsonschema skip that check.
sys.modules.setdefault("rfc3987_syntax", None)

"""跟踪问效 evaluation workbench.

The core (catalogue, selection, scoring, robustness, rules) is pure functions on DataFrames;
the edges (archive, importing, documents, charts, widgets, batch, cli) fetch and write back.
"""

__version__ = "0.1.0"

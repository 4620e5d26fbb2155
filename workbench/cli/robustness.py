"""Edges of the weight-robustness feature: fetch a round's entries, run the core, write tables.

``workbench robustness --round ID [--spread 0.2] [--draws N] [--scheme uniform|dirichlet]
[--seed S] --out FILE`` writes per-matter and per-unit results (.xlsx: one sheet each, plus the
rounds, the units' overtaking table and the parameters; .csv: FILE for matters and FILE-units.csv
for units). The explorer notebook uses ``load_detail`` too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from workbench.archive import Archive
from workbench.core import analyse, build_inputs, overtaking_labelled, unit_pairs
from workbench.errors import WorkbenchError
from workbench.files import load_catalogue, load_weights, write_tables
from workbench.labels import column_labels, register, t
from workbench.rounds import load_detail

from .common import db_option, float_range, int_range, out_path

MAX_DRAWS = 1_000_000
MEMORY_LIMIT_MB = 1024
#: float64 matrices of draws × (matters + indicators) the analysis holds at its peak: tracemalloc
#: measured 2.9–3.0 on the 2018 city round (2,000 and 8,000 draws); 4 leaves a margin
MATRICES = 4

register({
    "robustness_written": {"zh": "稳健性分析结果已写入 {path}", "en": "robustness results written to {path}"},
    "robustness_memory": {
        "zh": "{draws} 次抽样 × {matters} 个事项约需 {need} MB 内存,超过上限 {limit} MB;请把 --draws 减到 {most} 以下",
        "en": "{draws} draws × {matters} matters need about {need} MB, over the {limit} MB limit; "
              "use --draws {most} or fewer",
    },
    "robustness_headline": {
        "zh": "{round_id}:{draws} 次抽样({scheme},幅度 {spread}),平均排名变动 {shift:.2f}",
        "en": "{round_id}: {draws} draws ({scheme}, spread {spread}), mean rank shift {shift:.2f}",
    },
})




def add_cli(sub: argparse._SubParsersAction) -> None:

    p = sub.add_parser("robustness", help="Monte Carlo robustness of ranks under perturbed weights")
    p.add_argument("--round", dest="round_id", required=True, action="append",
                   help="round id (repeat for several rounds)")
    p.add_argument("--spread", type=float_range(0.0, 0.95), default=0.2, help="uniform: each weight ×(1 ± spread)")
    p.add_argument("--draws", type=int_range(1, MAX_DRAWS), default=10_000)
    p.add_argument("--scheme", choices=["uniform", "dirichlet"], default="uniform")
    p.add_argument("--concentration", type=float_range(0.0, 1e6, low_open=True), default=200.0, help="dirichlet: higher = closer")
    p.add_argument("--seed", type=int_range(0, 2**32 - 1), default=0)
    p.add_argument("--weights", type=Path, help="baseline weights scenario YAML (default: the catalogue's)")
    p.add_argument("--source", choices=["verified", "self"], default="verified")
    p.add_argument("--out", type=out_path(".csv", ".xlsx"), required=True, help=".csv or .xlsx")
    db_option(p)
    p.set_defaults(func=_cmd_robustness)


def _cmd_robustness(args) -> int:

    catalogue = load_catalogue()
    baseline = load_weights(args.weights, catalogue) if args.weights else catalogue.weights
    archive = Archive(args.db, read_only=True)
    detail = load_detail(archive, args.round_id, catalogue, args.source)
    check_memory(args.draws, detail["matter_id"].nunique() + len(catalogue.indicators))
    params = {"spread": args.spread} if args.scheme == "uniform" else {"concentration": args.concentration}
    res = analyse(detail, catalogue, baseline, args.scheme, args.draws, args.seed, **params)
    pairs = unit_pairs(detail, catalogue, args.spread, baseline, inputs=build_inputs(detail, catalogue))
    meta = pd.DataFrame({"parameter": list(res.params) + ["rounds", "source"],
                         "value": [str(v) for v in res.params.values()]
                         + [", ".join(args.round_id), args.source]})
    write_results(args.out, {"matters": res.matters, "units": res.units, "rounds": res.rounds,
                             "overtaking": overtaking_labelled(pairs, args.lang), "parameters": meta}, args.lang)
    for r in res.rounds.itertuples():
        print(t("robustness_headline", args.lang, round_id=r.round_id, draws=r.draws,
                scheme=t(f"scheme_{args.scheme}", args.lang),
                spread=args.spread if args.scheme == "uniform" else args.concentration,
                shift=r.mean_abs_shift))
    print(t("robustness_written", args.lang, path=args.out))
    return 0


def check_memory(draws: int, columns: int) -> None:
    """Refuse, before allocating, an analysis whose matrices would not fit the memory limit."""
    need = draws * columns * 8 * MATRICES / 2**20
    if need > MEMORY_LIMIT_MB:
        most = int(MEMORY_LIMIT_MB * 2**20 / (columns * 8 * MATRICES))
        raise WorkbenchError(t("robustness_memory", draws=draws, matters=columns, need=round(need),
                               limit=MEMORY_LIMIT_MB, most=most))


def write_results(path: Path, tables: dict[str, pd.DataFrame], lang: str | None = None) -> list[Path]:
    """.xlsx: one sheet per table, headers in the user's language; .csv: matters in FILE, each
    other table in FILE-<name>.csv (``files.write_tables``, atomic)."""

    extra = {"round_id": t("round", lang), "matters": t("matters_count", lang),
             "units": t("units_count", lang), "draws": t("mc_draws", lang)}
    shown = {k: v.rename(columns={**extra, **column_labels(list(v.columns), lang)})
             for k, v in tables.items()}
    return write_tables(path, shown, lang)

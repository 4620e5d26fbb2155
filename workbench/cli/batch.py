"""``workbench batch``: every round of a year through the report notebook."""

from __future__ import annotations

from pathlib import Path

from workbench.batch import default_jobs, run_batch
from workbench.labels import t
from workbench.paths import project_root

from .common import db_option, int_range, year_arg


# ------------------------------------------------------------------ command line
def add_cli(subparsers) -> None:

    p = subparsers.add_parser("batch", help="run every round of a year through the report notebook")
    p.add_argument("--year", type=year_arg, action="append", required=True,
                   help="a year with parameters/<year>.yaml; repeat for several years")
    p.add_argument("--areas", help="only these areas, comma-separated: city,370781")
    p.add_argument("--jobs", type=int_range(1, 64), default=default_jobs(),
                   help="rounds run at once, each in its own process and kernel (default: cores)")
    p.add_argument("--resume", action="store_true",
                   help="skip rounds whose inputs are unchanged since their successful run")
    p.add_argument("--params-dir", type=Path,
                   help="folder of <year>.yaml files (default: parameters/); its parent is the project")
    db_option(p)
    p.set_defaults(func=cmd_batch)



def cmd_batch(args) -> int:
    areas = [a.strip() for a in args.areas.split(",") if a.strip()] if args.areas else None
    result = run_batch(args.year, db=args.db, params_dir=args.params_dir, areas=areas,
                       jobs=args.jobs, resume=args.resume)
    for year, manifest in result.manifests.items():
        statuses = [manifest.rounds[t_.round_id] for t_ in manifest.plan.tasks]
        index = manifest.plan.output / "index.html"
        try:
            index = index.relative_to(project_root())
        except ValueError:
            pass
        print(t("batch_summary", year=year,
                ok=sum(e["status"] == "ok" and not e.get("resumed") for e in statuses),
                failed=sum(e["status"] != "ok" for e in statuses),
                skipped=sum(bool(e.get("resumed")) for e in statuses), index=index))
    print(f"{result.seconds:.1f} s")
    return 0 if result.ok else 1

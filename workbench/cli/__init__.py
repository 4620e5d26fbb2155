"""``workbench`` command line: options in, library calls, a message and an exit code out.

Errors the user can fix (WorkbenchError) go to stderr without a traceback, exit code 2. Each
module of this package adds its sub-commands with ``add_cli(subparsers)``; they are imported here,
statically, and nothing outside this package imports it.
"""

from __future__ import annotations

import argparse
import os
import sys

import sqlalchemy as sa

from workbench import __version__
from workbench.errors import ValidationError, WorkbenchError
from workbench.labels import t

from . import app, batch, filing, followup, keys, robustness, rounds, serve
from . import users as users_cli  # shared deployment: users and roles
from .common import require_archive

#: the sub-command modules, in the order ``workbench --help`` lists them
COMMANDS = (rounds, app, serve, batch, followup, robustness, filing, keys, users_cli)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="跟踪问效 evaluation workbench")
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument("--lang", choices=["zh", "en"], help="language of messages and headers (default zh)")
    parser.add_argument("--project", metavar="DIR",
                        help="the office's project folder (parameters/, reports/, data/); "
                             "default $WORKBENCH_PROJECT, else the current folder if it has parameters/")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lang:
        os.environ["WORKBENCH_LANG"] = args.lang
    if args.project:
        os.environ["WORKBENCH_PROJECT"] = os.path.abspath(args.project)
    try:
        if hasattr(args, "db") and getattr(args, "archive_must_exist", True):
            require_archive(args.db)
        return args.func(args) or 0
    except ValidationError as exc:
        print(t("cli_error", message=exc), file=sys.stderr)
        return 2
    except WorkbenchError as exc:
        print(t("cli_error", message=exc), file=sys.stderr)
        return 2
    except sa.exc.OperationalError as exc:  # the database went away or is locked mid-command
        print(t("cli_error", message=t("err_db_unreachable", archive=args.db or "",
                                       why=str(exc.orig).strip().splitlines()[0])),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0

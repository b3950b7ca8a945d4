"""The `datapact` command. Each sub-command lives in `datapact_dagster/commands/<name>.py`."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from datapact_dagster import commands
from datapact_dagster.commands.base import EXIT_SYSTEM_ERROR, UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datapact",
        description="Contract-driven data quality on Dagster (ODCS v3 contracts).",
    )
    parser.add_argument(
        "--project",
        default=None,
        help="project folder holding contracts/ and sql/ (default: current folder "
        "or DATAPACT_PROJECT_DIR)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in commands.ALL:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"datapact: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("datapact: interrupted", file=sys.stderr)
        return EXIT_SYSTEM_ERROR
    except Exception:
        # A crash is exit 3, never Python's 1 (which means "contract breached").
        traceback.print_exc()
        print(f"datapact {args.command}: internal error (exit 3); details above", file=sys.stderr)
        return EXIT_SYSTEM_ERROR


def console_main() -> None:
    """Entry point of the `datapact` script.

    Exits without interpreter finalisation once output is flushed: the warehouse driver's
    bindings otherwise print spurious 'nanobind: leaked instance' reports at teardown after GX
    has used them.
    Everything DataPact writes is committed before this point.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console_main()

"""The `datapact` command. Each sub-command lives in `datapact_dagster/commands/<name>.py`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from datapact_dagster import commands
from datapact_dagster.commands.base import EXIT_OK, EXIT_SYSTEM_ERROR, UserError
from datapact_dagster.commands.crash import injected_crash, report_crash


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datapact",
        description="Contract-driven data quality on Dagster (ODCS v3 contracts). "
        "Exit codes: 0 ok, 1 a contract is breached, 2 invalid input, 3 system error.",
    )
    parser.add_argument(
        "--project",
        default=None,
        help="project folder holding contracts/ and sql/ (default: current folder "
        "or DATAPACT_PROJECT_DIR)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an internal error, print the traceback (it is always kept in <state dir>/logs/)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in commands.ALL:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.debug:
        quiet_library_logs()
    try:
        injected_crash()
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"datapact: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (`datapact list --format json | head -1`): nothing to say.
        silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        print("datapact: interrupted", file=sys.stderr)
        return EXIT_SYSTEM_ERROR
    except Exception as exc:
        # A crash is exit 3, never Python's 1 (which means "contract breached").
        report_crash(
            exc,
            args.command,
            list(sys.argv if argv is None else argv),
            args.project,
            debug=args.debug,
        )
        return EXIT_SYSTEM_ERROR


LIBRARY_LOGGERS = ("dagster", "alembic", "great_expectations", "sqlalchemy")
"""Libraries whose own DEBUG/INFO lines (storage migrations, daemon chatter) are not the CLI's
output; their warnings and errors still show."""


def quiet_library_logs() -> None:
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing what is left after a closed pipe is a no-op."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def console_main() -> None:
    """Entry point of the `datapact` script.

    Exits without interpreter finalisation once output is flushed: the warehouse driver's
    bindings otherwise print spurious 'nanobind: leaked instance' reports at teardown after GX
    has used them.
    Everything DataPact writes is committed before this point.
    """
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console_main()

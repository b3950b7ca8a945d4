"""`datapact doctor`: find runs that died and release what they hold, then say what it did.

`datapact run` and `datapact check` do the same repair when they start; doctor does it on
demand and reports it. Exit 0 when healthy or repaired, 2 for a bad request, 3 if it crashes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from datapact_dagster.commands.base import EXIT_INVALID, EXIT_OK, UserError, project_dir
from datapact_dagster.commands.loading import contracts_or_exit
from datapact_dagster.settings import Settings

if TYPE_CHECKING:
    from datapact_dagster.pipeline.recovery import RecoveryReport


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "doctor", help="release runs that died (kill -9, crash) and the warehouse slot they hold"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--release",
        metavar="RUN_ID",
        help="also release this unfinished run, which you know is dead (refused if its "
        "process is alive on this host)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = project_dir(args)
    os.environ["DATAPACT_PROJECT_DIR"] = str(root)
    contracts_or_exit(root)
    settings = Settings.from_env(root)

    import dagster as dg

    from datapact_dagster.evidence.store import evidence_url
    from datapact_dagster.pipeline.dagster_home import (
        dagster_storage_errors,
        instance_config_notes,
        prepare_dagster_home,
    )
    from datapact_dagster.pipeline.evidence_sink import evidence_writer_for
    from datapact_dagster.pipeline.launch import exclusive_launch
    from datapact_dagster.pipeline.recovery import RecoveryReport, release_run_by_id
    from datapact_dagster.plan.project import load_project

    prepare_dagster_home(settings)
    for note in instance_config_notes(settings.dagster_home):
        print(f"datapact: note: {note}", file=sys.stderr)
    plans = load_project().plans
    busy: str | None = None
    report = RecoveryReport()
    with dagster_storage_errors(settings.dagster_home):
        instance = dg.DagsterInstance.get()
    with instance:
        try:
            with exclusive_launch(
                instance, settings, plans, detected_by="datapact doctor"
            ) as report:
                if args.release:
                    writer = evidence_writer_for(evidence_url(root))
                    try:
                        released = release_run_by_id(
                            instance, args.release, writer, plans, "datapact doctor"
                        )
                    except ValueError as exc:
                        raise UserError(f"--release: {exc}", EXIT_INVALID) from exc
                    report.released.append(released)
                    report.in_progress = [r for r in report.in_progress if r.run_id != args.release]
        except UserError as exc:
            if exc.exit_code == EXIT_INVALID:
                raise
            busy = str(exc)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "dagster_home": str(settings.dagster_home),
                    "healthy": None if busy else not report.repaired,
                    "repaired": report.repaired,
                    **report.to_json(),
                    "launch_in_progress": busy,
                },
                indent=2,
            )
        )
        return EXIT_OK
    _print_text(report, busy, settings)
    return EXIT_OK


def _print_text(report: RecoveryReport, busy: str | None, settings: Settings) -> None:
    print(f"Dagster home: {settings.dagster_home}")
    if busy is not None:
        print(f"Not repaired now: {busy}. A run releases dead runs itself when it starts.")
        return
    for released in report.released:
        tables = ", ".join(released.tables) or "none (no table step had started)"
        print(
            f"Released dead {released.describe()}: marked failed, warehouse slot freed; "
            f"error recorded in the evidence for: {tables}"
        )
    for run_id in report.stale_claims_freed:
        print(f"Freed warehouse slot claims left by finished run {run_id}")
    for live in report.in_progress:
        print(f"In progress (alive): {live.describe()}")
    if report.repaired:
        print(
            f"Repaired: {len(report.released)} dead run(s) released, "
            f"{len(report.stale_claims_freed)} leftover claim(s) freed."
        )
    else:
        print("Healthy: no dead run, no leftover warehouse slot.")

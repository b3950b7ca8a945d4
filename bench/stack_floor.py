"""What any `datapact run` pays before it touches data: the stack's floor, as one whole process.

    python -m bench.stack_floor FOLDER

Imports Dagster, imports GX the way DataPact does (what it never uses deferred) and makes its
in-memory context, creates a Dagster instance in FOLDER (made anew: SQLite storage, as a fresh
state folder has), and executes a job of one asset with one check in this process, with no
data, no warehouse, no evidence and no report; then exits the way the CLI does. The end-to-end
bench times it beside `datapact run`: the difference is what DataPact's own work costs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def main(folder: str) -> int:
    home = Path(folder).resolve()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(home)

    import dagster as dg

    from datapact_dagster.checks.gx_context import ephemeral_context

    ephemeral_context()

    @dg.asset(check_specs=[dg.AssetCheckSpec("rows", asset="table")])
    def table():  # no annotation: Dagster resolves it, and `dg` is local here
        return dg.MaterializeResult(
            check_results=[dg.AssetCheckResult(check_name="rows", passed=True)]
        )

    job = dg.Definitions(
        assets=[table],
        jobs=[dg.define_asset_job("floor", executor_def=dg.in_process_executor)],
    ).get_job_def("floor")
    with dg.DagsterInstance.get() as instance:
        passed = job.execute_in_process(instance=instance).success
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if passed else 3)  # as the CLI ends: no interpreter teardown


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))

"""What any `datapact run` pays before it touches data: the stack's floor, as one whole process.

    python -m bench.stack_floor FOLDER

Starts the GX worker as `datapact run` does (GX loads in a process of its own, checks/gx_worker.py)
while this process imports Dagster and creates a Dagster instance in FOLDER (made anew: SQLite
storage, as a fresh state folder has). It then executes a job of one asset with one check in
this process; the check has the worker validate one expectation on a one-row DuckDB table, so
the floor waits for GX as a run does. No landing file, no staging, no evidence, no report; it
exits the way the CLI does. The end-to-end bench times it beside `datapact run`: the difference
is what DataPact's own work costs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SUITE = {
    "name": "floor",
    "meta": {},
    "expectations": [
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "id"},
            "meta": {"datapact_key": "floor__id__not_null"},
        }
    ],
}


def main(folder: str) -> int:
    home = Path(folder).resolve()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(home)

    from datapact_dagster.checks.gx_worker import SuiteRequest, gx_worker_for_run

    with gx_worker_for_run(True) as worker:
        assert worker is not None
        import dagster as dg
        import sqlalchemy as sa

        from datapact_dagster.warehouse.dialects import for_engine
        from datapact_dagster.warehouse.engine import warehouse_engine

        url = f"duckdb:///{home / 'floor.duckdb'}"
        engine = warehouse_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE main.floor AS SELECT 1 AS id"))

        @dg.asset(check_specs=[dg.AssetCheckSpec("rows", asset="table")])
        def table():  # no annotation: Dagster resolves it, and `dg` is local here
            for_engine(engine).release_to_other_process(engine)
            reply = worker.validate(SuiteRequest(SUITE, "main.floor", url, None))
            outcomes = (reply.outcomes if reply is not None else None) or {}
            passed = bool(outcomes) and all(success for success, _, _ in outcomes.values())
            return dg.MaterializeResult(
                check_results=[dg.AssetCheckResult(check_name="rows", passed=passed)]
            )

        job = dg.Definitions(
            assets=[table],
            jobs=[dg.define_asset_job("floor", executor_def=dg.in_process_executor)],
        ).get_job_def("floor")
        with dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(instance=instance)
        checked = [e for e in result.get_asset_check_evaluations() if e.passed]
        passed = result.success and len(checked) == 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if passed else 3)  # as the CLI ends: no interpreter teardown


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))

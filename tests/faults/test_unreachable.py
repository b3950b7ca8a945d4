"""The warehouse, the evidence store or Dagster's storage gone in the middle of a run: the run
fails closed (exit 3, one line), no published table changes, and the next run succeeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.faults.harness import (
    RUN_ONE,
    Project,
    assert_clean_cause,
    assert_fails_cleanly,
)
from tests.faults.pg_control import PgServer

BUILDING = "bronze.raw_customers: building"


def test_postgres_warehouse_stopped_mid_run(pg_project: Project, fault_pg: PgServer) -> None:
    pg_project.assert_next_run_succeeds()
    before = pg_project.published()

    run = pg_project.start("cut", *RUN_ONE)
    run.wait_for(BUILDING)
    fault_pg.stop()
    try:
        result = run.finish()
    finally:
        fault_pg.start()

    assert_fails_cleanly(result, 3, "bronze/raw_customers", "error")
    assert pg_project.published() == before
    pg_project.assert_evidence_verifies()
    pg_project.assert_next_run_succeeds()
    assert pg_project.published() == before


def test_duckdb_file_locked_by_another_process(project: Project) -> None:
    before = project.published()
    database = project.warehouse_url.removeprefix("duckdb:///")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(120)",
            database,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = project.cli(*RUN_ONE)
    finally:
        holder.kill()
        holder.wait()

    assert_fails_cleanly(result, 3, "lock", database)
    assert project.published() == before
    project.assert_evidence_verifies()
    project.assert_next_run_succeeds()
    assert project.published() == before


def test_evidence_store_stopped_mid_run(project: Project, fault_pg: PgServer) -> None:
    project.extra_env["DATAPACT_EVIDENCE_URL"] = fault_pg.new_database("evidence")
    before = project.published()

    run = project.start("cut", *RUN_ONE)
    run.wait_for(BUILDING)
    fault_pg.stop()
    try:
        result = run.finish()
    finally:
        fault_pg.start()

    assert_fails_cleanly(result, 3, "bronze/raw_customers", "error")
    assert project.published() == before, "data whose audit was not recorded is not published"
    project.assert_evidence_verifies()
    project.assert_next_run_succeeds()
    project.assert_evidence_verifies()


def test_dagster_home_unusable(project: Project, tmp_path: Path) -> None:
    before = project.published()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where Dagster's storage should be")

    result = project.cli(*RUN_ONE, DAGSTER_HOME=str(blocker / "dagster_home"))

    assert result.returncode == 3, result.stdout + result.stderr
    assert project.published() == before
    project.assert_evidence_verifies()
    project.assert_next_run_succeeds()
    assert_clean_cause(result, str(blocker))

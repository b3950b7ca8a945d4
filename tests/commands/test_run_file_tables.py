"""`datapact run` on DuckDB with every whole landing file published as a file (the setting at
0 rows): the GX worker checks the staged file under the sandbox, a breach is quarantined, a
clean table is published as a view over the warehouse's own copy and its downstream table is
built from it; a bad setting stops the run before it starts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from datapact_dagster.warehouse.landing import FILE_TABLES_OVER_ROWS_ENV
from tests.commands.test_exit_codes import cli_env, datapact
from tests.commands.test_run_gx_worker import REPORTING_GX


def _completed(
    command: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_whole_landing_files_are_checked_and_published_as_files(
    project_root: Path, tmp_path: Path
) -> None:
    env = {**cli_env(tmp_path), FILE_TABLES_OVER_ROWS_ENV: "0"}
    generate = datapact("generate", "--rows", "2000", "--breach", "duplicate_key")
    assert _completed(generate, project_root, env).returncode == 0
    selection = "key:bronze/raw_orders or key:bronze/raw_customers or key:silver/customers"
    run = [sys.executable, "-c", REPORTING_GX, "run", "--select", selection, "--format", "json"]

    result = _completed(run, project_root, env)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "GX loaded here: False" in result.stderr  # the worker read the staged files
    tables = {t["table"]: t for t in json.loads(result.stdout)["tables"]}
    assert tables["bronze/raw_orders"]["failing_checks"] == ["raw_orders__order_id__unique"]
    for name in ("bronze/raw_customers", "silver/customers"):
        assert (tables[name]["outcome"], tables[name]["checks_failed"]) == ("published", 0)
    owned = tmp_path / "warehouse.duckdb.files"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as warehouse:
        views = dict(warehouse.execute("SELECT view_name, sql FROM duckdb_views()").fetchall())
        kinds = dict(
            warehouse.execute(
                "SELECT table_schema || '.' || table_name, table_type"
                " FROM information_schema.tables"
            ).fetchall()
        )
        [(quarantined, rows)] = warehouse.execute(
            "SELECT relation, row_count FROM quarantine.dp_quarantine_index"
        ).fetchall()
        assert warehouse.execute(f"SELECT count(*) FROM {quarantined}").fetchall() == [(rows,)]
    assert kinds["bronze.raw_customers"] == "VIEW"
    assert str(owned) in views["raw_customers"]
    assert kinds["silver.customers"] == "BASE TABLE"  # built by SQL, not a whole file
    assert "bronze.raw_orders" not in kinds  # never published
    assert len(list(owned.glob("*.parquet"))) == 2  # raw_customers and the quarantined orders


def test_a_bad_setting_stops_the_run_before_it_starts(project_root: Path, tmp_path: Path) -> None:
    env = {**cli_env(tmp_path), FILE_TABLES_OVER_ROWS_ENV: "lots"}
    assert _completed(datapact("generate", "--rows", "200"), project_root, env).returncode == 0

    result = _completed(datapact("run"), project_root, env)

    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{FILE_TABLES_OVER_ROWS_ENV}='lots' is not a whole number of rows" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dagster_home" / "storage").exists(), "Dagster never started"

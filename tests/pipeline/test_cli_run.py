"""`datapact run` / `datapact check` as a user runs them: exit codes and the summary table."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def cli(project_root: Path, tmp_path: Path):
    env = {
        **os.environ,
        "DATAPACT_STATE_DIR": str(tmp_path),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "DATAPACT_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
    }
    env.pop("DATAPACT_EVIDENCE_URL", None)

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "datapact_dagster.cli", *args],
            cwd=project_root,
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=600,
        )

    return run


def test_breached_run_exits_1_and_check_only_does_not_rebuild(cli) -> None:
    assert cli("generate", "--rows", "2000", "--breach", "schema_drift").returncode == 0

    breached = cli("run")

    assert breached.returncode == 1, breached.stderr
    lines = {line.split()[0]: line for line in breached.stdout.splitlines() if "/" in line}
    assert "quarantined" in lines["bronze/raw_orders"]
    for held in ("silver/orders", "gold/customer_profile", "gold/daily_revenue"):
        assert "held (upstream breach)" in lines[held], lines[held]
    assert "published" in lines["bronze/raw_customers"]
    assert "FAILED bronze/raw_orders: raw_orders__table__schema" in breached.stdout

    checked = cli("check", "--select", "key:bronze/raw_customers")

    assert checked.returncode == 0, checked.stderr
    assert "checked" in checked.stdout and "published" not in checked.stdout


def test_invalid_selection_is_a_user_error(cli) -> None:
    result = cli("run", "--no-generate", "--select", "key:nowhere/nothing")
    assert result.returncode == 2
    assert "matches no table" in result.stderr and "Traceback" not in result.stderr


def test_truncating_the_evidence_chain_is_caught_by_the_dagster_anchor(cli, tmp_path: Path) -> None:
    assert cli("generate", "--rows", "2000").returncode == 0
    assert cli("run", "--select", "key:bronze/raw_customers").returncode == 0
    intact = cli("evidence", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "1 anchor(s)" in intact.stdout

    newest = _delete_newest_record(tmp_path / "evidence.db")

    truncated = cli("evidence", "verify")
    assert truncated.returncode == 1
    assert f"record {newest} is missing" in truncated.stderr
    assert "truncated" in truncated.stderr


def _delete_newest_record(database: Path) -> int:
    evidence = sqlite3.connect(database)
    (newest,) = evidence.execute("SELECT MAX(seq) FROM datapact_evidence_records").fetchone()
    evidence.execute("DELETE FROM datapact_evidence_records WHERE seq = ?", (newest,))
    evidence.commit()
    evidence.close()
    return int(newest)


def test_a_new_evidence_store_is_not_mistaken_for_a_truncated_one(cli, tmp_path: Path) -> None:
    assert cli("generate", "--rows", "2000").returncode == 0
    assert cli("run", "--select", "key:bronze/raw_customers").returncode == 0
    new_store = {"DATAPACT_EVIDENCE_URL": f"sqlite:///{tmp_path / 'new-evidence.db'}"}
    assert cli("run", "--select", "key:bronze/raw_customers", **new_store).returncode == 0

    switched = cli("evidence", "verify", **new_store)

    assert switched.returncode == 0, switched.stderr
    assert "1 anchor(s)" in switched.stdout
    assert "other evidence stores" in switched.stderr and "(1)" in switched.stderr
    as_json = json.loads(cli("evidence", "verify", "--format", "json", **new_store).stdout)
    assert as_json["anchors_checked"] == 1
    assert list(as_json["anchors_of_other_stores"].values()) == [1]

    newest = _delete_newest_record(tmp_path / "new-evidence.db")
    truncated = cli("evidence", "verify", **new_store)
    assert truncated.returncode == 1
    assert f"record {newest} is missing" in truncated.stderr


def test_a_wiped_evidence_store_is_caught_even_after_new_runs(cli, tmp_path: Path) -> None:
    assert cli("generate", "--rows", "2000").returncode == 0
    assert cli("run", "--select", "key:bronze/raw_customers").returncode == 0

    (tmp_path / "evidence.db").unlink()
    assert cli("run", "--select", "key:bronze/raw_customers").returncode == 0
    wiped = cli("evidence", "verify")

    assert wiped.returncode == 1, wiped.stdout
    assert "was replaced" in wiped.stderr and "wiped or recreated" in wiped.stderr
    as_json = json.loads(cli("evidence", "verify", "--format", "json").stdout)
    assert as_json["ok"] is False
    assert as_json["anchors_of_replaced_stores"] == 1
    assert as_json["anchors_checked"] == 1


def _published_tables(warehouse: Path) -> list[str]:
    if not warehouse.exists():
        return []
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('bronze', 'silver', 'gold')"
        ).fetchall()
    return [r[0] for r in rows]


def test_run_never_generates_data_a_missing_landing_file_is_exit_2(cli, tmp_path: Path) -> None:
    for args in (("run",), ("run", "--no-generate")):
        result = cli(*args)

        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        landing = tmp_path / "landing"
        assert f"{landing / 'orders.parquet'} is missing" in result.stderr
        assert "sql/bronze/raw_orders.sql (table bronze.raw_orders) reads landing.orders" in (
            result.stderr
        )
        assert "datapact generate" in result.stderr and "DATAPACT_LANDING_DIR" in result.stderr
        assert not list(landing.glob("*.parquet")) if landing.exists() else True
        assert _published_tables(tmp_path / "warehouse.duckdb") == []
        assert not (tmp_path / "dagster_home" / "storage").exists(), "Dagster never started"


def test_only_the_selected_tables_landing_files_are_required(cli, tmp_path: Path) -> None:
    assert cli("generate", "--rows", "2000").returncode == 0
    (tmp_path / "landing" / "orders.parquet").unlink()

    one = cli("run", "--select", "key:bronze/raw_customers")
    assert one.returncode == 0, one.stdout + one.stderr

    everything = cli("run")
    assert everything.returncode == 2
    assert "1 landing file(s) missing" in everything.stderr
    assert "orders.parquet is missing" in everything.stderr
    assert _published_tables(tmp_path / "warehouse.duckdb") == ["bronze.raw_customers"]


def test_tables_after_an_upstream_error_are_not_labelled_held(cli, tmp_path: Path) -> None:
    assert cli("generate", "--rows", "2000").returncode == 0
    import duckdb

    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as warehouse:
        # A table where raw_orders is staged that another table's foreign key holds: dropping
        # it fails, so its step errors (a warehouse fault, not a breach).
        warehouse.execute("CREATE SCHEMA bronze")
        warehouse.execute("CREATE TABLE bronze.raw_orders__dp_staging (x INTEGER PRIMARY KEY)")
        warehouse.execute(
            "CREATE TABLE bronze.holder (x INTEGER REFERENCES bronze.raw_orders__dp_staging (x))"
        )

    result = cli("run")

    assert result.returncode == 3, result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if "/" in line}
    assert "error" in lines["bronze/raw_orders"]
    for downstream in ("silver/orders", "gold/customer_profile", "gold/daily_revenue"):
        assert "not run (upstream error)" in lines[downstream], lines[downstream]
    assert "published" in lines["silver/customers"]
    assert "held (upstream breach)" not in result.stdout


def test_doctor_on_a_healthy_project(cli) -> None:
    text = cli("doctor")
    assert text.returncode == 0, text.stderr
    assert "Healthy" in text.stdout
    report = json.loads(cli("doctor", "--format", "json").stdout)
    assert report["healthy"] is True and report["released_runs"] == []
    unknown = cli("doctor", "--release", "no-such-run")
    assert unknown.returncode == 2 and "not an unfinished run" in unknown.stderr

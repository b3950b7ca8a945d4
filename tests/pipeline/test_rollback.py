"""`datapact rollback` as a user runs it, on DuckDB and on a real PostgreSQL server.

Two runs publish two versions of silver/customers; a rollback must bring back exactly the rows
of the first, record who and why in the evidence chain, and re-check the table so that its
breaker (and `datapact status`) describes the data now in force.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from datapact_dagster.pipeline.run_owner import run_gate
from tests.processes import run_datapact

SELECT = "key:bronze/raw_customers or key:silver/customers"
USER = "alice@example.com"
DOWNSTREAM = [
    "silver/customer_events",
    "silver/orders",
    "gold/customer_profile",
    "gold/daily_revenue",
]
"""What depends on silver/customers: SQL that reads it, relationships that point at it."""

Cli = Callable[..., subprocess.CompletedProcess[str]]


def _cli(project_root: Path, tmp_path: Path, warehouse_url: str) -> Cli:
    env = {
        **os.environ,
        "DATAPACT_STATE_DIR": str(tmp_path),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "DATAPACT_WAREHOUSE_URL": warehouse_url,
        "DATAPACT_USER": USER,
    }
    env.pop("DATAPACT_EVIDENCE_URL", None)
    env.pop("DATAPACT_KEEP_VERSIONS", None)

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return run_datapact(project_root, {**env, **extra_env}, *args)

    return run


def _rows(url: str, relation: str) -> list[tuple]:
    """Every row, ordered by every column: the exact content of the relation."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            width = len(conn.execute(sa.text(f"SELECT * FROM {relation} LIMIT 1")).keys())
            order = ", ".join(str(i) for i in range(1, width + 1))
            query = f"SELECT * FROM {relation} ORDER BY {order}"
            return [tuple(r) for r in conn.execute(sa.text(query))]
    finally:
        engine.dispose()


def _execute(url: str, statement: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def _publish_two_versions(cli: Cli, url: str) -> tuple[list[tuple], list[tuple]]:
    assert cli("generate", "--rows", "2000", "--seed", "1").returncode == 0
    first = cli("run", "--select", SELECT)
    assert first.returncode == 0, first.stderr
    first_rows = _rows(url, "silver.customers")
    assert cli("generate", "--rows", "2000", "--seed", "2").returncode == 0
    second = cli("run", "--select", SELECT)
    assert second.returncode == 0, second.stderr
    second_rows = _rows(url, "silver.customers")
    assert first_rows != second_rows
    return first_rows, second_rows


def _status(cli: Cli) -> dict[str, dict]:
    shown = cli("status", "--format", "json")
    assert shown.returncode in (0, 1), shown.stderr
    return {row["table"]: row for row in json.loads(shown.stdout)}


def _evidence(tmp_path: Path, decision: str) -> list[dict]:
    database = sqlite3.connect(tmp_path / "evidence.db")
    database.row_factory = sqlite3.Row
    try:
        rows = database.execute(
            "SELECT * FROM datapact_evidence_records WHERE decision = ? ORDER BY seq", (decision,)
        ).fetchall()
    finally:
        database.close()
    return [{**dict(row), "details": json.loads(row["details"])} for row in rows]


def _check_hashes(tmp_path: Path, run_id: str) -> set[str]:
    database = sqlite3.connect(tmp_path / "evidence.db")
    try:
        rows = database.execute(
            "SELECT data_hash FROM datapact_evidence_records WHERE kind = 'check' AND run_id = ?",
            (run_id,),
        ).fetchall()
    finally:
        database.close()
    return {row[0] for row in rows}


def test_rollback_restores_exact_rows_records_evidence_and_moves_the_breaker(
    project_root: Path, tmp_path: Path, warehouse_url: str
) -> None:
    cli = _cli(project_root, tmp_path, warehouse_url)
    first_rows, second_rows = _publish_two_versions(cli, warehouse_url)

    rolled = cli("rollback", "silver/customers", "--reason", "bad emails", "--format", "json")

    assert rolled.returncode == 0, rolled.stderr
    assert _rows(warehouse_url, "silver.customers") == first_rows
    outcome = json.loads(rolled.stdout)
    second_run, first_run = outcome["from"]["run_id"], outcome["to"]["run_id"]
    assert outcome["user"] == USER and outcome["state"] == "healthy"
    assert _rows(warehouse_url, outcome["from"]["relation"]) == second_rows
    assert [t["outcome"] for t in outcome["tables"]] == ["checked"]
    assert [d["table"] for d in outcome["downstream"]] == DOWNSTREAM
    assert outcome["rebuild_command"] == (
        "datapact run --select '" + " or ".join(f"key:{t}" for t in DOWNSTREAM) + "'"
    )
    (decision,) = _evidence(tmp_path, "rollback")
    assert decision["asset_key"] == "silver/customers"
    details = decision["details"]
    assert (details["user"], details["reason"]) == (USER, "bad emails")
    assert (details["from_run"], details["to_run"]) == (second_run, first_run)
    assert (details["to_rows"], details["to_hash"]) == (
        len(first_rows),
        outcome["to"]["content_hash"],
    )
    assert details["from_hash"] == outcome["from"]["content_hash"] != details["to_hash"]
    # the checks ran again, on the data now in force
    assert _check_hashes(tmp_path, outcome["check_run_id"]) == {details["to_hash"]}
    verified = cli("evidence", "verify")
    assert verified.returncode == 0, verified.stderr

    # the kept second version is damaged: a duplicated customer breaks key and email uniqueness
    kept = outcome["from"]["relation"]
    _execute(warehouse_url, f"INSERT INTO {kept} SELECT * FROM {kept} LIMIT 1")
    broken = cli("rollback", "silver/customers", "--to", second_run[:8], "--reason", "retry")

    assert broken.returncode == 1, broken.stderr
    assert "silver/customers is now breached" in broken.stdout
    assert "a run holds them" in broken.stdout
    status = _status(cli)["silver/customers"]
    assert status["state"] == "breached"
    assert status["holding"] == DOWNSTREAM

    fixed = cli("rollback", "customers", "--to", first_run, "--reason", "back to the good data")

    assert fixed.returncode == 0, fixed.stderr
    assert "silver/customers is now healthy" in fixed.stdout
    assert _rows(warehouse_url, "silver.customers") == first_rows
    assert _status(cli)["silver/customers"]["state"] == "healthy"
    unknown_run = cli("rollback", "silver.customers", "--to", "ffffffff", "--reason", "x")
    assert unknown_run.returncode == 2
    assert "--to 'ffffffff' is not a kept run of silver/customers" in unknown_run.stderr
    assert f"kept runs: {second_run[:8]}" in unknown_run.stderr
    with run_gate(tmp_path / "dagster_home"):
        busy = cli("rollback", "silver/customers", "--reason", "x")
    assert busy.returncode == 3
    assert "is using the warehouse" in busy.stderr and "Traceback" not in busy.stderr
    assert _rows(warehouse_url, "silver.customers") == first_rows


def test_refusals_before_anything_changes(project_root: Path, tmp_path: Path) -> None:
    cli = _cli(project_root, tmp_path, f"duckdb:///{tmp_path / 'warehouse.duckdb'}")

    unknown = cli("rollback", "silver/nothing", "--reason", "x")
    assert unknown.returncode == 2
    assert "'silver/nothing' is not a contract table; use one of:" in unknown.stderr
    assert "silver/customers" in unknown.stderr and "Traceback" not in unknown.stderr
    no_reason = cli("rollback", "silver/customers")
    assert no_reason.returncode == 2 and "--reason TEXT is required" in no_reason.stderr
    bad_setting = cli("rollback", "silver/customers", "--list", DATAPACT_KEEP_VERSIONS="three")
    assert bad_setting.returncode == 2
    assert "DATAPACT_KEEP_VERSIONS='three' is not a number of versions" in bad_setting.stderr
    never = cli("rollback", "silver/customers", "--reason", "x")
    assert never.returncode == 2 and "has not been published yet" in never.stderr

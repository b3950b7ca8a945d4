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
    assert "held (upstream breach)" in lines["silver/orders"]
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

"""Exit codes and output CI can trust, through the real `datapact` command in a subprocess:
0 ok, 1 breached, 2 invalid input, 3 a system fault or a crash (one line, the traceback in a
log file), a closed pipe ends quietly, and `run --format json` says what `status` says."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., subprocess.CompletedProcess[str]]
INVALID_PROJECT = Path(__file__).parents[1] / "fixtures" / "invalid" / "api-version-unknown"


def cli_env(state: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATAPACT_STATE_DIR": str(state),
        "DAGSTER_HOME": str(state / "dagster_home"),
        "DATAPACT_WAREHOUSE_URL": f"duckdb:///{state / 'warehouse.duckdb'}",
    }
    for name in ("DATAPACT_EVIDENCE_URL", "DATAPACT_FAILPOINT", "DATAPACT_PROJECT_DIR"):
        env.pop(name, None)
    return env


def datapact(*args: str) -> list[str]:
    return [sys.executable, "-m", "datapact_dagster.cli", *args]


@pytest.fixture
def cli(project_root: Path, tmp_path: Path) -> Cli:
    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            datapact(*args),
            cwd=project_root,
            env={**cli_env(tmp_path), **extra_env},
            capture_output=True,
            text=True,
            timeout=600,
        )

    return run


def test_an_invalid_contract_is_exit_2_naming_the_file(cli: Cli) -> None:
    result = cli("--project", str(INVALID_PROJECT), "validate")

    assert result.returncode == 2, result.stderr
    assert "items.yaml" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_crash_is_exit_3_in_one_line_with_the_traceback_in_a_log_file(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli("list", DATAPACT_FAILPOINT="cli_crash")

    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error (exit 3): RuntimeError: fault injected" in lines[0]
    log = Path(re.search(r"traceback in (\S+\.log)", lines[0]).group(1))  # type: ignore[union-attr]
    assert log.parent == tmp_path / "logs"
    assert "Traceback (most recent call last)" in log.read_text()
    assert "injected_crash" in log.read_text()


def test_debug_prints_the_crash_traceback(cli: Cli) -> None:
    result = cli("--debug", "list", DATAPACT_FAILPOINT="cli_crash")

    assert result.returncode == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: fault injected" in result.stderr


def test_an_unwritable_state_folder_puts_the_log_in_a_temp_file(cli: Cli, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = cli("list", DATAPACT_FAILPOINT="cli_crash", DATAPACT_STATE_DIR=str(blocked))

    assert result.returncode == 3
    log = Path(re.search(r"traceback in (\S+\.log)", result.stderr).group(1))  # type: ignore[union-attr]
    assert blocked not in log.parents
    assert "RuntimeError" in log.read_text()
    log.unlink()


def test_a_closed_pipe_ends_quietly(project_root: Path, tmp_path: Path) -> None:
    """`datapact list --format json | head -0`: the reader is gone before the first write."""
    process = subprocess.Popen(
        datapact("list", "--format", "json"),
        cwd=project_root,
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert stderr == ""


@pytest.fixture(scope="module")
def breached(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A project after `generate --breach duplicate_key` and `run --format json` (exit 1)."""
    state = tmp_path_factory.mktemp("breached")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            datapact(*args),
            cwd=project_root,
            env=cli_env(state),
            capture_output=True,
            text=True,
            timeout=600,
        )

    assert run("generate", "--rows", "2000", "--breach", "duplicate_key").returncode == 0
    result = run("run", "--format", "json")
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    status = run("status", "--format", "json")
    assert status.returncode == 1, status.stderr
    return state, {"run": summary, "run_stderr": result.stderr, "status": json.loads(status.stdout)}


def test_a_breach_is_exit_1_and_run_json_says_what_status_says(breached: tuple[Path, dict]) -> None:
    _, seen = breached
    run, status = seen["run"], seen["status"]

    assert run["exit_code"] == 1 and run["command"] == "datapact run"
    tables = {t["table"]: t for t in run["tables"]}
    assert {t: d["state"] for t, d in tables.items()} == {r["table"]: r["state"] for r in status}
    raw = tables["bronze/raw_orders"]
    assert (raw["outcome"], raw["state"]) == ("quarantined", "breached")
    assert raw["failing_checks"] == ["raw_orders__order_id__unique"]
    assert raw["checks_failed"] == 1 and raw["checks_passed"] > 0
    assert isinstance(raw["seconds"], float)
    held = tables["silver/orders"]
    assert (held["outcome"], held["state"]) == ("held (upstream breach)", "held")
    assert tables["bronze/raw_customers"]["state"] == "healthy"
    # Progress went to stderr, so stdout held nothing but the JSON document.
    assert "raw_customers: building" in seen["run_stderr"]


def test_a_warehouse_that_cannot_be_reached_is_exit_3_without_a_traceback(
    breached: tuple[Path, dict], project_root: Path, tmp_path: Path
) -> None:
    state, _ = breached
    env = {
        **cli_env(state),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "DATAPACT_WAREHOUSE_URL": "postgresql://nobody:secret@127.0.0.1:1/warehouse",
    }
    result = subprocess.run(
        datapact("run", "--select", "key:bronze/raw_customers", "--format", "json"),
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    (table,) = json.loads(result.stdout)["tables"]
    assert table["outcome"] == "error"
    assert "Connection refused" in table["message"] and "\n" not in table["message"]

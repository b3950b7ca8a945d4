"""DATAPACT_EXECUTOR: the default per warehouse, each choice, and the refusals that name the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from datapact_dagster.defs.executors import ExecutorChoice, build_executor, executor_choice
from datapact_dagster.errors import EXIT_INVALID, UserError

DUCKDB = "duckdb:////tmp/warehouse.duckdb"
POSTGRES = "postgresql+psycopg2://datapact@db.internal/warehouse"
BROKER = {"DATAPACT_CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}


def test_the_default_follows_the_warehouse() -> None:
    assert executor_choice({}, DUCKDB) is ExecutorChoice.IN_PROCESS
    assert executor_choice({}, POSTGRES) is ExecutorChoice.MULTIPROCESS
    assert build_executor({}, DUCKDB).name == "in_process"
    assert build_executor({}, POSTGRES).name == "multiprocess"


@pytest.mark.parametrize("choice", list(ExecutorChoice))
def test_postgresql_takes_every_executor(choice: ExecutorChoice) -> None:
    env = {"DATAPACT_EXECUTOR": choice.value, **BROKER}
    assert executor_choice(env, POSTGRES) is choice
    assert build_executor(env, POSTGRES).name == choice.value


def test_multiprocess_steps_fork_from_a_server_that_has_gx_loaded() -> None:
    import importlib

    executor = build_executor({"DATAPACT_EXECUTOR": "multiprocess"}, POSTGRES)
    config = executor.config_schema._config_fn({})  # type: ignore[union-attr]
    preload = config["start_method"]["forkserver"]["preload_modules"]
    assert "great_expectations" in preload
    assert "datapact_dagster.warehouse.dialects.postgres_gx_metrics" in preload
    assert "datapact_dagster.definitions" in preload
    for module in preload:  # a name that does not import would break every step
        importlib.import_module(module)
    assert config["max_concurrent"] == 0  # Dagster's default: one step per CPU
    assert executor.config_schema._config_fn({"max_concurrent": 1})["max_concurrent"] == 1  # type: ignore[union-attr]


def test_the_warehouse_pool_limit_is_read_from_dagster() -> None:
    import dagster as dg

    from datapact_dagster.pipeline.dagster_home import WAREHOUSE_POOL_LIMIT
    from datapact_dagster.pipeline.job_runner import WAREHOUSE_POOL, warehouse_pool_limit

    pools = {"concurrency": {"pools": {"default_limit": WAREHOUSE_POOL_LIMIT}}}
    with dg.instance_for_test(overrides=pools) as instance:
        assert warehouse_pool_limit(instance) == WAREHOUSE_POOL_LIMIT == 1
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 3)
        assert warehouse_pool_limit(instance) == 3
    with dg.instance_for_test() as instance:
        assert warehouse_pool_limit(instance) == 0  # no limit: Dagster's own default


def test_celery_reads_its_broker_from_the_environment_when_a_run_starts() -> None:
    executor = build_executor({"DATAPACT_EXECUTOR": "celery", **BROKER}, POSTGRES)
    config = executor.config_schema._config_fn({})  # type: ignore[union-attr]
    assert config["broker"] == {"env": "DATAPACT_CELERY_BROKER_URL"}
    assert config["backend"] == {"env": "DATAPACT_CELERY_BROKER_URL"}
    assert "redis://" not in str(config), "no broker URL (or password) stored with the job"


@pytest.mark.parametrize("choice", ["multiprocess", "celery"])
def test_duckdb_refuses_more_than_one_writer_process(choice: str) -> None:
    with pytest.raises(UserError) as refused:
        executor_choice({"DATAPACT_EXECUTOR": choice, **BROKER}, DUCKDB)
    assert refused.value.exit_code == EXIT_INVALID
    message = str(refused.value)
    assert "DuckDB" in message and "DATAPACT_WAREHOUSE_URL" in message
    assert executor_choice({"DATAPACT_EXECUTOR": "in_process"}, DUCKDB) is ExecutorChoice.IN_PROCESS


def test_unknown_executor_and_missing_broker_are_named() -> None:
    with pytest.raises(UserError, match="in_process, multiprocess, celery"):
        executor_choice({"DATAPACT_EXECUTOR": "kubernetes"}, POSTGRES)
    with pytest.raises(UserError, match="DATAPACT_CELERY_BROKER_URL"):
        executor_choice({"DATAPACT_EXECUTOR": "celery"}, POSTGRES)


def test_datapact_run_refuses_celery_on_duckdb_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "datapact_dagster.cli", "run"],
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DATAPACT_STATE_DIR": str(tmp_path / "state"),
            "DATAPACT_EXECUTOR": "celery",
            **BROKER,
        },
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == EXIT_INVALID, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "DATAPACT_EXECUTOR=celery needs a warehouse" in result.stderr


def test_datapact_run_takes_the_multiprocess_default_in_process_while_the_pool_admits_one() -> None:
    from datapact_dagster.pipeline.executor_choice import command_executor, may_run_in_process

    assert may_run_in_process({}, POSTGRES) and may_run_in_process({}, DUCKDB)
    assert command_executor({}, POSTGRES, pool_limit=1) is ExecutorChoice.IN_PROCESS
    # a pool that admits several steps, or no limit at all: they run in parallel processes
    assert command_executor({}, POSTGRES, pool_limit=3) is ExecutorChoice.MULTIPROCESS
    assert command_executor({}, POSTGRES, pool_limit=0) is ExecutorChoice.MULTIPROCESS
    # a choice made in DATAPACT_EXECUTOR is kept whatever the pool
    chosen = {"DATAPACT_EXECUTOR": "multiprocess"}
    assert not may_run_in_process(chosen, POSTGRES)
    assert command_executor(chosen, POSTGRES, pool_limit=1) is ExecutorChoice.MULTIPROCESS
    celery = {"DATAPACT_EXECUTOR": "celery", **BROKER}
    assert command_executor(celery, POSTGRES, pool_limit=1) is ExecutorChoice.CELERY
    assert command_executor({}, DUCKDB, pool_limit=0) is ExecutorChoice.IN_PROCESS


def test_the_executor_set_for_a_run_is_taken_back_afterwards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from datapact_dagster.pipeline.executor_choice import executor_in_environment

    monkeypatch.delenv("DATAPACT_EXECUTOR", raising=False)
    with executor_in_environment(ExecutorChoice.IN_PROCESS):
        assert build_executor(os.environ, POSTGRES).name == "in_process"
    assert "DATAPACT_EXECUTOR" not in os.environ
    monkeypatch.setenv("DATAPACT_EXECUTOR", "multiprocess")
    with executor_in_environment(ExecutorChoice.IN_PROCESS):
        assert os.environ["DATAPACT_EXECUTOR"] == "in_process"
    assert os.environ["DATAPACT_EXECUTOR"] == "multiprocess"

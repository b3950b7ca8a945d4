"""Where a run's steps execute: in the run's process, in processes beside it, or on Celery
workers on other machines. Chosen with DATAPACT_EXECUTOR, the same in every process that loads
the definitions (the webserver, the daemon, `datapact run`, and the Celery workers).

| DATAPACT_EXECUTOR | steps run | needs |
|---|---|---|
| unset | in-process on a single-writer warehouse, else in parallel processes (*) | nothing |
| `in_process` | one after another in the run's process | nothing |
| `multiprocess` | in parallel child processes of the run (forked, GX loaded once) | many writers |
| `celery` | on Celery workers, through a broker | the `celery` extra, Dagster storage on a server |

(*) `datapact run` runs that default in-process while the warehouse pool admits one step at a
time (`pipeline/executor_choice.command_executor`).

The Celery broker and result backend come from DATAPACT_CELERY_BROKER_URL and
DATAPACT_CELERY_BACKEND_URL (default: the broker URL, which suits Redis).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg

from datapact_dagster.errors import EXIT_INVALID, UserError
from datapact_dagster.pipeline.celery_config import BACKEND_ENV, BROKER_ENV, celery_app_args
from datapact_dagster.pipeline.executor_choice import EXECUTOR_ENV, ExecutorChoice, executor_choice
from datapact_dagster.warehouse.dialects import DIALECTS


def build_executor(env: Mapping[str, str], warehouse_url: str) -> dg.ExecutorDefinition:
    choice = executor_choice(env, warehouse_url)
    if choice is ExecutorChoice.IN_PROCESS:
        return dg.in_process_executor
    if choice is ExecutorChoice.MULTIPROCESS:
        return multiprocess_executor()
    try:
        from dagster_celery import celery_executor
    except ImportError:
        raise UserError(
            f"{EXECUTOR_ENV}=celery needs dagster-celery: install DataPact with its celery "
            "extra (pip install 'datapact-dagster[celery]').",
            EXIT_INVALID,
        ) from None
    # Read from the environment when a run starts: no password is stored with the job.
    backend = BACKEND_ENV if env.get(BACKEND_ENV, "").strip() else BROKER_ENV
    return celery_executor.configured(
        {
            "broker": {"env": BROKER_ENV},
            "backend": {"env": backend},
            "config_source": celery_app_args(env)["config_source"],
        },
        name="celery",
    )


def forkserver_preload() -> list[str]:
    """What the step processes' fork server imports once, so no step pays for it: Dagster's
    step machinery, GX with every warehouse's extensions, and DataPact's definitions."""
    extensions = [module for dialect in DIALECTS for module in dialect.gx_extensions]
    return [
        "dagster._core.executor.multiprocess",
        "datapact_dagster.checks.gx_preload",
        "great_expectations",
        *extensions,
        "datapact_dagster.checks.gx_run",
        "datapact_dagster.definitions",
    ]


def multiprocess_executor() -> dg.ExecutorDefinition:
    """Dagster's multiprocess executor, its steps forked from a fork server that has imported
    `forkserver_preload()` (a spawned step would import GX again, seconds each).

    `max_concurrent` stays settable per run: `datapact run` sets the warehouse pool's limit,
    since a step process started beyond it only polls for a slot (Dagster's poll interval
    starts at a second and grows, and each wait delays the next step by up to that long)."""
    preload = forkserver_preload()

    def with_preload(config: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "start_method": {"forkserver": {"preload_modules": preload}},
            "max_concurrent": config.get("max_concurrent", 0),
        }

    return dg.multiprocess_executor.configured(
        with_preload,
        name=ExecutorChoice.MULTIPROCESS.value,
        config_schema={
            "max_concurrent": dg.Field(
                int,
                default_value=0,
                description="Steps running at once in child processes; 0 means one per CPU.",
            )
        },
    )


def start_fork_server() -> None:
    """Start the multiprocess executor's fork server now instead of at the first step: its
    imports (GX, Dagster, the definitions: seconds) then run on another CPU while the run
    starts. Call it once the environment the steps must see is set: the server keeps the
    environment it starts with. The executor finds it running and uses it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(forkserver_preload())
    multiprocessing.forkserver.ensure_running()


def run_executor(warehouse_url: str) -> dg.ExecutorDefinition:
    """The executor of this process's environment (see the module docstring)."""
    return build_executor(os.environ, warehouse_url)

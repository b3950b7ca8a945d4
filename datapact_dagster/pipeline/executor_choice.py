"""Which executor runs a run's steps (DATAPACT_EXECUTOR, or the warehouse's default), decided
without loading Dagster: `datapact run` asks before it imports it. defs/executors.py builds
the executor chosen."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum

from datapact_dagster.errors import EXIT_INVALID, UserError
from datapact_dagster.pipeline.celery_config import BROKER_ENV
from datapact_dagster.warehouse.dialects import DIALECTS, for_url

EXECUTOR_ENV = "DATAPACT_EXECUTOR"


class ExecutorChoice(StrEnum):
    IN_PROCESS = "in_process"
    MULTIPROCESS = "multiprocess"
    CELERY = "celery"


def executor_choice(env: Mapping[str, str], warehouse_url: str) -> ExecutorChoice:
    """The executor DATAPACT_EXECUTOR names, or the default for the warehouse; refuses a
    choice the warehouse cannot take, naming the fix."""
    dialect = for_url(warehouse_url)
    given = env.get(EXECUTOR_ENV, "").strip()
    if not given:
        return ExecutorChoice.IN_PROCESS if dialect.single_writer else ExecutorChoice.MULTIPROCESS
    try:
        choice = ExecutorChoice(given)
    except ValueError:
        known = ", ".join(c.value for c in ExecutorChoice)
        raise UserError(
            f"{EXECUTOR_ENV}={given!r} is not an executor DataPact knows. Set it to one of "
            f"{known}, or unset it for the default.",
            EXIT_INVALID,
        ) from None
    if dialect.single_writer and choice is not ExecutorChoice.IN_PROCESS:
        shared = " or ".join(d.display_name for d in DIALECTS if not d.single_writer)
        raise UserError(
            f"{EXECUTOR_ENV}={choice.value} needs a warehouse that several processes may write, "
            f"but {dialect.display_name} is written by one process only (the embedded default, "
            f"which cannot be shared by workers). Set DATAPACT_WAREHOUSE_URL to a {shared} "
            f"warehouse, or unset {EXECUTOR_ENV} to run the steps in-process.",
            EXIT_INVALID,
        )
    if choice is ExecutorChoice.CELERY and not env.get(BROKER_ENV, "").strip():
        raise UserError(
            f"{EXECUTOR_ENV}=celery needs the Celery broker: set {BROKER_ENV} (for example "
            "redis://broker.internal:6379/0) in every process that loads DataPact, workers "
            "included.",
            EXIT_INVALID,
        )
    return choice


def may_run_in_process(env: Mapping[str, str], warehouse_url: str) -> bool:
    """Whether `datapact run` may run its steps in its own process (so a GX worker can serve
    it): chosen so, or the shared warehouse's default, which `command_executor` may turn."""
    choice = executor_choice(env, warehouse_url)
    return choice is ExecutorChoice.IN_PROCESS or (
        choice is ExecutorChoice.MULTIPROCESS and not env.get(EXECUTOR_ENV, "").strip()
    )


def command_executor(env: Mapping[str, str], warehouse_url: str, pool_limit: int) -> ExecutorChoice:
    """The executor a `datapact run` uses: DATAPACT_EXECUTOR's choice, else the warehouse's
    default, except that the multiprocess default runs in-process while the warehouse pool
    admits one step at a time (`pool_limit` 1). Its step processes would then run one after
    another, each paying a fork and a load of the definitions, while an in-process run keeps
    a second CPU busy with its GX worker. Runs the daemon launches keep the default."""
    if may_run_in_process(env, warehouse_url) and pool_limit == 1:
        return ExecutorChoice.IN_PROCESS
    return executor_choice(env, warehouse_url)


@contextmanager
def executor_in_environment(choice: ExecutorChoice) -> Iterator[None]:
    """DATAPACT_EXECUTOR set to `choice` while the block runs: a job's executor is read from
    the environment whenever the definitions load (`defs/executors.py`), also when a run
    rebuilds its job."""
    before = os.environ.get(EXECUTOR_ENV)
    os.environ[EXECUTOR_ENV] = choice.value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(EXECUTOR_ENV, None)
        else:
            os.environ[EXECUTOR_ENV] = before

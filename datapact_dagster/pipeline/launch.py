"""Before a run or a check starts: take the one-launch gate, then release what dead runs hold.

DataPact does not wait for a warehouse that a live run is using: waiting inside Dagster's
executor spins a CPU and ignores Ctrl-C, and a run can last long. It stops at once instead
(exit 3) and names the run and its process, so the user can wait for it or stop it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import dagster as dg

from datapact_dagster.errors import EXIT_SYSTEM_ERROR, UserError
from datapact_dagster.evidence.store import evidence_url
from datapact_dagster.pipeline.evidence_sink import evidence_writer_for
from datapact_dagster.pipeline.recovery import (
    RecoveryReport,
    RunInProgress,
    recover,
    run_of_process,
)
from datapact_dagster.pipeline.run_owner import WarehouseBusy, run_gate
from datapact_dagster.plan.project import TablePlan
from datapact_dagster.settings import Settings


def busy_message(user: RunInProgress | None, holder_pid: int | None) -> str:
    if user is None:
        who = "another datapact launch" + ("" if holder_pid is None else f" (pid {holder_pid})")
    else:
        who = f"another {user.describe()}"
    stop = (
        f"stop it (kill {user.owner.pid})"
        if user is not None and user.owner is not None
        else f"stop it (kill {holder_pid})"
        if holder_pid is not None
        else "stop it in the Dagster UI ('datapact ui', Runs)"
    )
    return (
        f"{who} is using the warehouse (it holds the run lock in the Dagster home); wait for "
        f"it to finish or {stop}, then start again"
    )


@contextlib.contextmanager
def exclusive_launch(
    instance: dg.DagsterInstance,
    settings: Settings,
    plans: Sequence[TablePlan],
    *,
    detected_by: str,
) -> Iterator[RecoveryReport]:
    """Hold the gate for the block; dead runs are released first and reported.

    Raises UserError (exit 3) when a live run holds the gate or is still in progress.
    """
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(run_gate(settings.dagster_home))
        except WarehouseBusy as busy:
            user = run_of_process(instance, busy.holder_pid) if busy.holder_pid else None
            raise UserError(busy_message(user, busy.holder_pid), EXIT_SYSTEM_ERROR) from None
        writer = evidence_writer_for(evidence_url(settings.project_dir))
        yield recover(instance, writer, plans, detected_by=detected_by)

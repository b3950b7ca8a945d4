"""Release what a dead run holds: its Dagster run record, its warehouse pool slot, its claims.

A run DataPact launched is dead when it is still marked in progress but its process is gone
from this host (`RunOwner.is_alive`). Releasing it marks the run failed in Dagster, frees every
concurrency slot and pending claim it kept in the warehouse pool, and records an `error`
decision in the evidence for each table whose step it had started and not finished: those are
the tables an auditor would otherwise see begun and never concluded. Tables it had not started
were not touched and get no record; tables it finished already have their decision.

Slots or pending claims left by a run that has already finished (or no longer exists) are freed
too. Runs launched from the Dagster UI or daemon carry no owner; they are reported, never
released: Dagster's own run monitoring owns them.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.storage.runs.sqlite import SqliteRunStorage

from datapact_dagster.evidence.model import Decision
from datapact_dagster.pipeline.job_runner import WAREHOUSE_POOL
from datapact_dagster.pipeline.run_owner import RunOwner
from datapact_dagster.pipeline.table_run import EvidenceSink
from datapact_dagster.plan.project import TablePlan

_UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
_STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
}


@dataclass(frozen=True)
class RunInProgress:
    run_id: str
    job_name: str
    owner: RunOwner | None

    def describe(self) -> str:
        if self.owner is None:
            return f"run {self.run_id} (launched from Dagster, not by datapact)"
        return f"run {self.run_id} ({self.owner.describe()})"

    def to_json(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "job": self.job_name,
            "pid": self.owner.pid if self.owner else None,
            "host": self.owner.host if self.owner else None,
            "launched_by": "datapact" if self.owner and self.owner.tagged else "dagster",
        }


@dataclass(frozen=True)
class ReleasedRun:
    run_id: str
    job_name: str
    owner: RunOwner | None
    tables: list[str]

    def describe(self) -> str:
        return RunInProgress(self.run_id, self.job_name, self.owner).describe()

    def to_json(self) -> dict[str, object]:
        return {
            **RunInProgress(self.run_id, self.job_name, self.owner).to_json(),
            "tables_recorded_as_error": self.tables,
        }


@dataclass
class RecoveryReport:
    released: list[ReleasedRun] = field(default_factory=list)
    stale_claims_freed: list[str] = field(default_factory=list)
    in_progress: list[RunInProgress] = field(default_factory=list)

    @property
    def repaired(self) -> bool:
        return bool(self.released or self.stale_claims_freed)

    def to_json(self) -> dict[str, object]:
        return {
            "released_runs": [r.to_json() for r in self.released],
            "stale_claims_freed": self.stale_claims_freed,
            "runs_in_progress": [r.to_json() for r in self.in_progress],
        }


def recover(
    instance: dg.DagsterInstance,
    evidence: EvidenceSink | None,
    plans: Sequence[TablePlan],
    *,
    detected_by: str,
) -> RecoveryReport:
    """Release every dead DataPact run and every claim left by a finished run."""
    report = RecoveryReport()
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_UNFINISHED)):
        owner = owner_of(instance, run)
        if owner is not None and not owner.is_alive():
            worker = _live_step_worker(instance, run, owner)
            if worker is not None:
                # The launcher is gone but a step worker it started still runs (a parallel
                # executor's child process outlives a kill of its parent): not dead yet.
                report.in_progress.append(RunInProgress(run.run_id, run.job_name, worker))
                continue
            report.released.append(
                release_dead_run(instance, run, owner, evidence, plans, detected_by)
            )
        elif owner is not None or run.status is not dg.DagsterRunStatus.NOT_STARTED:
            report.in_progress.append(RunInProgress(run.run_id, run.job_name, owner))
    report.in_progress.sort(key=lambda r: r.owner is None)
    report.stale_claims_freed = _free_claims_of_finished_runs(instance)
    return report


def owner_of(instance: dg.DagsterInstance, run: dg.DagsterRun) -> RunOwner | None:
    """The process a run belongs to: from DataPact's tags, or for a run launched otherwise (the
    Dagster UI, an older DataPact) the process that started it, when the instance's storage is
    local files and so every run in it ran on this host."""
    owner = RunOwner.from_tags(run.tags)
    if owner is not None or not isinstance(instance.run_storage, SqliteRunStorage):
        return owner
    for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_START):
        if record.dagster_event is not None and record.dagster_event.pid is not None:
            return RunOwner(socket.gethostname(), record.dagster_event.pid, tagged=False)
    return None


def release_dead_run(
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    owner: RunOwner | None,
    evidence: EvidenceSink | None,
    plans: Sequence[TablePlan],
    detected_by: str,
) -> ReleasedRun:
    """Record the unfinished tables as errors, free the run's slots, mark the run failed.

    The evidence goes first: if writing it fails, the run stays as it was and the next attempt
    finds it again, so the error is never lost behind an already-released run.
    """
    process = owner.describe() if owner else "launched from Dagster"
    plan_of_step = {"__".join(p.table.asset_key): p for p in plans}
    unfinished = _unfinished_steps(instance, run.run_id)
    tables: list[str] = []
    for step in unfinished:
        plan = plan_of_step.get(step)
        if plan is None:
            continue
        tables.append("/".join(plan.table.asset_key))
        if evidence is not None:
            evidence.record_decision(
                plan,
                Decision.ERROR,
                run.run_id,
                {
                    "stage": "run process died",
                    "error": (
                        f"the process of run {run.run_id} ({process}) died before this "
                        f"table's step finished; found by {detected_by}"
                    ),
                    "host": owner.host if owner else None,
                    "pid": owner.pid if owner else None,
                },
            )
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        storage.free_concurrency_slots_for_run(run.run_id)
    instance.report_run_failed(
        run,
        message=(
            f"DataPact: this run's process ({process}) is gone; {detected_by} marked "
            "the run failed and released its warehouse slot."
        ),
    )
    return ReleasedRun(run.run_id, run.job_name, owner, tables)


def _unfinished_steps(instance: dg.DagsterInstance, run_id: str) -> dict[str, int | None]:
    """Steps started and never finished, each with the process id that started it."""
    started: dict[str, int | None] = {}
    for record in instance.all_logs(run_id, of_type=_STEP_EVENTS):
        event = record.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type is dg.DagsterEventType.STEP_START:
            started[event.step_key] = event.pid
        else:
            started.pop(event.step_key, None)
    return started


def _live_step_worker(
    instance: dg.DagsterInstance, run: dg.DagsterRun, owner: RunOwner
) -> RunOwner | None:
    if not owner.on_this_host:
        return None
    for pid in _unfinished_steps(instance, run.run_id).values():
        if pid is not None and pid != owner.pid:
            worker = RunOwner(owner.host, pid, tagged=owner.tagged)
            if worker.is_alive():
                return worker
    return None


def _free_claims_of_finished_runs(instance: dg.DagsterInstance) -> list[str]:
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    holders = set(storage.get_concurrency_run_ids())
    if WAREHOUSE_POOL in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(WAREHOUSE_POOL)
        holders |= {slot.run_id for slot in info.claimed_slots if slot.run_id}
        holders |= {step.run_id for step in info.pending_steps}
    freed = []
    for run_id in sorted(holders):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            storage.free_concurrency_slots_for_run(run_id)
            freed.append(run_id)
    return freed


def run_of_process(instance: dg.DagsterInstance, pid: int) -> RunInProgress | None:
    """The unfinished run this host's process `pid` launched, if it has created one yet."""
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=_UNFINISHED)):
        owner = owner_of(instance, run)
        if owner is not None and owner.on_this_host and owner.pid == pid:
            return RunInProgress(run.run_id, run.job_name, owner)
    return None


def release_run_by_id(
    instance: dg.DagsterInstance,
    run_id: str,
    evidence: EvidenceSink | None,
    plans: Sequence[TablePlan],
    detected_by: str,
) -> ReleasedRun:
    """Release one unfinished run the user has said is dead (one DataPact cannot judge itself).

    Refused with ValueError for an unknown or finished run, or a DataPact run whose process is
    alive on this host.
    """
    run = instance.get_run_by_id(run_id)
    if run is None or run.status not in _UNFINISHED:
        raise ValueError(f"run {run_id} is not an unfinished run of this Dagster instance")
    owner = owner_of(instance, run)
    if owner is not None and owner.on_this_host and owner.is_alive():
        raise ValueError(f"run {run_id} is alive ({owner.describe()}); stop it first")
    return release_dead_run(instance, run, owner, evidence, plans, detected_by)

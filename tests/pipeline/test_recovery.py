"""Releasing dead runs on a real Dagster instance: slot, pending claims, run record, evidence."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.dependency import NodeHandle
from dagster._core.events import DagsterEvent
from dagster._core.execution.plan.handle import StepHandle

from datapact_dagster.evidence.model import Decision
from datapact_dagster.pipeline.job_runner import (
    WAREHOUSE_POOL,
    TableSummary,
    label_tables_not_run,
)
from datapact_dagster.pipeline.recovery import recover, release_run_by_id
from datapact_dagster.pipeline.run_owner import RunOwner, WarehouseBusy, run_gate
from datapact_dagster.pipeline.run_status import TableRunStatus
from datapact_dagster.plan.project import TablePlan, load_project

STEP = "bronze__raw_orders"


class RecordingSink:
    def __init__(self) -> None:
        self.decisions: list[tuple[str, Decision, str]] = []

    def record_checks(self, *args: object) -> None:
        raise AssertionError("recovery records no check result")

    def record_decision(
        self, plan: TablePlan, decision: Decision, run_id: str, details: dict[str, object]
    ) -> None:
        self.decisions.append(("/".join(plan.table.asset_key), decision, run_id))


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as inst:
        inst.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 1)
        yield inst


def _dead_owner() -> RunOwner:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return RunOwner(RunOwner.current().host, finished.pid, started="1")


def _started_run(
    instance: dg.DagsterInstance, owner: RunOwner, *steps: str, worker: int | None = None
) -> dg.DagsterRun:
    run = instance.add_run(
        dg.DagsterRun(
            job_name="contract_pipeline",
            run_id=f"run-{owner.pid}-{len(steps)}",
            status=dg.DagsterRunStatus.STARTED,
            tags=owner.tags(),
        )
    )
    for step in steps:
        claim = instance.event_log_storage.claim_concurrency_slot(WAREHOUSE_POOL, run.run_id, step)
        assert claim.is_claimed or steps.index(step) > 0
        instance.report_dagster_event(
            DagsterEvent(
                event_type_value=dg.DagsterEventType.STEP_START.value,
                job_name=run.job_name,
                step_handle=StepHandle(NodeHandle(step, None)),
                pid=worker or owner.pid,
            ),
            run_id=run.run_id,
        )
    return run


def test_a_dead_run_is_released_and_a_live_one_is_left_alone(
    instance: dg.DagsterInstance,
) -> None:
    dead = _started_run(instance, _dead_owner(), STEP)
    live = _started_run(instance, RunOwner.current())
    blocked = instance.event_log_storage.claim_concurrency_slot(WAREHOUSE_POOL, "other", "x")
    assert not blocked.is_claimed, "the dead run holds the only slot"
    sink = RecordingSink()

    report = recover(instance, sink, load_project().plans, detected_by="test")

    assert [r.run_id for r in report.released] == [dead.run_id]
    assert [r.run_id for r in report.in_progress] == [live.run_id]
    assert instance.get_run_by_id(dead.run_id).status is dg.DagsterRunStatus.FAILURE
    assert instance.get_run_by_id(live.run_id).status is dg.DagsterRunStatus.STARTED
    info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    assert dead.run_id not in {s.run_id for s in info.claimed_slots}
    assert "other" in report.stale_claims_freed, "a claim of an unknown run is freed too"
    assert sink.decisions == [("bronze/raw_orders", Decision.ERROR, dead.run_id)]
    assert report.released[0].tables == ["bronze/raw_orders"]
    assert recover(instance, sink, load_project().plans, detected_by="test").released == []


def test_a_run_whose_step_worker_outlives_its_launcher_is_not_dead_yet(
    instance: dg.DagsterInstance,
) -> None:
    orphaned = _started_run(instance, _dead_owner(), STEP, worker=os.getpid())

    report = recover(instance, RecordingSink(), load_project().plans, detected_by="test")

    assert report.released == []
    assert [(r.run_id, r.owner.pid) for r in report.in_progress] == [(orphaned.run_id, os.getpid())]
    assert instance.get_run_by_id(orphaned.run_id).status is dg.DagsterRunStatus.STARTED


def test_live_process_is_never_released_by_id(instance: dg.DagsterInstance) -> None:
    live = _started_run(instance, RunOwner.current())
    with pytest.raises(ValueError, match="is alive"):
        release_run_by_id(instance, live.run_id, None, load_project().plans, "test")


def test_owner_of_a_dead_or_reused_pid_is_not_alive() -> None:
    me = RunOwner.current()
    assert me.is_alive()
    assert not _dead_owner().is_alive()
    assert not RunOwner(me.host, os.getpid(), started="0").is_alive(), "pid reused by another"
    assert RunOwner("elsewhere", 1).is_alive(), "another host's process cannot be judged"
    assert RunOwner.from_tags(me.tags()) == me
    assert RunOwner.from_tags({}) is None


def test_the_gate_admits_one_launch(tmp_path: Path) -> None:
    with run_gate(tmp_path):
        child = subprocess.run(
            [
                "python",
                "-c",
                "import sys; from pathlib import Path;"
                "from datapact_dagster.pipeline.run_owner import run_gate, WarehouseBusy\n"
                "try:\n"
                "    with run_gate(Path(sys.argv[1])): print('entered')\n"
                "except WarehouseBusy as busy: print('busy', busy.holder_pid)",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        )
        assert child.stdout.strip() == f"busy {os.getpid()}", child.stderr
    with run_gate(tmp_path):
        pass
    assert WarehouseBusy("x", 1).exit_code == 3


def test_skipped_tables_say_whether_a_breach_or_an_error_stopped_them() -> None:
    def table(asset: str, status: TableRunStatus) -> TableSummary:
        return TableSummary(asset=asset, status=status)

    summaries = [
        table("bronze/orders", TableRunStatus.ERROR),
        table("bronze/customers", TableRunStatus.QUARANTINED),
        table("bronze/events", TableRunStatus.PUBLISHED),
        table("silver/orders", TableRunStatus.NOT_RUN),
        table("silver/events", TableRunStatus.NOT_RUN),
        table("gold/revenue", TableRunStatus.NOT_RUN),
        table("gold/profile", TableRunStatus.NOT_RUN),
    ]
    parents = {
        "silver/orders": {"bronze/orders"},
        "silver/events": {"bronze/events"},
        "gold/revenue": {"silver/orders"},
        "gold/profile": {"silver/orders", "bronze/customers"},
    }

    label_tables_not_run(summaries, parents)

    status = {s.asset: s.status for s in summaries}
    assert status["silver/orders"] is TableRunStatus.UPSTREAM_ERROR
    assert status["gold/revenue"] is TableRunStatus.UPSTREAM_ERROR
    assert status["gold/profile"] is TableRunStatus.HELD, "a breach upstream wins"
    assert status["silver/events"] is TableRunStatus.NOT_RUN

"""Schedules from the contracts: the pipeline on each contract's cron (off until turned on in the
UI) and the check-only monitoring job on a shorter cron (on), which also watches freshness."""

from datetime import datetime

import dagster as dg
from dagster_shared.check import CheckError

from datapact_dagster.breaker.cadence import (
    Cadence,
    build_cadences,
    check_cadences,
    schedule_name,
)
from datapact_dagster.breaker.graph import format_keys
from datapact_dagster.breaker.project_breakers import read_project_breakers
from datapact_dagster.defs import jobs
from datapact_dagster.defs.in_force import table_check_keys
from datapact_dagster.pipeline.run_partition import partition_now
from datapact_dagster.plan.project import load_project


def _check_keys(tables: list[tuple[str, ...]]) -> list[dg.AssetCheckKey]:
    """Every check of `tables`, the breaker's own `<table>__contract_in_force` included."""
    plans = {p.table.asset_key: p for p in load_project().plans}
    return [key for t in tables for key in table_check_keys(plans[t])]


def _tick_time(context: dg.ScheduleEvaluationContext) -> datetime | None:
    """The tick's scheduled time; None (now) for a context built without one, as in tests."""
    try:
        return context.scheduled_execution_time
    except CheckError:
        return None


def _pipeline_schedule(cadence: Cadence, name: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=name,
        cron_schedule=cadence.cron,
        job=jobs.contract_pipeline,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=(
            f"Builds {format_keys(cadence.tables)} on the contracts' cron. Tables downstream of a "
            "breached contract are left out (held) at each tick. Off by default: turn it on in "
            "the UI (Automation) once the pipeline should run unattended."
        ),
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        breakers = read_project_breakers(context.instance, load_project())
        held = breakers.held
        tables = [t for t in cadence.tables if t not in held]
        left_out = [t for t in cadence.tables if t in held]
        if left_out:
            context.log.info(
                f"leaving out held tables {format_keys(left_out)}: {breakers.hold_summary()}"
            )
        if not tables:
            return dg.SkipReason(
                f"every table of this schedule is held:\n{breakers.hold_summary()}"
            )
        return dg.RunRequest(
            asset_selection=[dg.AssetKey(list(t)) for t in tables],
            asset_check_keys=_check_keys(tables),
            partition_key=partition_now(load_project().plans, tables, _tick_time(context)),
        )

    return _schedule


def _checks_schedule(cadence: Cadence, name: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=name,
        cron_schedule=cadence.cron,
        job=jobs.contract_checks,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            f"Re-validates the published {format_keys(cadence.tables)} (freshness included) "
            "without rebuilding, so a missed update opens the breaker even when no build runs."
        ),
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(asset_selection=[], asset_check_keys=_check_keys(list(cadence.tables)))

    return _schedule


def _pipeline_schedules() -> list[dg.ScheduleDefinition]:
    cadences = build_cadences(load_project().contracts.contracts)
    return [
        _pipeline_schedule(c, schedule_name("contract_pipeline_schedule", c, cadences))
        for c in cadences
    ]


def _check_schedules() -> list[dg.ScheduleDefinition]:
    cadences = check_cadences(load_project().contracts.contracts)
    return [
        _checks_schedule(c, schedule_name("contract_checks_schedule", c, cadences))
        for c in cadences
    ]


pipeline_schedules = _pipeline_schedules()
check_schedules = _check_schedules()

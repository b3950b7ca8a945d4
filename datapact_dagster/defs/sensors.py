"""The contract breaker sensor: alerts on breach and recovery, holds and releases downstream."""

from datetime import UTC, datetime

import dagster as dg

from datapact_dagster.alerts import DeliveryStatus
from datapact_dagster.breaker.alerting import (
    AlertSender,
    breach_event,
    breach_scope,
    describe_outcomes,
    new_version_event,
    recovery_event,
    version_details,
)
from datapact_dagster.breaker.cursor import BreakerCursor
from datapact_dagster.breaker.deprecation import deprecation_events, deprecation_period
from datapact_dagster.breaker.graph import format_keys
from datapact_dagster.breaker.project_breakers import read_project_breakers
from datapact_dagster.breaker.read import Breakers
from datapact_dagster.breaker.recovery import RECOVERY_TAG, recovery_run_key, tables_to_rebuild
from datapact_dagster.breaker.state import AssetPath
from datapact_dagster.breaker.transitions import Transitions, compare
from datapact_dagster.defs import jobs
from datapact_dagster.defs.in_force import table_check_keys
from datapact_dagster.evidence.store import EvidenceError, EvidenceStore, evidence_url
from datapact_dagster.pipeline.evidence_sink import evidence_writer_for
from datapact_dagster.pipeline.run_partition import partition_now
from datapact_dagster.plan.project import Project, load_project

BREAKER_SENSOR_INTERVAL_SECONDS = 30


def _run_finished(instance: dg.DagsterInstance, run_id: str) -> bool:
    run = instance.get_run_by_id(run_id)
    return run is None or run.is_finished


def _materialised_at(
    instance: dg.DagsterInstance, keys: list[AssetPath]
) -> dict[AssetPath, datetime | None]:
    events = instance.get_latest_materialization_events([dg.AssetKey(list(k)) for k in keys])
    return {
        tuple(key.path): datetime.fromtimestamp(event.timestamp, UTC) if event else None
        for key, event in events.items()
    }


def _evidence_store(project: Project) -> EvidenceStore | None:
    """The evidence store (the texts of earlier contract versions, the alerts delivered)."""
    try:
        writer = evidence_writer_for(evidence_url(project.settings.project_dir))
    except EvidenceError:
        return None
    return writer.store if writer else None


def _used_this_week(breakers: Breakers, now: datetime) -> list[AssetPath]:
    """The tables a run built or checked this week (a deprecated one's consumers hear of it)."""
    week = deprecation_period(now)
    return [
        key
        for key, breaker in breakers.by_table.items()
        if breaker.last_evaluated_at and deprecation_period(breaker.last_evaluated_at) == week
    ]


def _send_alerts(
    context: dg.SensorEvaluationContext, project: Project, breakers: Breakers, changes: Transitions
) -> None:
    now = datetime.now(UTC)
    store = _evidence_store(project)
    sender = AlertSender(
        project.settings.project_dir, {c.id: c for c in project.contracts.contracts}, store
    )
    try:
        evidence = store.engine if store else None
        events = [
            new_version_event(
                v.breaker,
                v.previous_version,
                version_details(project, evidence, v.breaker.contract_id, v.previous_version),
            )
            for v in changes.versions
        ]
        events += [
            breach_event(
                o.breaker,
                o.alert_kind,
                o.episode,
                breakers.held_by(o.breaker),
                breach_scope(project, o.breaker),
            )
            for o in changes.opened
        ]
        events += [
            recovery_event(
                c.breaker, c.episode, c.since, breakers.held_by(c.breaker) - breakers.held
            )
            for c in changes.closed
        ]
        events += deprecation_events(project.contracts, _used_this_week(breakers, now), now)
        for event in events:
            outcomes = sender.send(event)
            if any(o.status is not DeliveryStatus.already_sent for o in outcomes):
                context.log.info(describe_outcomes(event, outcomes))
        if sender.problem:
            context.log.error(sender.problem)
    finally:
        sender.close()


def _recovery_request(
    instance: dg.DagsterInstance, breakers: Breakers, changes: Transitions, project: Project
) -> tuple[dg.RunRequest | None, list[AssetPath]]:
    if not changes.closed:
        return None, []
    recovered = [c.breaker for c in changes.closed]
    downstream = sorted({k for b in recovered for k in breakers.held_by(b)})
    rebuild = tables_to_rebuild(breakers, recovered, _materialised_at(instance, downstream))
    if not rebuild:
        return None, []
    plans = {p.table.asset_key: p for p in project.plans}
    # A draft is built only on request: a recovery does not rebuild it on its own.
    rebuild = [k for k in rebuild if k in plans and plans[k].contract.built_unattended]
    if not rebuild:
        return None, []
    episodes = [c.episode for c in changes.closed]
    request = dg.RunRequest(
        run_key=recovery_run_key(episodes),
        asset_selection=[dg.AssetKey(list(k)) for k in rebuild],
        asset_check_keys=[key for k in rebuild if k in plans for key in table_check_keys(plans[k])],
        tags={RECOVERY_TAG: ",".join(sorted(episodes))[:4000]},
        partition_key=partition_now(project.plans, rebuild),
    )
    return request, rebuild


@dg.sensor(
    name="contract_breaker_sensor",
    job=jobs.contract_pipeline,
    minimum_interval_seconds=BREAKER_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Circuit breaker per contract table, from the latest blocking check evaluations. While a "
        "table is breached its downstream tables are held (the tick says which and why). Sends "
        "one breach alert per episode and one recovery alert, and rebuilds the held tables once "
        "when the contract passes again."
    ),
)
def contract_breaker_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    project = load_project()
    breakers = read_project_breakers(context.instance, project)
    changes = compare(
        breakers,
        BreakerCursor.from_json(context.cursor),
        lambda run_id: _run_finished(context.instance, run_id),
    )
    request, rebuild = _recovery_request(context.instance, breakers, changes, project)
    _send_alerts(context, project, breakers, changes)

    lines = [
        f"{c.breaker.contract_id} ({c.breaker.asset_path}) passes again" for c in changes.closed
    ]
    if rebuild:
        lines.append(f"rebuilding the held tables once: {format_keys(rebuild)}")
    lines += [f"{path}: waiting for its re-check run to finish" for path in changes.waiting]
    hold = breakers.hold_summary()
    if hold:
        lines.append(hold)
    message = "\n".join(lines) or (
        f"no contract table is breached ({len(breakers.by_table)} watched); nothing held"
    )
    context.log.info(message)
    if request is not None:
        return dg.SensorResult(run_requests=[request], cursor=changes.cursor.to_json())
    return dg.SensorResult(skip_reason=message, cursor=changes.cursor.to_json())

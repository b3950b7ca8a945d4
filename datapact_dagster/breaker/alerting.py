"""Turning breaker transitions into alerts for the contract's owners and consumers."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from datapact_dagster.alerts import (
    AlertConfig,
    AlertEvent,
    AlertKind,
    AlertLedger,
    CheckSummary,
    DeliveryOutcome,
    DeliveryStatus,
    Notifier,
)
from datapact_dagster.alerts.events import ConsumerScope
from datapact_dagster.breaker.graph import layer_order
from datapact_dagster.breaker.state import AssetPath, TableBreaker
from datapact_dagster.changes.impact import change_impact
from datapact_dagster.changes.kinds import ChangeClass
from datapact_dagster.changes.model import Change
from datapact_dagster.changes.render_common import impact_lines
from datapact_dagster.changes.since_previous import changes_since_previous
from datapact_dagster.contract.model import Contract
from datapact_dagster.evidence.model import Decision
from datapact_dagster.evidence.store import EvidenceStore, utc_timestamp
from datapact_dagster.plan.impact import impact_of, merged
from datapact_dagster.plan.project import Project

logger = logging.getLogger("datapact.breaker")


def breach_scope(project: Project, breaker: TableBreaker) -> tuple[ConsumerScope, ...] | None:
    """The consumers a breach touches: those whose declared columns are (or are computed from)
    the columns of the failing checks, or every consumer downstream when a failing check is on
    the whole table. None when the table is not in the project (then every consumer hears).
    Consumers of a draft downstream are left out: nobody may depend on a draft."""
    found = project.contracts.by_asset_key(breaker.asset_key)  # type: ignore[arg-type]
    if found is None:
        return None
    _, table = found
    plan = project.plan_for(table.name)
    specs = {spec.key: spec for spec in plan.specs}
    columns: list[str] = []
    for failure in breaker.blocking_failures:
        spec = specs.get(failure.key)
        touched = (spec.columns or ((spec.column,) if spec.column else ())) if spec else ()
        if not touched:
            columns = []
            break
        columns += [c for c in touched if c not in columns]
    drafts = {t.physical_name for c, t in project.contracts.tables if c.status == "draft"}
    impact = merged(impact_of(project.graph, table.physical_name, c) for c in columns or [None])
    return tuple(
        ConsumerScope(hit.team, hit.contact, hit.table, hit.columns, hit.whole_table)
        for hit in (impact.consumers if impact else ())
        if hit.table not in drafts or hit.table == table.physical_name
    )


def breach_event(
    breaker: TableBreaker,
    kind: AlertKind,
    episode: str,
    held: Iterable[AssetPath],
    consumers: tuple[ConsumerScope, ...] | None = None,
) -> AlertEvent:
    opened_by = breaker.opened_by
    return AlertEvent(
        kind=kind,
        contract_id=breaker.contract_id,
        contract_version=breaker.contract_version,
        asset_key=breaker.asset_key,
        episode_id=episode,
        run_id=opened_by.opened_by_run if opened_by else None,
        checks=tuple(
            CheckSummary(f.key, f.summary, f.severity, f.failing_rows)
            for f in breaker.blocking_failures
        ),
        since=breaker.since,
        downstream_held=tuple(sorted(held, key=layer_order)),
        consumers=consumers,
    )


def recovery_event(
    breaker: TableBreaker, episode: str, since: datetime | None, released: Iterable[AssetPath]
) -> AlertEvent:
    return AlertEvent(
        kind=AlertKind.recovery,
        contract_id=breaker.contract_id,
        contract_version=breaker.contract_version,
        asset_key=breaker.asset_key,
        episode_id=episode,
        run_id=breaker.last_run_id,
        since=since,
        downstream_held=tuple(sorted(released, key=layer_order)),
    )


def new_version_event(
    breaker: TableBreaker, previous_version: str, details: tuple[str, ...] = ()
) -> AlertEvent:
    return AlertEvent(
        kind=AlertKind.new_contract_version,
        contract_id=breaker.contract_id,
        contract_version=breaker.contract_version,
        asset_key=breaker.asset_key,
        episode_id=f"{previous_version}->{breaker.contract_version}",
        previous_version=previous_version,
        details=details or (f"version {previous_version} -> {breaker.contract_version}",),
    )


def version_details(
    project: Project, evidence: Engine | None, contract_id: str, previous: str
) -> tuple[str, ...]:
    """The classified changes from `previous` to the contract in force, each breaking one with
    the consumers it affects (empty when the previous text was never kept)."""
    contract = next((c for c in project.contracts.contracts if c.id == contract_id), None)
    if contract is None or evidence is None:
        return ()
    found = changes_since_previous(evidence, contract, project.contracts.root, previous)
    if found is None:
        return ()
    contracts = {c.id: c for c in project.contracts.contracts}

    def affected(change: Change) -> list[str]:
        if change.klass is not ChangeClass.breaking:
            return []
        impact = change_impact(project.graph, contracts, change)
        return [f"  affects {item}" for item in impact_lines(impact)]

    return tuple(found.lines(affected))


class AlertSender:
    """Sends alerts through the project's notifier; never raises (problems are logged). With an
    evidence store, each alert that reached recipients is recorded there too (`alert`)."""

    def __init__(
        self,
        project_dir: Path,
        contracts: Mapping[str, Contract],
        evidence: EvidenceStore | None = None,
    ) -> None:
        self.contracts = contracts
        self.evidence = evidence
        self.notifier: Notifier | None = None
        self.ledger: AlertLedger | None = None
        self.problem: str | None = None
        try:
            config = AlertConfig.from_env(project_dir)
            self.ledger = AlertLedger(config.ledger_path)
            self.notifier = Notifier(config, self.ledger)
        except Exception as error:  # a broken alert setup must not fail the tick
            self.problem = f"alerts are not configured correctly: {error}"
            logger.error(self.problem)

    def send(self, event: AlertEvent) -> list[DeliveryOutcome]:
        contract = self.contracts.get(event.contract_id)
        if self.notifier is None or contract is None:
            return []
        try:
            outcomes = self.notifier.notify(event, contract)
        except Exception:
            logger.exception("%s alert for %s could not be sent", event.kind, event.contract_id)
            return []
        if self.evidence is not None and self.ledger is not None:
            try:
                record_delivery(self.evidence, self.ledger, contract, event, outcomes)
            except Exception:
                logger.exception(
                    "the %s alert of %s was sent but not recorded", event.kind, event.contract_id
                )
        return outcomes

    def close(self) -> None:
        if self.ledger is not None:
            self.ledger.close()


def record_delivery(
    evidence: EvidenceStore,
    ledger: AlertLedger,
    contract: Contract,
    event: AlertEvent,
    outcomes: list[DeliveryOutcome],
) -> None:
    """An `alert` decision in the evidence when this notify delivered to someone new: when the
    first of them received it (the ledger's time), the episode, how many, which channels."""
    sent = {o.recipient.key for o in outcomes if o.recipient and o.status is DeliveryStatus.sent}
    if not sent:
        return
    delivered = [
        d
        for d in ledger.deliveries(event.contract_id)
        if d.key.kind == event.kind.value
        and d.key.episode_id == event.episode_id
        and d.key.recipient in sent
        and d.sent_at is not None
    ]
    if not delivered:
        return
    first = min(d.sent_at for d in delivered if d.sent_at is not None)
    evidence.append_decision(
        Decision.ALERT,
        contract_id=contract.id,
        contract_version=event.contract_version,
        contract_hash=contract.content_hash,
        run_id=None,
        asset_key=event.asset_path,
        details={
            "summary": f"{event.kind} alert delivered to {len(delivered)} recipient(s)",
            "alert_kind": event.kind.value,
            "episode": event.episode_id,
            "opened_by_run": event.run_id if event.kind is not AlertKind.recovery else None,
            "delivered_at": utc_timestamp(first),
            "recipients": len(delivered),
            "channels": sorted({d.channel for d in delivered}),
        },
    )


def describe_outcomes(event: AlertEvent, outcomes: list[DeliveryOutcome]) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status.value] = counts.get(outcome.status.value, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no recipients"
    return f"{event.kind} alert for {event.contract_id} ({event.asset_path}): {summary}"

"""The weekly notice to a deprecated contract's consumers: what retires when, and what replaces it.

A deprecated contract is still built. Each run that builds or checks one of its tables sends
the notice (after `datapact run`, and from the breaker sensor for runs the daemon launches);
its episode is the contract version and the ISO week, so the alert ledger lets it through at
most once a week per recipient, and again after a new version (a moved date, a new replacement).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from datapact_dagster.alerts import AlertEvent, AlertKind, DeliveryStatus
from datapact_dagster.breaker.alerting import AlertSender, describe_outcomes
from datapact_dagster.breaker.graph import layer_order
from datapact_dagster.breaker.state import AssetPath
from datapact_dagster.contract.model import Contract, ContractSet


def deprecation_period(moment: datetime) -> str:
    """The ISO week `moment` falls in, e.g. '2026-W47': the notice is sent once per period."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def deprecation_episode(contract: Contract, moment: datetime) -> str:
    return f"deprecated:{contract.version}:{deprecation_period(moment)}"


def deprecation_event(
    contract_set: ContractSet, contract: Contract, asset_key: AssetPath, moment: datetime
) -> AlertEvent:
    tables = sorted((t.asset_key for t in contract.tables), key=layer_order)
    return AlertEvent(
        kind=AlertKind.deprecation,
        contract_id=contract.id,
        contract_version=contract.version,
        asset_key=asset_key,
        episode_id=deprecation_episode(contract, moment),
        occurred_at=moment,
        retirement_date=contract.retirement_date,
        replacement=_replacement(contract_set, contract),
        details=tuple(f"deprecated table: {'/'.join(key)}" for key in tables),
    )


def _replacement(contract_set: ContractSet, contract: Contract) -> str | None:
    if contract.replaced_by is None:
        return None
    target_id = contract.replaced_by.contract_id
    target = contract_set.contract(target_id)
    if target is None:
        return target_id
    return f"{target_id} ({', '.join(t.physical_name for t in target.tables)})"


def deprecation_events(
    contract_set: ContractSet, used: Iterable[AssetPath], moment: datetime
) -> list[AlertEvent]:
    """One notice per deprecated contract with a table in `used` (built or checked by a run)."""
    used = sorted(set(used), key=layer_order)
    events = []
    for contract in contract_set.contracts:
        if contract.status != "deprecated":
            continue
        keys = [t.asset_key for t in contract.tables]
        first = next((key for key in used if key in keys), None)
        if first is not None:
            events.append(deprecation_event(contract_set, contract, first, moment))
    return events


def notify_deprecations(
    sender: AlertSender, contract_set: ContractSet, used: Iterable[AssetPath], moment: datetime
) -> list[str]:
    """Send the notices `used` calls for; one line per notice whose delivery was attempted this
    time (not when it was already sent this week, nor when its channels are switched off)."""
    lines = []
    for event in deprecation_events(contract_set, used, moment):
        outcomes = sender.send(event)
        if any(o.status in _ATTEMPTED for o in outcomes):
            lines.append(describe_outcomes(event, outcomes))
    return lines


_ATTEMPTED = (DeliveryStatus.sent, DeliveryStatus.failed, DeliveryStatus.rate_limited)

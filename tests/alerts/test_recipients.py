from __future__ import annotations

from pathlib import Path

from datapact_dagster.alerts import AlertKind, Audience, recipients_for
from datapact_dagster.contract.model import Consumer, SupportChannel
from datapact_dagster.plan.loading import load_contracts
from tests.alerts.support import make_contract

CONTRACT = make_contract(
    owners=("finance-analytics@example.com", "jdoe"),
    support=(
        SupportChannel(channel="finance-data", tool="email", url="mailto:finance-data@example.com"),
        SupportChannel(channel="#fin", tool="slack", url="https://hooks.example.com/services/fin"),
        SupportChannel(channel="#unrouted", tool="slack"),
    ),
    consumers=(
        Consumer(team="finance", contact="finance@example.com"),
        Consumer(team="dup", contact="finance-analytics@example.com"),
        Consumer(team="no-contact"),
    ),
)


def _addresses(kind: AlertKind) -> list[tuple[str, str, Audience]]:
    return [(r.channel, r.address, r.audience) for r in recipients_for(CONTRACT, kind)]


def test_breach_goes_to_owners_support_and_consumers_once_each() -> None:
    assert _addresses(AlertKind.breach) == [
        ("email", "finance-analytics@example.com", Audience.owners),
        ("email", "finance-data@example.com", Audience.support),
        ("webhook", "https://hooks.example.com/services/fin", Audience.support),
        ("email", "finance@example.com", Audience.consumers),
    ]


def test_consumers_hear_about_recovery_drift_and_new_versions_but_not_late_loads() -> None:
    for kind in (AlertKind.recovery, AlertKind.schema_drift, AlertKind.new_contract_version):
        assert ("email", "finance@example.com", Audience.consumers) in _addresses(kind)
    assert all(a != Audience.consumers for *_, a in _addresses(AlertKind.freshness_miss))


def test_audiences_can_be_narrowed() -> None:
    only_owners = {AlertKind.breach: frozenset({Audience.owners})}
    found = recipients_for(CONTRACT, AlertKind.breach, only_owners)
    assert [r.address for r in found] == ["finance-analytics@example.com"]


def test_a_routed_support_channel_without_url_becomes_a_webhook_recipient() -> None:
    found = recipients_for(CONTRACT, AlertKind.breach, routed_channels=frozenset({"#unrouted"}))
    routed = [r for r in found if r.name == "#unrouted"]
    assert [(r.channel, r.address) for r in routed] == [("webhook", "route:#unrouted")]


def test_sample_project_contracts(project_root: Path) -> None:
    contracts = load_contracts(None, project_root).contracts
    assert contracts is not None
    profile = next(c for c in contracts.contracts if c.id.endswith("customer_profile"))

    found = recipients_for(profile, AlertKind.breach)

    assert [(r.channel, r.address) for r in found] == [
        ("email", "growth@example.com"),
        ("webhook", "https://hooks.example.com/services/growth-data"),
        ("email", "crm-campaigns@example.com"),
        ("email", "deliverability@example.com"),
    ]

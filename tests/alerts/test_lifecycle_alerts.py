"""What a contract's status does to its alerts: a draft's reach its owners only; a deprecated
contract's consumers get one `deprecation` notice a week, naming the date and the replacement."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from datapact_dagster.alerts import AlertKind, Audience, recipients_for, render
from datapact_dagster.breaker.alerting import AlertSender
from datapact_dagster.breaker.deprecation import (
    deprecation_episode,
    deprecation_events,
    notify_deprecations,
)
from datapact_dagster.contract.model import Consumer, ContractSet
from datapact_dagster.plan.loading import load_contracts
from tests.alerts.support import SmtpSink, make_contract, make_event

LIFECYCLE = Path(__file__).resolve().parents[1] / "fixtures" / "lifecycle"
MONDAY = datetime(2026, 11, 16, 8, tzinfo=UTC)
SUNDAY_SAME_WEEK = datetime(2026, 11, 22, 23, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 11, 23, 8, tzinfo=UTC)
EMAILS = ("silver", "customer_emails")


def _lifecycle_contracts() -> ContractSet:
    contracts = load_contracts(None, root=LIFECYCLE).contracts
    assert contracts is not None
    return contracts


def test_a_drafts_alerts_reach_its_owners_only_whatever_the_audiences_say() -> None:
    active = make_contract(consumers=(Consumer(team="finance", contact="finance@example.com"),))
    draft = active.model_copy(update={"status": "draft"})
    everyone = {kind: frozenset(Audience) for kind in AlertKind}

    for kind in (AlertKind.breach, AlertKind.schema_drift, AlertKind.recovery):
        assert [r.audience for r in recipients_for(active, kind, everyone)] == [
            Audience.owners,
            Audience.consumers,
        ]
        assert [r.address for r in recipients_for(draft, kind, everyone)] == [
            "finance-analytics@example.com"
        ]


def test_a_deprecation_notice_goes_to_the_consumers_by_default() -> None:
    contract = make_contract(consumers=(Consumer(team="finance", contact="finance@example.com"),))

    found = recipients_for(contract, AlertKind.deprecation)

    assert [(r.address, r.audience) for r in found] == [("finance@example.com", Audience.consumers)]


def test_the_notice_names_the_date_the_replacement_and_what_to_do() -> None:
    [event] = deprecation_events(_lifecycle_contracts(), [EMAILS], MONDAY)

    subject, text, slack = render(event)

    assert subject == (
        "[DataPact] DEPRECATED shop.customer_emails 1.0.0: silver/customer_emails retires on "
        "2027-06-30"
    )
    assert "shop.customer_emails 1.0.0 is deprecated" in text
    assert "Use shop.contacts (silver.contacts) instead." in text
    assert "Retires on: 2027-06-30\n" in text
    assert "Replaced by: shop.contacts (silver.contacts)\n" in text
    assert "Move what reads silver/customer_emails to shop.contacts (silver.contacts) by" in text
    assert "Episode: deprecated:1.0.0:2026-W47" in text
    assert "State:" not in text  # deprecated is a contract status, not a table state
    assert slack["blocks"][0]["text"]["text"].startswith("DEPRECATED: shop.customer_emails")


def test_a_notice_without_date_or_replacement_says_so() -> None:
    event = replace(make_event(kind=AlertKind.deprecation, checks=()), replacement=None)

    subject, text, _ = render(event)

    assert subject.endswith("silver/orders will be retired (no date announced yet)")
    assert "No replacement is named: ask its owners what to read instead." in text
    assert "Retires on: not announced yet" in text


def test_the_period_is_the_iso_week_and_the_version() -> None:
    contract = _lifecycle_contracts().contract("shop.customer_emails")
    assert contract is not None and contract.retirement_date == date(2027, 6, 30)

    assert deprecation_episode(contract, MONDAY) == deprecation_episode(contract, SUNDAY_SAME_WEEK)
    assert deprecation_episode(contract, NEXT_MONDAY) == "deprecated:1.0.0:2026-W48"
    newer = contract.model_copy(update={"version": "1.1.0"})
    assert deprecation_episode(newer, MONDAY) != deprecation_episode(contract, MONDAY)


def test_only_deprecated_contracts_a_run_used_get_a_notice() -> None:
    contracts = _lifecycle_contracts()
    everything = [t.asset_key for _, t in contracts.tables]

    assert [e.contract_id for e in deprecation_events(contracts, everything, MONDAY)] == [
        "shop.customer_emails"
    ]
    assert deprecation_events(contracts, [("silver", "contacts")], MONDAY) == []


def test_one_notice_per_consumer_per_week(
    smtp_sink: SmtpSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAPACT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DATAPACT_SMTP_PORT", str(smtp_sink.port))
    monkeypatch.setenv("DATAPACT_ALERTS_DB", str(tmp_path / "alerts.db"))
    monkeypatch.delenv("DATAPACT_ALERTS_FILE", raising=False)
    contracts = _lifecycle_contracts()
    sender = AlertSender(tmp_path, {c.id: c for c in contracts.contracts})
    try:
        lines = [
            notify_deprecations(sender, contracts, [EMAILS], moment)
            for moment in (MONDAY, SUNDAY_SAME_WEEK, NEXT_MONDAY)
        ]
    finally:
        sender.close()

    assert lines[1] == [] and len(lines[0]) == len(lines[2]) == 1
    assert "deprecation alert for shop.customer_emails" in lines[0][0] and "2 sent" in lines[0][0]
    assert sorted(r for [r] in smtp_sink.recipients) == [
        "marketing@shop.test",
        "marketing@shop.test",
        "support-team@shop.test",
        "support-team@shop.test",
    ]
    weeks = sorted({m["X-DataPact-Episode"] for m in smtp_sink.messages})
    assert weeks == ["deprecated:1.0.0:2026-W47", "deprecated:1.0.0:2026-W48"]
    assert all(m["X-DataPact-Kind"] == "deprecation" for m in smtp_sink.messages)

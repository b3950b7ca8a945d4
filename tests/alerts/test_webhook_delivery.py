from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from datapact_dagster.alerts import AlertLedger, DeliveryStatus, Notifier
from datapact_dagster.alerts.config import WebhookRoute
from datapact_dagster.contract.model import SupportChannel
from tests.alerts.support import (
    BREACH_CHECK,
    WebhookReceiver,
    free_port,
    make_config,
    make_contract,
    make_event,
)

StartReceiver = Callable[..., WebhookReceiver]

SLACK_CONTRACT = make_contract(
    owners=("finance-analytics",),
    support=(
        SupportChannel(
            channel="#finance-data",
            tool="slack",
            url="https://hooks.example.com/services/finance-data",
        ),
    ),
)


def test_slack_style_json_reaches_the_receiver(
    webhook_receiver: StartReceiver, ledger: AlertLedger
) -> None:
    receiver = webhook_receiver()
    notifier = Notifier(
        make_config(webhook_url=receiver.url, dagster_ui_url="http://localhost:3000"), ledger
    )

    [outcome] = notifier.notify(make_event(), SLACK_CONTRACT)

    assert outcome.status == DeliveryStatus.sent
    [payload] = receiver.requests
    assert receiver.content_types[0].startswith("application/json")
    assert payload["text"].startswith("[DataPact] BREACH commerce.orders 1.3.0")
    assert any(BREACH_CHECK.key in str(block) for block in payload["blocks"])
    button = payload["blocks"][-1]["elements"][0]
    assert button["url"] == "http://localhost:3000/runs/run-1"


def test_a_flaky_receiver_gets_the_alert_after_retries(
    webhook_receiver: StartReceiver, ledger: AlertLedger
) -> None:
    receiver = webhook_receiver(statuses=(500, 503))
    notifier = Notifier(make_config(webhook_url=receiver.url, attempts=3), ledger)

    [outcome] = notifier.notify(make_event(), SLACK_CONTRACT)

    assert outcome.status == DeliveryStatus.sent
    assert outcome.attempts == 3
    assert len(receiver.requests) == 3
    assert ledger.deliveries()[0].status == "sent"


def test_a_dead_receiver_yields_a_failed_outcome_logged_and_recorded(
    webhook_receiver: StartReceiver, ledger: AlertLedger, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = webhook_receiver(then_status=500)
    notifier = Notifier(make_config(webhook_url=receiver.url, attempts=3), ledger)

    with caplog.at_level(logging.WARNING, logger="datapact.alerts"):
        [outcome] = notifier.notify(make_event(), SLACK_CONTRACT)

    assert outcome.status == DeliveryStatus.failed
    assert outcome.attempts == 3
    assert outcome.detail is not None and "HTTP 500" in outcome.detail
    assert len(receiver.requests) == 3
    [record] = ledger.deliveries()
    assert (record.status, record.attempts) == ("failed", 3)
    errors = [r for r in caplog.records if r.name == "datapact.alerts" and r.levelname == "ERROR"]
    assert errors and "failed after 3 attempt(s)" in errors[0].getMessage()
    for url in (receiver.url, "services/finance-data"):
        assert url not in caplog.text, "webhook paths carry credentials and must not be logged"


def test_a_failed_delivery_is_tried_again_on_the_next_notify(
    webhook_receiver: StartReceiver, ledger: AlertLedger
) -> None:
    receiver = webhook_receiver(statuses=(500,))
    notifier = Notifier(make_config(webhook_url=receiver.url, attempts=1), ledger)

    first = notifier.notify(make_event(), SLACK_CONTRACT)
    second = notifier.notify(make_event(), SLACK_CONTRACT)
    third = notifier.notify(make_event(), SLACK_CONTRACT)

    assert [o.status for [o] in (first, second, third)] == [
        DeliveryStatus.failed,
        DeliveryStatus.sent,
        DeliveryStatus.already_sent,
    ]
    assert ledger.deliveries()[0].attempts == 2


def test_a_client_error_is_not_retried(
    webhook_receiver: StartReceiver, ledger: AlertLedger
) -> None:
    receiver = webhook_receiver(then_status=404)
    notifier = Notifier(make_config(webhook_url=receiver.url, attempts=3), ledger)

    [outcome] = notifier.notify(make_event(), SLACK_CONTRACT)

    assert (outcome.status, outcome.attempts) == (DeliveryStatus.failed, 1)


def test_connection_refused_does_not_raise(ledger: AlertLedger) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    [outcome] = Notifier(make_config(webhook_url=url), ledger).notify(make_event(), SLACK_CONTRACT)

    assert outcome.status == DeliveryStatus.failed
    assert "unreachable" in (outcome.detail or "")


def test_placeholder_hosts_from_sample_contracts_are_never_contacted(ledger: AlertLedger) -> None:
    [outcome] = Notifier(make_config(), ledger).notify(make_event(), SLACK_CONTRACT)

    assert outcome.status == DeliveryStatus.skipped
    assert outcome.detail == "hooks.example.com is a placeholder host"
    assert ledger.deliveries() == []


def test_a_route_sends_a_support_channel_to_the_url_in_its_environment_variable(
    webhook_receiver: StartReceiver, ledger: AlertLedger
) -> None:
    routed = webhook_receiver()
    fallback = webhook_receiver()
    routes = {"#finance-data": WebhookRoute("DATAPACT_WEBHOOK_FINANCE", routed.url)}
    notifier = Notifier(make_config(webhook_url=fallback.url, webhook_routes=routes), ledger)

    [outcome] = notifier.notify(make_event(), SLACK_CONTRACT)

    assert outcome.status == DeliveryStatus.sent
    assert (len(routed.requests), len(fallback.requests)) == (1, 0)


def test_a_route_whose_variable_is_unset_is_skipped(ledger: AlertLedger) -> None:
    routes = {"#finance-data": WebhookRoute("DATAPACT_WEBHOOK_FINANCE", None)}
    notifier = Notifier(make_config(webhook_routes=routes), ledger)

    [outcome] = notifier.notify(make_event(), SLACK_CONTRACT)

    assert outcome.status == DeliveryStatus.skipped
    assert "DATAPACT_WEBHOOK_FINANCE" in (outcome.detail or "")

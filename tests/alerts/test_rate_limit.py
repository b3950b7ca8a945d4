from __future__ import annotations

from collections.abc import Callable

from datapact_dagster.alerts import AlertLedger, DeliveryStatus, Notifier
from datapact_dagster.contract.model import SupportChannel
from tests.alerts.support import WebhookReceiver, make_config, make_contract, make_event

StartReceiver = Callable[..., WebhookReceiver]

CONTRACT = make_contract(
    owners=(),
    support=(SupportChannel(channel="#a", tool="slack", url="https://hooks.internal/a"),),
)


def test_alerts_beyond_the_limit_are_deferred_and_sent_when_there_is_room(
    webhook_receiver: StartReceiver, ledger: AlertLedger
) -> None:
    receiver = webhook_receiver()
    limited = Notifier(make_config(webhook_url=receiver.url, max_alerts=2), ledger)
    events = [make_event(episode_id=f"episode-{n}") for n in range(3)]

    statuses = [limited.notify(event, CONTRACT)[0].status for event in events]

    assert statuses == [DeliveryStatus.sent, DeliveryStatus.sent, DeliveryStatus.rate_limited]
    assert len(receiver.requests) == 2
    assert [r.status for r in ledger.deliveries()] == ["sent", "sent", "deferred"]
    assert limited.notify(events[2], CONTRACT)[0].status == DeliveryStatus.rate_limited

    roomier = Notifier(make_config(webhook_url=receiver.url, max_alerts=3), ledger)
    assert roomier.notify(events[2], CONTRACT)[0].status == DeliveryStatus.sent
    assert len(receiver.requests) == 3


def test_the_limit_is_per_recipient(webhook_receiver: StartReceiver, ledger: AlertLedger) -> None:
    receiver = webhook_receiver()
    notifier = Notifier(make_config(webhook_url=receiver.url, max_alerts=1), ledger)
    other = make_contract(
        contract_id="commerce.customers",
        owners=(),
        support=(SupportChannel(channel="#b", tool="slack", url="https://hooks.internal/b"),),
    )

    first = notifier.notify(make_event(), CONTRACT)
    second = notifier.notify(make_event(contract_id="commerce.customers"), other)

    assert [o.status for o in first + second] == [DeliveryStatus.sent, DeliveryStatus.sent]

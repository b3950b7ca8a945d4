from __future__ import annotations

import logging

import pytest

from datapact_dagster.alerts import AlertEvent, AlertLedger, DeliveryStatus, Notifier
from datapact_dagster.alerts.render import RenderedAlert
from tests.alerts.support import make_config, make_contract, make_event

CONTRACT = make_contract(owners=("a@example.com",))


class ExplodingChannel:
    name = "email"

    def __init__(self) -> None:
        self.calls = 0

    def send(self, address: str, alert: RenderedAlert, event: AlertEvent) -> None:
        self.calls += 1
        raise RuntimeError("boom")


def test_an_unexpected_channel_error_becomes_a_failed_outcome(
    ledger: AlertLedger, caplog: pytest.LogCaptureFixture
) -> None:
    channel = ExplodingChannel()
    notifier = Notifier(make_config(attempts=2), ledger, channels={"email": channel})

    with caplog.at_level(logging.WARNING, logger="datapact.alerts"):
        [outcome] = notifier.notify(make_event(), CONTRACT)

    assert outcome.status == DeliveryStatus.failed
    assert channel.calls == 2
    assert "boom" in caplog.text


def test_a_broken_ledger_does_not_raise(ledger: AlertLedger) -> None:
    ledger.close()
    ledger.path.unlink()
    ledger.path.mkdir()  # the database path is now a directory: every query fails
    channel = ExplodingChannel()
    notifier = Notifier(make_config(), ledger, channels={"email": channel})

    [outcome] = notifier.notify(make_event(), CONTRACT)

    assert outcome.status == DeliveryStatus.failed
    assert channel.calls == 0, "without the ledger there is no once-per-episode guarantee"


def test_switched_off_alerts_send_nothing(ledger: AlertLedger) -> None:
    channel = ExplodingChannel()
    notifier = Notifier(make_config(enabled=False), ledger, channels={"email": channel})

    [outcome] = notifier.notify(make_event(), CONTRACT)

    assert outcome.status == DeliveryStatus.disabled
    assert channel.calls == 0


def test_a_bad_contract_argument_does_not_raise(ledger: AlertLedger) -> None:
    outcomes = Notifier(make_config(), ledger).notify(make_event(), None)  # type: ignore[arg-type]

    assert [o.status for o in outcomes] == [DeliveryStatus.failed]
    assert outcomes[0].recipient is None

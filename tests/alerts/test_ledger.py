from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from datapact_dagster.alerts import AlertLedger
from datapact_dagster.alerts.ledger import DeliveryKey

KEY = DeliveryKey("commerce.orders", "breach", "episode-1", "email:a@example.com")


def _claim(ledger: AlertLedger, key: DeliveryKey = KEY) -> bool:
    return ledger.claim(key, "email", "1.3.0", "silver/orders")


def test_a_delivery_is_claimed_once(ledger: AlertLedger) -> None:
    assert _claim(ledger)
    assert not _claim(ledger)
    assert ledger.status(KEY) == "pending"


def test_failed_and_deferred_deliveries_can_be_claimed_again(ledger: AlertLedger) -> None:
    _claim(ledger)
    ledger.record(KEY, "failed", attempts=3, error="HTTP 500")
    assert _claim(ledger)
    ledger.record(KEY, "sent", attempts=1)

    assert not _claim(ledger)
    [record] = ledger.deliveries()
    assert record.status == "sent"
    assert record.attempts == 4
    assert record.sent_at is not None


def test_an_abandoned_claim_expires(tmp_path: Path) -> None:
    ledger = AlertLedger(tmp_path / "alerts.db", claim_timeout=timedelta(0))
    assert _claim(ledger)
    assert _claim(ledger)
    ledger.close()


def test_the_ledger_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "alerts.db"
    first = AlertLedger(path)
    _claim(first)
    first.record(KEY, "sent", attempts=1)
    first.close()

    second = AlertLedger(path)
    assert second.status(KEY) == "sent"
    assert second.sent_since(KEY.recipient, datetime.now(UTC) - timedelta(minutes=1)) == 1
    assert second.sent_since(KEY.recipient, datetime.now(UTC) + timedelta(minutes=1)) == 0
    second.close()

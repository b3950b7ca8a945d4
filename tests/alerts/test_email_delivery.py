from __future__ import annotations

from pathlib import Path

from datapact_dagster.alerts import AlertKind, AlertLedger, DeliveryStatus, Notifier
from tests.alerts.support import (
    BREACH_CHECK,
    SmtpSink,
    free_port,
    make_config,
    make_contract,
    make_event,
)

CONTRACT = make_contract(owners=("finance-analytics@example.com",))


def test_one_breach_mail_and_one_recovery_mail_per_episode(
    smtp_sink: SmtpSink, ledger: AlertLedger
) -> None:
    notifier = Notifier(make_config(smtp_port=smtp_sink.port), ledger)

    outcomes = [notifier.notify(make_event(), CONTRACT) for _ in range(3)]
    recovery = [notifier.notify(make_event(kind=AlertKind.recovery), CONTRACT) for _ in range(3)]

    assert [o.status for [o] in outcomes] == [
        DeliveryStatus.sent,
        DeliveryStatus.already_sent,
        DeliveryStatus.already_sent,
    ]
    assert [o.status for [o] in recovery] == [
        DeliveryStatus.sent,
        DeliveryStatus.already_sent,
        DeliveryStatus.already_sent,
    ]
    assert len(smtp_sink.messages) == 2
    breach_mail, recovery_mail = smtp_sink.messages
    assert smtp_sink.recipients == [["finance-analytics@example.com"]] * 2
    assert breach_mail["Subject"].startswith("[DataPact] BREACH commerce.orders 1.3.0")
    assert BREACH_CHECK.key in breach_mail.get_content()
    assert BREACH_CHECK.summary in breach_mail.get_content()
    assert recovery_mail["Subject"].startswith("[DataPact] RECOVERED")
    assert recovery_mail["In-Reply-To"] == breach_mail["Message-ID"]
    assert breach_mail["X-DataPact-Episode"] == "commerce.orders:silver/orders:run-1"


def test_the_episode_is_remembered_across_restarts(smtp_sink: SmtpSink, tmp_path: Path) -> None:
    path = tmp_path / "alerts.db"
    config = make_config(smtp_port=smtp_sink.port)
    for _ in range(2):
        ledger = AlertLedger(path)
        Notifier(config, ledger).notify(make_event(), CONTRACT)
        ledger.close()

    assert len(smtp_sink.messages) == 1


def test_a_new_episode_alerts_again(smtp_sink: SmtpSink, ledger: AlertLedger) -> None:
    notifier = Notifier(make_config(smtp_port=smtp_sink.port), ledger)

    notifier.notify(make_event(episode_id="episode-1"), CONTRACT)
    notifier.notify(make_event(episode_id="episode-2"), CONTRACT)

    assert len(smtp_sink.messages) == 2


def test_every_email_recipient_gets_its_own_mail(smtp_sink: SmtpSink, ledger: AlertLedger) -> None:
    contract = make_contract(owners=("a@example.com", "b@example.com"))
    outcomes = Notifier(make_config(smtp_port=smtp_sink.port), ledger).notify(
        make_event(), contract
    )

    assert {o.status for o in outcomes} == {DeliveryStatus.sent}
    assert sorted(r for [r] in smtp_sink.recipients) == ["a@example.com", "b@example.com"]


def test_without_an_smtp_host_email_is_disabled_not_an_error(ledger: AlertLedger) -> None:
    [outcome] = Notifier(make_config(), ledger).notify(make_event(), CONTRACT)

    assert outcome.status == DeliveryStatus.disabled
    assert outcome.detail == "DATAPACT_SMTP_HOST is not set"


def test_an_unreachable_smtp_server_fails_without_raising(ledger: AlertLedger) -> None:
    notifier = Notifier(make_config(smtp_port=free_port(), attempts=2), ledger)

    [outcome] = notifier.notify(make_event(), CONTRACT)

    assert outcome.status == DeliveryStatus.failed
    assert outcome.attempts == 2
    assert "SMTP 127.0.0.1" in (outcome.detail or "")

"""A breach reaches only the consumers whose declared columns it touches, and says which."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from datapact_dagster.alerts import AlertKind, AlertLedger, Notifier
from datapact_dagster.breaker.alerting import breach_event, breach_scope, recovery_event
from datapact_dagster.breaker.state import BreakerState, FailingCheck, TableBreaker
from datapact_dagster.plan.loading import require_contracts
from datapact_dagster.plan.project import Project, plan_project
from datapact_dagster.settings import Settings
from tests.alerts.support import SmtpSink, make_config

AT = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
CUSTOMERS_OWNER = "customer-analytics@example.com"


@pytest.fixture(scope="module")
def project(project_root: Path) -> Project:
    return plan_project(Settings.from_env(project_root), require_contracts(project_root))


def _breaker(key: str, kind: str) -> TableBreaker:
    failing = FailingCheck(key, kind, "error", True, "failed", 3, "run-1", AT, AT, "run-1")
    return TableBreaker(
        ("silver", "customers"),
        "commerce.customers",
        "1.1.0",
        BreakerState.open,
        (failing,),
        AT,
        "run-1",
    )


def _mails(sink: SmtpSink) -> dict[str, str]:
    return {
        rcpt[0]: m.get_content() for rcpt, m in zip(sink.recipients, sink.messages, strict=True)
    }


def _notify(project: Project, breaker: TableBreaker, sink: SmtpSink, ledger: AlertLedger) -> None:
    notifier = Notifier(make_config(smtp_port=sink.port), ledger)
    event = breach_event(breaker, AlertKind.breach, "episode-1", (), breach_scope(project, breaker))
    contract = next(c for c in project.contracts.contracts if c.id == breaker.contract_id)
    notifier.notify(event, contract)


def test_an_email_breach_reaches_only_the_consumer_of_a_column_computed_from_it(
    project: Project, smtp_sink: SmtpSink, ledger: AlertLedger
) -> None:
    breaker = _breaker("customers__email__email_lower_case", "sql")
    _notify(project, breaker, smtp_sink, ledger)

    mails = _mails(smtp_sink)
    # growth reads customer_id, country and signup_date of silver.customers: not told
    assert set(mails) == {CUSTOMERS_OWNER, "deliverability@example.com"}
    assert (
        "Your data: gold.customer_profile (its columns: email_domain)"
        in mails["deliverability@example.com"]
    )
    assert "Your data" not in mails[CUSTOMERS_OWNER]

    contract = next(c for c in project.contracts.contracts if c.id == "commerce.customers")
    recovery = recovery_event(breaker, "episode-1", AT, ())
    Notifier(make_config(smtp_port=smtp_sink.port), ledger).notify(recovery, contract)
    recovered = [
        r[0]
        for r, m in zip(smtp_sink.recipients, smtp_sink.messages, strict=True)
        if "RECOVERED" in m["Subject"]
    ]
    assert sorted(recovered) == [CUSTOMERS_OWNER, "deliverability@example.com"]


def test_a_key_breach_reaches_every_consumer_reading_it_or_rows_it_decides(
    project: Project, smtp_sink: SmtpSink, ledger: AlertLedger
) -> None:
    _notify(project, _breaker("customers__customer_id__unique", "unique"), smtp_sink, ledger)

    mails = _mails(smtp_sink)
    assert set(mails) == {
        CUSTOMERS_OWNER,
        "growth@example.com",
        "crm-campaigns@example.com",
        "deliverability@example.com",
    }
    assert "Your data: silver.customers (its columns: customer_id)" in mails["growth@example.com"]


def test_a_table_level_breach_reaches_every_consumer_downstream(
    project: Project, smtp_sink: SmtpSink, ledger: AlertLedger
) -> None:
    _notify(project, _breaker("customers__table__row_count", "row_count"), smtp_sink, ledger)

    assert set(_mails(smtp_sink)) == {
        CUSTOMERS_OWNER,
        "growth@example.com",
        "crm-campaigns@example.com",
        "deliverability@example.com",
    }

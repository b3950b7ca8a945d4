"""A four-day evidence history with breaches, errors, skips, PII and two contract versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from datapact_dagster.checks.spec import CheckKind
from datapact_dagster.evidence import ContractRef, EvidenceStore, SkippedCheck

from .factories import (
    CUSTOMERS,
    ORDERS,
    ORDERS_V2,
    append,
    check_spec,
    erroring,
    failing,
    fake_clock,
    passing,
)

START = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
UNIQUE = check_spec("raw_orders__order_id__unique")
NOT_NULL = check_spec("raw_orders__amount__not_null", column="amount", kind=CheckKind.not_null)
NOT_NULL_V2 = check_spec(
    "raw_orders__amount__not_null", column="amount", kind=CheckKind.not_null, contract=ORDERS_V2
)
EMAIL = check_spec(
    "customers__email__pattern",
    table="customers",
    column="email",
    kind=CheckKind.pattern,
    contract=CUSTOMERS,
    layer="silver",
)
FRESHNESS = check_spec(
    "customers__table__freshness",
    table="customers",
    column=None,
    kind=CheckKind.freshness,
    severity="warning",
    contract=CUSTOMERS,
    layer="silver",
)


def build_history(store: EvidenceStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """orders: unique breached day 2-4 (closed), not_null error day 3 then fail (ongoing);
    a crashed run on day 3. customers: email breach ongoing, freshness skipped."""
    day = timedelta(days=1)
    with fake_clock(monkeypatch, START) as clock:
        append(store, [passing(UNIQUE), passing(NOT_NULL)], run_id="run-1")
        append(
            store,
            [failing(EMAIL, samples=("ann@example.com",)), SkippedCheck(FRESHNESS, "no clock")],
            run_id="run-c1",
            contract=CUSTOMERS,
            pii_columns=("email",),
        )
        clock.advance(day)
        append(store, [failing(UNIQUE), passing(NOT_NULL)], run_id="run-2")
        decide(store, "quarantine", "run-2", ORDERS)
        clock.advance(day)
        append(store, [failing(UNIQUE), erroring(NOT_NULL_V2)], run_id="run-3", contract=ORDERS_V2)
        decide(store, "error", "run-3", ORDERS_V2, error="worker killed: out of memory")
        clock.advance(day)
        append(
            store,
            [passing(UNIQUE), failing(NOT_NULL_V2, samples=(None,), count=1)],
            run_id="run-4",
            contract=ORDERS_V2,
        )
        decide(store, "publish", "run-4", ORDERS_V2)


def decide(
    store: EvidenceStore, kind: str, run_id: str, contract: ContractRef, **details: str
) -> None:
    store.append_decision(
        kind,
        contract_id=contract.id,
        contract_version=contract.version,
        contract_hash=contract.content_hash,
        run_id=run_id,
        asset_key="bronze/raw_orders",
        details={"summary": f"{kind} by pipeline", **details},
    )

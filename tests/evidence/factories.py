"""Check specs, results and stores built directly (no Great Expectations needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from datapact_dagster.checks.result import CheckResult
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.evidence import ContractRef, DataFingerprint, EvidenceStore, Record
from datapact_dagster.evidence import store as store_module

ORDERS = ContractRef(id="orders", version="1.0.0", content_hash="sha256:orders-v1")
ORDERS_V2 = ContractRef(id="orders", version="1.1.0", content_hash="sha256:orders-v2")
CUSTOMERS = ContractRef(id="customers", version="2.0.0", content_hash="sha256:customers-v2")
FINGERPRINT = DataFingerprint(row_count=1000, content_hash="c0ffee" * 8)
SUITE_HASH = "suite-" + "ab" * 16


def check_spec(
    key: str = "raw_orders__order_id__unique",
    *,
    table: str = "raw_orders",
    column: str | None = "order_id",
    columns: tuple[str, ...] = (),
    kind: CheckKind = CheckKind.unique,
    severity: str = "error",
    contract: ContractRef = ORDERS,
    layer: str = "bronze",
) -> CheckSpec:
    return CheckSpec(
        key=key,
        table=table,
        asset_key=(layer, table),
        kind=kind,
        severity=severity,  # type: ignore[arg-type]
        description=f"{key} holds",
        doc_path="schema[0]",
        contract_id=contract.id,
        contract_version=contract.version,
        column=column,
        columns=columns,
    )


def passing(spec: CheckSpec) -> CheckResult:
    return CheckResult(
        spec=spec,
        passed=True,
        summary=f"{spec.key}: all 1,000 rows pass",
        observed=0,
        element_count=1000,
        unexpected_count=0,
        unexpected_percent=0.0,
        threshold="0 rows",
    )


def failing(spec: CheckSpec, samples: tuple[Any, ...] = (7, 7, 9), count: int = 3) -> CheckResult:
    return CheckResult(
        spec=spec,
        passed=False,
        summary=f"{count} failing {spec.target} values, {count / 10:.1f}% of 1,000 rows",
        observed={"unexpected_count": count, "partial_unexpected_list": list(samples)},
        element_count=1000,
        unexpected_count=count,
        unexpected_percent=count / 10,
        threshold="0 rows",
        samples=samples,
        expectation_type="expect_column_values_to_be_unique",
        expectation_kwargs={"column": spec.column},
    )


def erroring(spec: CheckSpec, message: str = "column order_id is missing") -> CheckResult:
    return CheckResult(spec=spec, passed=False, summary="could not evaluate", error=message)


def append(
    store: EvidenceStore,
    results: list[Any],
    run_id: str,
    contract: ContractRef = ORDERS,
    pii_columns: tuple[str, ...] = (),
) -> list[Record]:
    return store.append_check_results(
        results,
        contract=contract,
        suite_hash=SUITE_HASH,
        fingerprint=FINGERPRINT,
        run_id=run_id,
        asset_key=None,
        pii_columns=pii_columns,
    )


def filled_store(url: str, count: int) -> EvidenceStore:
    store = EvidenceStore(url)
    spec = check_spec()
    for index in range(count):
        result = passing(spec) if index % 3 else failing(spec)
        append(store, [result], run_id=f"run-{index}")
    return store


class FakeClock:
    """Stands in for the store's clock so records can span days."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def timestamp(self, moment: datetime | None = None) -> str:
        return _real_timestamp(moment or self.now)


_real_timestamp = store_module.utc_timestamp


@contextmanager
def fake_clock(monkeypatch: pytest.MonkeyPatch, start: datetime) -> Iterator[FakeClock]:
    clock = FakeClock(start.astimezone(UTC))
    monkeypatch.setattr(store_module, "utc_timestamp", clock.timestamp)
    yield clock

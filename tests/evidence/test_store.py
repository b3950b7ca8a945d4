"""Appending, reading back and guarding evidence records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from datapact_dagster.checks.result import PII_MASK, CheckResult
from datapact_dagster.checks.spec import CheckKind
from datapact_dagster.evidence import (
    EVIDENCE_URL_ENV,
    EvidenceError,
    EvidenceStore,
    SkippedCheck,
    evidence_url,
)
from datapact_dagster.evidence import store as store_module
from datapact_dagster.evidence.schema import evidence_records

from .factories import (
    CUSTOMERS,
    FINGERPRINT,
    ORDERS,
    SUITE_HASH,
    append,
    check_spec,
    erroring,
    failing,
    fake_clock,
    passing,
)


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(f"sqlite:///{tmp_path / 'evidence.db'}")


def test_check_record_holds_everything_an_auditor_needs(store: EvidenceStore) -> None:
    spec = check_spec()
    [record] = append(store, [failing(spec)], run_id="run-1")
    assert record.seq == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", record.recorded_at)
    assert (record.kind, record.verdict, record.execution_status) == ("check", "fail", "succeeded")
    assert (record.contract_id, record.contract_version, record.contract_hash) == (
        ORDERS.id,
        ORDERS.version,
        ORDERS.content_hash,
    )
    assert record.suite_hash == SUITE_HASH
    assert (record.check_key, record.severity) == (spec.key, "error")
    assert record.observed["unexpected_count"] == 3
    assert record.threshold["description"] == "0 rows"
    assert record.samples == [7, 7, 9]
    assert (record.row_count, record.data_hash) == (FINGERPRINT.row_count, FINGERPRINT.content_hash)
    assert (record.run_id, record.asset_key) == ("run-1", "bronze/raw_orders")
    assert store.records() == [record]


def test_verdict_is_separate_from_execution_status(store: EvidenceStore) -> None:
    spec = check_spec()
    records = append(
        store,
        [
            passing(spec),
            failing(spec),
            erroring(spec),
            SkippedCheck(spec, "upstream blocked"),
            CheckResult(spec=spec, passed=False, summary="column missing", skipped=True),
        ],
        run_id="run-1",
    )
    assert [(r.verdict, r.execution_status) for r in records] == [
        ("pass", "succeeded"),
        ("fail", "succeeded"),
        ("error", "errored"),
        ("skipped", "skipped"),
        ("skipped", "skipped"),
    ]
    assert records[2].details["error"] == "column order_id is missing"
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]


def test_crashed_run_error_is_stored_as_error_never_pass(store: EvidenceStore) -> None:
    spec = check_spec()
    crashed = erroring(spec, "worker killed: out of memory")
    assert crashed.verdict == "error"
    [stored] = append(store, [crashed], run_id="run-crash")
    decision = store.append_decision(
        "error",
        contract_id=ORDERS.id,
        contract_version=ORDERS.version,
        contract_hash=ORDERS.content_hash,
        run_id="run-crash",
        asset_key="bronze/raw_orders",
        details={"error": "worker killed: out of memory"},
    )
    reread = store.records(run_id="run-crash")
    assert [r.verdict for r in reread] == ["error", "error"]
    assert stored.verdict == "error" and decision.verdict == "error"
    assert decision.execution_status == "errored"
    assert store.verify().ok


def test_decision_records(store: EvidenceStore) -> None:
    decision = store.append_decision(
        "quarantine",
        contract_id=ORDERS.id,
        contract_version=ORDERS.version,
        contract_hash=ORDERS.content_hash,
        run_id="run-1",
        asset_key="bronze/raw_orders",
        details={"reason": "blocking check failed", "failed_checks": ["x"]},
    )
    assert (decision.kind, decision.decision, decision.verdict) == ("decision", "quarantine", None)
    assert decision.details == {"reason": "blocking check failed", "failed_checks": ["x"]}
    with pytest.raises(ValueError, match="unknown decision kind"):
        store.append_decision(
            "ship-it",
            contract_id="c",
            contract_version="1",
            contract_hash="h",
            run_id=None,
            asset_key=None,
            details={},
        )


def test_pii_values_are_never_stored(store: EvidenceStore) -> None:
    email = check_spec(
        "customers__email__pattern", table="customers", column="email", contract=CUSTOMERS
    )
    compound = check_spec(
        "customers__table__pk",
        table="customers",
        column=None,
        columns=("customer_id", "email"),
        kind=CheckKind.compound_unique,
        contract=CUSTOMERS,
    )
    results = [
        failing(email, samples=("ann@example.com", "bob@example.com")),
        failing(compound, samples=({"customer_id": 1, "email": "ann@example.com"},)),
    ]
    records = store.append_check_results(
        results,
        contract=CUSTOMERS,
        suite_hash=None,
        fingerprint=None,
        run_id="run-1",
        asset_key="silver/customers",
        pii_columns=("email",),
    )
    assert records[0].samples == [PII_MASK, PII_MASK]
    assert records[0].observed["value"]["partial_unexpected_list"] == [PII_MASK, PII_MASK]
    assert records[0].observed["unexpected_count"] == 3
    assert records[1].samples == [{"customer_id": 1, "email": PII_MASK}]
    with store.engine.connect() as connection:
        dump = " ".join(
            str(v)
            for row in connection.execute(text(f"SELECT * FROM {evidence_records.name}"))
            for v in row
        )
    assert "example.com" not in dump


def test_pii_columns_come_from_the_contract_model_too(store: EvidenceStore) -> None:
    @dataclass(frozen=True)
    class Table:
        pii_columns: tuple[str, ...]

    @dataclass(frozen=True)
    class Contract:
        id: str
        version: str
        content_hash: str

        def table(self, name: str) -> Table:
            return Table(pii_columns=("phone",))

    spec = check_spec("customers__phone__pattern", table="customers", column="phone")
    [record] = store.append_check_results(
        [failing(spec, samples=("+44 20 7946 0000",))],
        contract=Contract("customers", "1", "h"),
        suite_hash=None,
        fingerprint=None,
        run_id=None,
    )
    assert record.samples == [PII_MASK]


def test_records_filter_by_time_contract_and_run(
    store: EvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = datetime(2024, 3, 1, 12, tzinfo=UTC)
    with fake_clock(monkeypatch, start) as clock:
        append(store, [passing(check_spec())], run_id="a")
        clock.advance(timedelta(days=1))
        append(store, [passing(check_spec(contract=CUSTOMERS))], run_id="b", contract=CUSTOMERS)
        clock.advance(timedelta(days=1))
        append(store, [passing(check_spec())], run_id="c")
    day2 = start + timedelta(days=1)
    assert [r.run_id for r in store.records(since=day2)] == ["b", "c"]
    assert [r.run_id for r in store.records(until=day2)] == ["a"]
    assert [r.run_id for r in store.records(since="2024-03-02T00:00:00Z")] == ["b", "c"]
    assert [r.run_id for r in store.records(contract_id="orders")] == ["a", "c"]
    assert [r.run_id for r in store.records(run_id="b")] == ["b"]
    assert [r.run_id for r in store.tail(2)] == ["b", "c"]


def test_store_persists_across_instances(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'evidence.db'}"
    append(EvidenceStore(url), [passing(check_spec())], run_id="a")
    reopened = EvidenceStore(url)
    append(reopened, [failing(check_spec())], run_id="b")
    assert [r.seq for r in reopened.records()] == [1, 2]
    assert reopened.verify().ok


def test_failed_append_raises_and_writes_nothing(store: EvidenceStore) -> None:
    append(store, [passing(check_spec())], run_id="a")
    with store.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {evidence_records.name}"))
    with pytest.raises(EvidenceError, match="could not append evidence"):
        append(store, [passing(check_spec())], run_id="b")


def test_batch_is_all_or_nothing(store: EvidenceStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch that hits the UNIQUE guard midway leaves no partial records behind."""
    append(store, [passing(check_spec())], run_id="a")
    monkeypatch.setattr(store_module, "compute_record_hash", lambda row: "e" * 64)
    with pytest.raises(EvidenceError):
        append(store, [passing(check_spec()), passing(check_spec())], run_id="b")
    assert [r.run_id for r in store.records()] == ["a"]
    assert store.verify().ok


def test_evidence_url_default_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(EVIDENCE_URL_ENV, raising=False)
    assert evidence_url(tmp_path) == f"sqlite:///{tmp_path.resolve()}/.datapact/evidence.db"
    monkeypatch.setenv(EVIDENCE_URL_ENV, "postgresql+psycopg2://u@db/evidence")
    assert evidence_url(tmp_path) == "postgresql+psycopg2://u@db/evidence"


def test_unreachable_store_fails_closed() -> None:
    with pytest.raises(EvidenceError, match="cannot open evidence store"):
        EvidenceStore("postgresql+psycopg2://nobody@127.0.0.1:1/none")

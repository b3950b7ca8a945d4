"""The append-only, hash-chained evidence store (SQLite file by default, any SQLAlchemy URL)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from datapact_dagster.checks.result import CheckResult
from datapact_dagster.settings import Settings
from datapact_dagster.warehouse.urls import installed_driver_url

from .anchors import location_digest
from .canonical_json import canonical_json
from .chain import FIRST_SEQ, GENESIS_HASH, compute_record_hash, verify_chain
from .locking import configure_sqlite, serialised_write
from .model import (
    DECISION_KINDS,
    ContractIdentity,
    DataArrival,
    DataFingerprint,
    Decision,
    Record,
    SkippedCheck,
    VerifyResult,
)
from .pii import mask_observed, mask_samples, pii_columns_of
from .schema import JSON_COLUMNS, evidence_records, evidence_store_identity, metadata

EVIDENCE_URL_ENV = "DATAPACT_EVIDENCE_URL"
SQLITE_BUSY_TIMEOUT_MS = 60_000
EXECUTION_STATUS_OF_VERDICT = {
    "pass": "succeeded",
    "fail": "succeeded",
    "error": "errored",
    "skipped": "skipped",
}


class EvidenceError(RuntimeError):
    """The evidence store could not record or read evidence; callers must not publish."""


def evidence_url(project_dir: Path) -> str:
    """DATAPACT_EVIDENCE_URL when set, else the SQLite file evidence.db in the state folder."""
    configured = os.environ.get(EVIDENCE_URL_ENV, "").strip()
    if configured:
        return configured
    return f"sqlite:///{Settings.from_env(project_dir).state_dir / 'evidence.db'}"


def utc_timestamp(moment: datetime | None = None) -> str:
    """The one timestamp format the store uses, so text order is time order."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class EvidenceStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        try:
            with serialised_write(self.engine) as connection:
                metadata.create_all(connection, checkfirst=True)
                self.store_id = _store_id(connection)
        except SQLAlchemyError as exc:
            raise EvidenceError(f"cannot open evidence store {self.display_url}: {exc}") from exc

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def location(self) -> str:
        return location_digest(self.display_url)

    def close(self) -> None:
        self.engine.dispose()

    def append_check_results(
        self,
        results: Sequence[CheckResult | SkippedCheck],
        *,
        contract: ContractIdentity,
        suite_hash: str | None,
        fingerprint: DataFingerprint | None,
        run_id: str | None,
        asset_key: str | None = None,
        pii_columns: Collection[str] = (),
        arrival: DataArrival | None = None,
    ) -> list[Record]:
        """Records every evaluation of one run in one transaction: all of them or none."""
        rows = [
            _check_row(
                result, contract, suite_hash, fingerprint, run_id, asset_key, pii_columns, arrival
            )
            for result in results
        ]
        return self._append(rows)

    def append_decision(
        self,
        kind: Decision | str,
        *,
        contract_id: str,
        contract_version: str,
        contract_hash: str,
        run_id: str | None,
        asset_key: str | None,
        details: Mapping[str, Any],
    ) -> Record:
        """Records a publish / quarantine / override / error decision of the pipeline."""
        if kind not in DECISION_KINDS:
            raise ValueError(f"unknown decision kind {kind!r}; expected one of {DECISION_KINDS}")
        is_error = kind == Decision.ERROR
        row = {
            **_empty_row(),
            "kind": "decision",
            "contract_id": contract_id,
            "contract_version": contract_version,
            "contract_hash": contract_hash,
            "verdict": "error" if is_error else None,
            "execution_status": "errored" if is_error else "succeeded",
            "decision": Decision(kind).value,
            "summary": str(details.get("summary") or details.get("error") or kind),
            "run_id": run_id,
            "asset_key": asset_key,
            "details": canonical_json(details),
        }
        return self._append([row])[0]

    def records(
        self,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        contract_id: str | None = None,
        run_id: str | None = None,
    ) -> list[Record]:
        """Records in chain order; since is inclusive, until exclusive."""
        query = select(evidence_records).order_by(evidence_records.c.seq)
        if since is not None:
            query = query.where(evidence_records.c.recorded_at >= _as_timestamp(since))
        if until is not None:
            query = query.where(evidence_records.c.recorded_at < _as_timestamp(until))
        if contract_id is not None:
            query = query.where(evidence_records.c.contract_id == contract_id)
        if run_id is not None:
            query = query.where(evidence_records.c.run_id == run_id)
        return [record_from_row(row) for row in self._read(query)]

    def decisions(self, asset_key: str, kinds: Collection[Decision]) -> list[Record]:
        """One table's decisions of `kinds`, in chain order."""
        table = evidence_records.c
        query = (
            select(evidence_records)
            .where(table.kind == "decision", table.asset_key == asset_key)
            .where(table.decision.in_([Decision(k).value for k in kinds]))
            .order_by(table.seq)
        )
        return [record_from_row(row) for row in self._read(query)]

    def tail(self, limit: int) -> list[Record]:
        """The last `limit` records, oldest first."""
        query = select(evidence_records).order_by(evidence_records.c.seq.desc()).limit(limit)
        return [record_from_row(row) for row in reversed(self._read(query))]

    def verify(self) -> VerifyResult:
        """Recomputes the whole chain and names the first edited/deleted/inserted record."""
        return verify_chain(self._read(select(evidence_records).order_by(evidence_records.c.seq)))

    def _read(self, query: Any) -> list[Mapping[str, Any]]:
        try:
            with self.engine.connect() as connection:
                return [row._mapping for row in connection.execute(query)]
        except SQLAlchemyError as exc:
            raise EvidenceError(f"cannot read evidence store {self.display_url}: {exc}") from exc

    def _append(self, rows: list[dict[str, Any]]) -> list[Record]:
        if not rows:
            return []
        try:
            with serialised_write(self.engine) as connection:
                return _chain_and_insert(connection, rows)
        except SQLAlchemyError as exc:
            raise EvidenceError(f"could not append evidence to {self.display_url}: {exc}") from exc


def _chain_and_insert(connection: Connection, rows: list[dict[str, Any]]) -> list[Record]:
    head = connection.execute(
        select(evidence_records.c.seq, evidence_records.c.record_hash)
        .order_by(evidence_records.c.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (head.seq + 1, head.record_hash) if head else (FIRST_SEQ, GENESIS_HASH)
    recorded_at = utc_timestamp()
    chained: list[dict[str, Any]] = []
    for row in rows:
        full = {**row, "seq": seq, "recorded_at": recorded_at, "prev_hash": prev_hash}
        full["record_hash"] = compute_record_hash(full)
        chained.append(full)
        seq, prev_hash = seq + 1, full["record_hash"]
    connection.execute(evidence_records.insert(), chained)
    return [record_from_row(row) for row in chained]


def _check_row(
    result: CheckResult | SkippedCheck,
    contract: ContractIdentity,
    suite_hash: str | None,
    fingerprint: DataFingerprint | None,
    run_id: str | None,
    asset_key: str | None,
    pii_columns: Collection[str],
    arrival: DataArrival | None = None,
) -> dict[str, Any]:
    spec = result.spec
    row = {
        **_empty_row(),
        "kind": "check",
        "contract_id": contract.id,
        "contract_version": contract.version,
        "contract_hash": contract.content_hash,
        "suite_hash": suite_hash,
        "check_key": spec.key,
        "severity": spec.severity,
        "row_count": fingerprint.row_count if fingerprint else None,
        "data_hash": fingerprint.content_hash if fingerprint else None,
        "run_id": run_id,
        "asset_key": asset_key or "/".join(spec.asset_key),
    }
    check_details = {
        "kind": spec.kind.value,
        "table": spec.table,
        "column": spec.column,
        "description": spec.description,
        **(arrival.to_details() if arrival else {}),
    }
    if isinstance(result, SkippedCheck):
        return {
            **row,
            "verdict": "skipped",
            "execution_status": "skipped",
            "summary": f"skipped: {result.reason}",
            "details": canonical_json({**check_details, "skip_reason": result.reason}),
        }
    pii = frozenset(pii_columns) | pii_columns_of(contract, spec)
    observed = {
        "value": mask_observed(result.observed, spec, pii),
        "element_count": result.element_count,
        "unexpected_count": result.unexpected_count,
        "unexpected_percent": result.unexpected_percent,
    }
    threshold = {
        "description": result.threshold,
        "expectation_type": result.expectation_type,
        "expectation_kwargs": result.expectation_kwargs,
    }
    return {
        **row,
        "verdict": result.verdict,
        "execution_status": EXECUTION_STATUS_OF_VERDICT[result.verdict],
        "summary": result.summary,
        "observed": canonical_json(observed),
        "threshold": canonical_json(threshold),
        "samples": canonical_json(mask_samples(result.samples, spec, pii)),
        "details": canonical_json({**check_details, "error": result.error}),
    }


def _empty_row() -> dict[str, Any]:
    return {
        "suite_hash": None,
        "check_key": None,
        "severity": None,
        "verdict": None,
        "decision": None,
        "summary": None,
        "observed": "null",
        "threshold": "null",
        "samples": "[]",
        "row_count": None,
        "data_hash": None,
        "details": "{}",
    }


def record_from_row(row: Mapping[str, Any]) -> Record:
    values = {
        name: json.loads(row[name]) if name in JSON_COLUMNS else row[name]
        for name in Record.__dataclass_fields__
    }
    return Record(**values)


def _as_timestamp(moment: datetime | str) -> str:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return utc_timestamp(moment)


def _store_id(connection: Connection) -> str:
    """This store's identity, made on first open (under the append lock, so only once)."""
    found = connection.execute(select(evidence_store_identity.c.store_id)).scalar()
    if found:
        return str(found)
    store_id = uuid.uuid4().hex
    connection.execute(
        evidence_store_identity.insert().values(store_id=store_id, created_at=utc_timestamp())
    )
    return store_id


def _create_engine(url: str) -> Engine:
    url = installed_driver_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    configure_sqlite(engine, SQLITE_BUSY_TIMEOUT_MS)
    return engine

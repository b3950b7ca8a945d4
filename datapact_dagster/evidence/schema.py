"""The evidence table. JSON fields are stored as canonical JSON text so hashes are reproducible."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

evidence_records = Table(
    "datapact_evidence_records",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("recorded_at", String(40), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("contract_id", String(255), nullable=False),
    Column("contract_version", String(64), nullable=False),
    Column("contract_hash", String(128), nullable=False),
    Column("suite_hash", String(128)),
    Column("check_key", String(512)),
    Column("severity", String(16)),
    Column("verdict", String(16)),
    Column("execution_status", String(16), nullable=False),
    Column("decision", String(16)),
    Column("summary", Text),
    Column("observed", Text, nullable=False),
    Column("threshold", Text, nullable=False),
    Column("samples", Text, nullable=False),
    Column("row_count", BigInteger),
    Column("data_hash", String(128)),
    Column("run_id", String(128)),
    Column("asset_key", String(512)),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("record_hash", String(64), nullable=False, unique=True),
    Index("ix_datapact_evidence_recorded_at", "recorded_at"),
    Index("ix_datapact_evidence_contract", "contract_id", "recorded_at"),
    Index("ix_datapact_evidence_run", "run_id"),
)

# One row: the store's identity, made when the store is created. Anchors carry it, so heads
# anchored for another store (after DATAPACT_EVIDENCE_URL changed) are told apart from
# records missing in this one.
evidence_store_identity = Table(
    "datapact_evidence_store",
    metadata,
    Column("store_id", String(64), primary_key=True),
    Column("created_at", String(40), nullable=False),
)

JSON_COLUMNS: frozenset[str] = frozenset({"observed", "threshold", "samples", "details"})
HASHED_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in evidence_records.columns if c.name != "record_hash"
)


contract_versions = Table(
    "datapact_contract_versions",
    metadata,
    Column("content_hash", String(128), primary_key=True),
    Column("contract_id", String(255), nullable=False),
    Column("contract_version", String(64), nullable=False),
    Column("first_run_at", String(40), nullable=False),
    Column("source_text", Text, nullable=False),
    Index("ix_datapact_contract_versions_id", "contract_id", "first_run_at"),
)
"""The text of every contract version a run was made under, by the content hash evidence
records name (`contract_hash`), so an auditor can read the exact promise a record checked."""

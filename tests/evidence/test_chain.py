"""The hash chain detects every kind of tampering and passes an untouched store."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import text

from datapact_dagster.evidence import EvidenceStore
from datapact_dagster.evidence.chain import GENESIS_HASH, compute_record_hash, verify_chain
from datapact_dagster.evidence.schema import evidence_records

from .factories import filled_store

TABLE = evidence_records.name
RECORDS = 10


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return filled_store(f"sqlite:///{tmp_path / 'evidence.db'}", RECORDS)


def execute(store: EvidenceStore, sql: str, **params: object) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(sql), params)


def row(store: EvidenceStore, seq: int) -> dict[str, object]:
    with store.engine.connect() as connection:
        found = connection.execute(text(f"SELECT * FROM {TABLE} WHERE seq = :s"), {"s": seq})
        return dict(found.one()._mapping)


def test_untouched_chain_verifies(store: EvidenceStore) -> None:
    result = store.verify()
    assert result.ok
    assert result.checked == RECORDS
    assert result.first_bad_seq is None
    assert result.head_seq == RECORDS


def test_records_link_to_their_predecessor(store: EvidenceStore) -> None:
    records = store.records()
    assert [r.seq for r in records] == list(range(1, RECORDS + 1))
    assert records[0].prev_hash == GENESIS_HASH
    for before, after in pairwise(records):
        assert after.prev_hash == before.record_hash


@pytest.mark.parametrize(
    ("column", "sql_value"),
    [
        ("summary", "substr(summary, 1, 1) || 'X' || substr(summary, 3)"),
        ("verdict", "'pass'"),
        ("samples", "replace(samples, '7', '8')"),
        ("recorded_at", "replace(recorded_at, 'Z', '0Z')"),
        ("row_count", "row_count + 1"),
    ],
)
def test_edited_field_is_named(store: EvidenceStore, column: str, sql_value: str) -> None:
    before = row(store, 4)[column]
    execute(store, f"UPDATE {TABLE} SET {column} = {sql_value} WHERE seq = 4")
    assert row(store, 4)[column] != before
    result = store.verify()
    assert not result.ok
    assert result.first_bad_seq == 4
    assert result.tampering == "edited"
    assert result.reason == "record 4 was edited (hash mismatch)"


def test_deleted_record_is_named(store: EvidenceStore) -> None:
    execute(store, f"DELETE FROM {TABLE} WHERE seq = 6")
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.tampering) == (False, 6, "deleted")
    assert result.reason.startswith("record 6 was deleted")


def test_deleted_first_record_is_named(store: EvidenceStore) -> None:
    execute(store, f"DELETE FROM {TABLE} WHERE seq = 1")
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.tampering) == (False, 1, "deleted")


def test_forged_record_with_valid_hash_inserted_mid_chain(store: EvidenceStore) -> None:
    for seq in range(RECORDS, 4, -1):  # make room at seq 5, highest first (seq is unique)
        execute(store, f"UPDATE {TABLE} SET seq = seq + 1 WHERE seq = {seq}")
    forged = {**row(store, 4), "seq": 5, "verdict": "pass", "summary": "all good"}
    forged["prev_hash"] = "f" * 64  # 4's hash is taken: prev_hash is unique
    forged["record_hash"] = compute_record_hash(forged)
    execute(
        store,
        f"INSERT INTO {TABLE} ({', '.join(forged)}) VALUES ({', '.join(':' + k for k in forged)})",
        **forged,
    )
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.tampering) == (False, 5, "inserted")
    assert result.reason.startswith("record 5 was inserted")


def test_forged_record_appended_with_made_up_hash(store: EvidenceStore) -> None:
    forged = {**row(store, RECORDS), "seq": RECORDS + 1, "verdict": "pass"}
    forged["prev_hash"] = row(store, RECORDS)["record_hash"]
    forged["record_hash"] = "a" * 64
    execute(
        store,
        f"INSERT INTO {TABLE} ({', '.join(forged)}) VALUES ({', '.join(':' + k for k in forged)})",
        **forged,
    )
    result = store.verify()
    assert (result.ok, result.first_bad_seq) == (False, RECORDS + 1)


def test_reordered_records_are_named(store: EvidenceStore) -> None:
    execute(store, f"UPDATE {TABLE} SET seq = -1 WHERE seq = 5")
    execute(store, f"UPDATE {TABLE} SET seq = 5 WHERE seq = 6")
    execute(store, f"UPDATE {TABLE} SET seq = 6 WHERE seq = -1")
    result = store.verify()
    assert (result.ok, result.first_bad_seq, result.tampering) == (False, 5, "reordered")
    assert result.reason.startswith("record 5 was reordered")


def test_inserted_record_linking_past_its_predecessor() -> None:
    """Without the UNIQUE(prev_hash) guard a forger could fork; verify still names the forgery."""
    rows = _chain(5)
    forged = {**rows[2], "seq": 3, "summary": "forged"}
    forged["record_hash"] = compute_record_hash(forged)
    tampered = [*rows[:2], forged, *({**r, "seq": r["seq"] + 1} for r in rows[2:])]
    result = verify_chain(tampered)
    assert (result.ok, result.first_bad_seq, result.tampering) == (False, 3, "inserted")


def test_empty_chain_verifies() -> None:
    assert verify_chain([]).ok


def _chain(count: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        data = {column.name: None for column in evidence_records.columns}
        data.update(seq=seq, recorded_at=f"2024-01-0{seq}T00:00:00.000000Z", prev_hash=prev)
        data["summary"] = f"evaluation {seq}"
        data["record_hash"] = compute_record_hash(data)
        rows.append(data)
        prev = data["record_hash"]
    return rows

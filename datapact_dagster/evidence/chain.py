"""The hash chain: each record's hash covers its fields and its predecessor's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .model import VerifyResult
from .schema import HASHED_COLUMNS

GENESIS_HASH = "0" * 64
FIRST_SEQ = 1


def compute_record_hash(row: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of every stored column except record_hash."""
    payload = {name: row[name] for name in HASHED_COLUMNS}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_chain(rows: Sequence[Mapping[str, Any]]) -> VerifyResult:
    """Walks stored rows in seq order and names the first one that breaks the chain."""
    seq_of_hash = {row["record_hash"]: row["seq"] for row in rows}
    prev_hash, prev_seq, expected_seq = GENESIS_HASH, None, FIRST_SEQ
    for row in rows:
        seq = row["seq"]
        hash_ok = compute_record_hash(row) == row["record_hash"]
        if row["prev_hash"] != prev_hash:
            linked_seq = seq_of_hash.get(row["prev_hash"])
            if linked_seq is not None and linked_seq > seq:
                return _broken(
                    rows,
                    seq,
                    "reordered",
                    f"record {seq} was reordered (it follows record {linked_seq} in the chain)",
                )
            if linked_seq is not None and prev_seq is not None and linked_seq < prev_seq:
                forged = linked_seq + 1
                return _broken(
                    rows,
                    forged,
                    "inserted",
                    f"record {forged} was inserted (record {seq} links to record {linked_seq})",
                )
            if seq > expected_seq and hash_ok:
                return _broken(
                    rows,
                    expected_seq,
                    "deleted",
                    f"record {expected_seq} was deleted (seq gap: found {seq} "
                    f"after {expected_seq - 1})",
                )
            if hash_ok:
                return _broken(
                    rows,
                    seq,
                    "inserted",
                    f"record {seq} was inserted (its prev_hash does not match "
                    f"record {prev_seq if prev_seq is not None else 'genesis'})",
                )
        if not hash_ok:
            return _broken(rows, seq, "edited", f"record {seq} was edited (hash mismatch)")
        if seq != expected_seq:
            return _broken(
                rows,
                expected_seq,
                "deleted",
                f"record {expected_seq} was deleted (seq gap: found {seq} after "
                f"{expected_seq - 1})",
            )
        prev_hash, prev_seq, expected_seq = row["record_hash"], seq, seq + 1
    head = rows[-1] if rows else None
    return VerifyResult(
        ok=True,
        checked=len(rows),
        head_seq=head["seq"] if head else None,
        head_hash=head["record_hash"] if head else None,
    )


def _broken(
    rows: Sequence[Mapping[str, Any]], bad_seq: int, tampering: Any, reason: str
) -> VerifyResult:
    head = rows[-1]
    return VerifyResult(
        ok=False,
        checked=len(rows),
        first_bad_seq=bad_seq,
        reason=reason,
        tampering=tampering,
        head_seq=head["seq"],
        head_hash=head["record_hash"],
    )

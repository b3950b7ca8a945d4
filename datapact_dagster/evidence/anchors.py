"""Cross-checking the chain against heads anchored elsewhere (the Dagster instance).

A hash chain alone cannot reveal that its newest records were deleted, or that everything from
some record on was rewritten with fresh hashes. Each pipeline step therefore writes the chain
head it left behind into Dagster's event log; a head that is missing from the chain, or whose
hash differs, proves truncation or rewriting. An anchor names the store it was taken from
(`<store id>/<seq>:<hash>`); heads of another store are reported, not held against this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ANCHOR_METADATA_KEY = "evidence_head"


@dataclass(frozen=True)
class Anchor:
    seq: int
    record_hash: str
    source: str
    """Where the anchor was found, e.g. 'run 1a2b… (bronze/raw_orders)'."""
    store_id: str | None = None
    """The evidence store the head was read from; None for anchors written before store ids."""

    def to_text(self) -> str:
        head = f"{self.seq}:{self.record_hash}"
        return f"{self.store_id}/{head}" if self.store_id else head

    @classmethod
    def from_text(cls, text: str, source: str) -> Anchor | None:
        store_id, _, head = text.rpartition("/")
        seq, _, digest = head.partition(":")
        if not (seq.isdigit() and digest):
            return None
        return cls(int(seq), digest, source, store_id or None)


def split_by_store(anchors: Iterable[Anchor], store_id: str) -> tuple[list[Anchor], dict[str, int]]:
    """Anchors of this store (or of no named store), and a count per other store id."""
    own: list[Anchor] = []
    others: dict[str, int] = {}
    for anchor in anchors:
        if anchor.store_id is None or anchor.store_id == store_id:
            own.append(anchor)
        else:
            others[anchor.store_id] = others.get(anchor.store_id, 0) + 1
    return own, others


def check_anchors(hash_by_seq: Mapping[int, str], anchors: Iterable[Anchor]) -> str | None:
    """The first contradiction between the chain and its anchors, as a sentence; else None."""
    for anchor in sorted(anchors, key=lambda a: a.seq):
        found = hash_by_seq.get(anchor.seq)
        if found is None:
            return (
                f"record {anchor.seq} is missing although {anchor.source} anchored it: "
                "the chain was truncated"
            )
        if found != anchor.record_hash:
            return (
                f"record {anchor.seq} differs from the head {anchor.source} anchored: "
                "the chain was rewritten from there on"
            )
    return None

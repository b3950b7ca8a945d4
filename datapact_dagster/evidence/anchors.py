"""Cross-checking the chain against heads anchored elsewhere (the Dagster instance).

A hash chain alone cannot reveal that its newest records were deleted, or that everything from
some record on was rewritten with fresh hashes. Each pipeline step therefore writes the chain
head it left behind into Dagster's event log; a head that is missing from the chain, or whose
hash differs, proves truncation or rewriting.

An anchor names the store it was taken from and where that store lives
(`<store id>@<location>/<seq>:<hash>`, the location a digest of the store's URL). Heads of a
store at another location are reported, not held against this one (DATAPACT_EVIDENCE_URL was
pointed elsewhere); heads of another store at this same location prove that the store here was
wiped or recreated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ANCHOR_METADATA_KEY = "evidence_head"


def location_digest(display_url: str) -> str:
    """A short, password-free fingerprint of where a store lives."""
    return hashlib.sha256(display_url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Anchor:
    seq: int
    record_hash: str
    source: str
    """Where the anchor was found, e.g. 'run 1a2b… (bronze/raw_orders)'."""
    store_id: str | None = None
    """The evidence store the head was read from; None for anchors written before store ids."""
    location: str | None = None
    """`location_digest` of that store's URL; None for anchors written before locations."""

    def to_text(self) -> str:
        head = f"{self.seq}:{self.record_hash}"
        if not self.store_id:
            return head
        store = f"{self.store_id}@{self.location}" if self.location else self.store_id
        return f"{store}/{head}"

    @classmethod
    def from_text(cls, text: str, source: str) -> Anchor | None:
        store, _, head = text.rpartition("/")
        store_id, _, location = store.partition("@")
        seq, _, digest = head.partition(":")
        if not (seq.isdigit() and digest):
            return None
        return cls(int(seq), digest, source, store_id or None, location or None)


@dataclass
class AnchorsByStore:
    """The Dagster instance's anchors, sorted by what they say about the open store."""

    own: list[Anchor] = field(default_factory=list)
    """Taken from this store (or written before stores had ids): checked against the chain."""
    replaced: list[Anchor] = field(default_factory=list)
    """Taken from another store at this same location: this store replaced that one."""
    elsewhere: dict[str, int] = field(default_factory=dict)
    """Count per id of stores at other locations."""


def split_by_store(anchors: Iterable[Anchor], store_id: str, location: str) -> AnchorsByStore:
    split = AnchorsByStore()
    for anchor in anchors:
        if anchor.store_id is None or anchor.store_id == store_id:
            split.own.append(anchor)
        elif anchor.location == location:
            split.replaced.append(anchor)
        else:
            split.elsewhere[anchor.store_id] = split.elsewhere.get(anchor.store_id, 0) + 1
    return split


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


def check_replacement(split: AnchorsByStore, store_id: str) -> str | None:
    """A sentence proving the store at this location was wiped or recreated; else None."""
    if not split.replaced:
        return None
    first = min(split.replaced, key=lambda a: a.seq)
    old_ids = ", ".join(sorted({a.store_id or "" for a in split.replaced}))
    return (
        f"the evidence store at this location was replaced: {len(split.replaced)} chain head(s) "
        f"anchored in the Dagster instance (record {first.seq} by {first.source}) came from "
        f"store {old_ids} here, which now holds store {store_id}: it was wiped or recreated "
        "(a deliberate reset must reset the Dagster instance too, e.g. `make clean`)"
    )

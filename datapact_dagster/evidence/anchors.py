"""Cross-checking the chain against heads anchored elsewhere (the Dagster instance).

A hash chain alone cannot reveal that its newest records were deleted, or that everything from
some record on was rewritten with fresh hashes. Each pipeline step therefore writes the chain
head it left behind into Dagster's event log; a head that is missing from the chain, or whose
hash differs, proves truncation or rewriting.
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

    def to_text(self) -> str:
        return f"{self.seq}:{self.record_hash}"

    @classmethod
    def from_text(cls, text: str, source: str) -> Anchor | None:
        seq, _, digest = text.partition(":")
        return cls(int(seq), digest, source) if seq.isdigit() and digest else None


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

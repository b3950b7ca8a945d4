"""Anchor text round-trips, with and without the store id, and the split by store."""

from __future__ import annotations

from datapact_dagster.evidence.anchors import Anchor, check_anchors, split_by_store

HASH = "ab" * 32


def test_anchor_text_round_trips_with_its_store() -> None:
    anchor = Anchor(7, HASH, "", "store1")
    assert anchor.to_text() == f"store1/7:{HASH}"
    assert Anchor.from_text(anchor.to_text(), "run r") == Anchor(7, HASH, "run r", "store1")


def test_anchors_written_before_store_ids_still_parse_and_count_as_this_store() -> None:
    legacy = Anchor.from_text(f"7:{HASH}", "run r")
    assert legacy == Anchor(7, HASH, "run r", None)
    own, others = split_by_store([legacy, Anchor(3, HASH, "", "other")], "mine")
    assert own == [legacy]
    assert others == {"other": 1}


def test_unreadable_anchor_text_is_ignored() -> None:
    assert Anchor.from_text("x/seven:abc", "run r") is None
    assert Anchor.from_text("store/7:", "run r") is None


def test_another_stores_heads_are_not_held_against_this_chain() -> None:
    anchors = [Anchor(9, "f" * 64, "run a", "old"), Anchor(2, HASH, "run b", "mine")]
    own, others = split_by_store(anchors, "mine")
    assert check_anchors({1: "0" * 64, 2: HASH}, own) is None
    assert check_anchors({1: "0" * 64, 2: HASH}, anchors) is not None
    assert others == {"old": 1}

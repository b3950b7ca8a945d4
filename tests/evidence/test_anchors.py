"""Anchor text round-trips, with and without store id and location, and the split by store."""

from __future__ import annotations

from datapact_dagster.evidence.anchors import (
    Anchor,
    check_anchors,
    check_replacement,
    location_digest,
    split_by_store,
)

HASH = "ab" * 32
HERE = location_digest("sqlite:////srv/state/evidence.db")
THERE = location_digest("postgresql://datapact:***@db/evidence")


def test_anchor_text_round_trips_with_its_store_and_location() -> None:
    anchor = Anchor(7, HASH, "", "store1", HERE)
    assert anchor.to_text() == f"store1@{HERE}/7:{HASH}"
    assert Anchor.from_text(anchor.to_text(), "run r") == Anchor(7, HASH, "run r", "store1", HERE)


def test_anchors_written_before_locations_or_store_ids_still_parse() -> None:
    assert Anchor.from_text(f"store1/7:{HASH}", "run r") == Anchor(7, HASH, "run r", "store1")
    legacy = Anchor.from_text(f"7:{HASH}", "run r")
    assert legacy == Anchor(7, HASH, "run r", None)
    split = split_by_store([legacy, Anchor(3, HASH, "", "other")], "mine", HERE)
    assert split.own == [legacy]
    assert split.elsewhere == {"other": 1}
    assert split.replaced == []


def test_unreadable_anchor_text_is_ignored() -> None:
    assert Anchor.from_text("x/seven:abc", "run r") is None
    assert Anchor.from_text("store/7:", "run r") is None


def test_location_digest_is_stable_and_tells_stores_apart() -> None:
    assert location_digest("sqlite:////srv/state/evidence.db") == HERE
    assert HERE != THERE
    assert len(HERE) == 16


def test_a_store_elsewhere_is_not_held_against_this_chain() -> None:
    anchors = [Anchor(9, "f" * 64, "run a", "old", THERE), Anchor(2, HASH, "run b", "mine", HERE)]
    split = split_by_store(anchors, "mine", HERE)
    assert check_anchors({1: "0" * 64, 2: HASH}, split.own) is None
    assert check_anchors({1: "0" * 64, 2: HASH}, anchors) is not None
    assert split.elsewhere == {"old": 1}
    assert check_replacement(split, "mine") is None


def test_another_store_at_this_location_means_this_one_was_wiped() -> None:
    anchors = [Anchor(9, "f" * 64, "run a", "old", HERE), Anchor(4, "e" * 64, "run b", "old", HERE)]
    split = split_by_store(anchors, "new", HERE)
    assert split.own == [] and split.elsewhere == {}
    problem = check_replacement(split, "new")
    assert problem is not None
    assert "replaced" in problem and "record 4 by run b" in problem
    assert "store old here, which now holds store new" in problem

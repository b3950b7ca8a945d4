"""The layered layout: columns left to right, boxes stacked without overlap, links routed."""

from __future__ import annotations

import re

from datapact_dagster.catalog.layout import H_GAP, layered
from datapact_dagster.catalog.shapes import BoxSpec, End, LinkSpec, RowSpec


def _box(name: str, *rows: str) -> BoxSpec:
    return BoxSpec(name, name, tuple(RowSpec(r, r) for r in rows))


def _link(source: str, target: str, source_row: str | None = None) -> LinkSpec:
    return LinkSpec(End(source, source_row), End(target), "reads", f"{target} reads {source}")


def test_columns_go_left_to_right_and_boxes_do_not_overlap() -> None:
    diagram = layered(
        "d",
        "t",
        [[_box("a", "x", "y"), _box("b")], [_box("c", "z")]],
        [_link("a", "c"), _link("b", "c")],
    )

    boxes = {b.id: b for b in diagram.boxes}
    assert boxes["a"].x == boxes["b"].x < boxes["c"].x
    assert boxes["c"].x >= boxes["a"].x + boxes["a"].width + H_GAP
    first, second = sorted((boxes["a"], boxes["b"]), key=lambda b: b.y)
    assert first.y + first.height < second.y
    assert all(
        b.x + b.width <= diagram.width and b.y + b.height <= diagram.height for b in boxes.values()
    )
    assert len(diagram.links) == 2 and diagram.link_kinds == ("reads",)


def test_rows_are_anchors_and_a_link_starts_at_its_row() -> None:
    diagram = layered("d", "t", [[_box("a", "x", "y")], [_box("c")]], [_link("a", "c", "y")])

    (box_a,) = [b for b in diagram.boxes if b.id == "a"]
    row_y = next(r.y for r in box_a.rows if r.id == "y")
    start = re.match(r"M([\d.]+),([\d.]+)", diagram.links[0].path)
    assert start is not None
    assert float(start.group(1)) == box_a.x + box_a.width
    assert float(start.group(2)) == row_y


def test_ordering_uncrosses_two_links() -> None:
    """Left: a above b. Right, as given: d (linked to b) above c (linked to a)."""
    diagram = layered(
        "d",
        "t",
        [[_box("a"), _box("b")], [_box("d"), _box("c")]],
        [_link("a", "c"), _link("b", "d")],
    )

    y = {b.id: b.y for b in diagram.boxes}
    assert (y["a"] < y["b"]) == (y["c"] < y["d"])


def test_a_link_across_a_column_passes_beside_its_boxes_not_through_them() -> None:
    middle = _box("m", "r1", "r2", "r3", "r4")
    diagram = layered(
        "d",
        "t",
        [[_box("a"), _box("b")], [middle], [_box("z")]],
        [_link("a", "m"), _link("b", "z")],
    )

    long_link = next(link for link in diagram.links if link.title == "z reads b")
    (m,) = [b for b in diagram.boxes if b.id == "m"]
    straight = re.search(r"L([\d.]+),([\d.]+)", long_link.path)
    assert straight is not None, long_link.path
    y = float(straight.group(2))
    assert not m.y <= y <= m.y + m.height, "the link crosses the middle box"
    assert sorted(b.id for b in diagram.boxes) == ["a", "b", "m", "z"], "waypoints are drawn"


def test_a_link_within_a_column_loops_out_to_the_right_inside_the_drawing() -> None:
    diagram = layered(
        "d",
        "t",
        [[_box("a", "k"), _box("b", "k")]],
        [LinkSpec(End("a", "k"), End("b", "k"), "fk", "a.k -> b.k", "N", "1")],
    )

    (link,) = diagram.links
    xs = [float(x) for x in re.findall(r"([\d.]+),[\d.]+", link.path)]
    right_edge = max(b.x + b.width for b in diagram.boxes)
    assert max(xs) > right_edge and max(xs) < diagram.width
    assert [label.text for label in link.labels] == ["N", "1"]


def test_links_to_unknown_boxes_or_rows_are_left_out_and_an_empty_diagram_is_empty() -> None:
    diagram = layered(
        "d", "t", [[_box("a", "x")]], [_link("a", "nowhere"), _link("a", "a", "nope")]
    )
    assert diagram.links == ()
    assert layered("e", "t", [[], []], []).empty

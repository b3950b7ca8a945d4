"""A layered diagram layout: boxes in columns, stacked, joined by curved links.

Every diagram of the catalog (the lineage map, the ERD, a table's column lineage) is a few
columns of boxes; each box has a header and optional rows, and a link joins a box or one of its
rows to another. The geometry is computed here and drawn by `templates/diagram.svg.j2`, so the
page needs no diagram library and no network.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from .shapes import Box, BoxSpec, Diagram, End, Label, Link, LinkSpec, Row

HEADER = 26
ROW = 20
PADDING = 6
V_GAP = 22
H_GAP = 90
MARGIN = 16
SWEEPS = 2
WAYPOINT = "waypoint"
WAYPOINT_HEIGHT = 6
LOOP = 70
"""How far a link between two boxes of the same column bulges out to the right."""
CHAR_WIDTH = 7.0
MIN_WIDTH = 150
MAX_CHARS = 44


def layered(
    diagram_id: str,
    title: str,
    columns: Sequence[Sequence[BoxSpec]],
    links: Sequence[LinkSpec],
) -> Diagram:
    """Lay `columns` out left to right, ordering each column to shorten the links into it."""
    columns = [list(c) for c in columns if c]
    waypoints = _add_waypoints(columns, links)
    segments = [
        LinkSpec(start, end, spec.kind, "")
        for n, spec in enumerate(links)
        for start, end in _pairs(
            [spec.source, *(End(w) for w in waypoints.get(n, ())), spec.target]
        )
    ]
    for _ in range(SWEEPS):
        columns = _sweep(columns, segments)
    boxes = _place_all(columns)
    drawn = tuple(
        _link(spec, boxes, [boxes[w] for w in waypoints.get(n, ())])
        for n, spec in enumerate(links)
        if _drawable(spec, boxes)
    )
    loops = any(_same_column(spec, boxes) for spec in links if _drawable(spec, boxes))
    boxes = {name: box for name, box in boxes.items() if box.kind != WAYPOINT}
    right = max((b.x + b.width for b in boxes.values()), default=0.0)
    bottom = max((b.y + b.height for b in boxes.values()), default=0.0)
    return Diagram(
        id=diagram_id,
        title=title,
        width=round(right + MARGIN + (LOOP if loops else 0), 1),
        height=round(bottom + MARGIN, 1),
        boxes=tuple(boxes.values()),
        links=drawn,
        link_kinds=tuple(dict.fromkeys(link.kind for link in drawn)),
    )


def _add_waypoints(columns: list[list[BoxSpec]], links: Sequence[LinkSpec]) -> dict[int, list[str]]:
    """An invisible waypoint in each column a link crosses, so that the link is routed between
    the boxes there instead of through them (link index -> its waypoints, source to target)."""
    column_of = {spec.id: i for i, column in enumerate(columns) for spec in column}
    found: dict[int, list[str]] = {}
    for n, link in enumerate(links):
        start, end = column_of.get(link.source.box), column_of.get(link.target.box)
        if start is None or end is None or abs(start - end) < 2:
            continue
        step = 1 if end > start else -1
        for index in range(start + step, end, step):
            waypoint = BoxSpec(f"~{n}~{index}", "", kind=WAYPOINT)
            columns[index].append(waypoint)
            found.setdefault(n, []).append(waypoint.id)
    return found


def _pairs(ends: list[End]) -> list[tuple[End, End]]:
    return list(pairwise(ends))


def box_height(spec: BoxSpec) -> float:
    if spec.kind == WAYPOINT:
        return WAYPOINT_HEIGHT
    return HEADER + len(spec.rows) * ROW + (PADDING if spec.rows else 0)


def _place_all(columns: list[list[BoxSpec]]) -> dict[str, Box]:
    widths = [_column_width(column) for column in columns]
    heights = [_column_height(column) for column in columns]
    tallest = max(heights, default=0.0)
    boxes: dict[str, Box] = {}
    x = float(MARGIN)
    for column, width, height in zip(columns, widths, heights, strict=True):
        y = MARGIN + (tallest - height) / 2
        for spec in column:
            box = _place(spec, x, y, width)
            boxes[spec.id] = box
            y += box.height + V_GAP
        x += width + H_GAP
    return boxes


def _sweep(columns: list[list[BoxSpec]], segments: Sequence[LinkSpec]) -> list[list[BoxSpec]]:
    """Barycentre ordering: left to right, each column follows where its links end in the column
    before it; then right to left, following the column after it."""
    passes = [(i, i - 1) for i in range(1, len(columns))]
    passes += [(i, i + 1) for i in range(len(columns) - 2, -1, -1)]
    for index, neighbour in passes:
        boxes = _place_all(columns)
        columns[index] = _sorted_by(columns[index], columns[neighbour], boxes, segments)
    return columns


def _sorted_by(
    column: list[BoxSpec],
    neighbour: list[BoxSpec],
    boxes: dict[str, Box],
    segments: Sequence[LinkSpec],
) -> list[BoxSpec]:
    there_ids = {spec.id for spec in neighbour}
    ends: dict[str, list[float]] = {}
    for link in segments:
        for here, there in ((link.source, link.target), (link.target, link.source)):
            if there.box in there_ids and _drawable(link, boxes):
                ends.setdefault(here.box, []).append(_anchor_y(boxes[there.box], there.row))

    def centre(spec: BoxSpec) -> float:
        found = ends.get(spec.id)
        box = boxes[spec.id]
        return sum(found) / len(found) if found else box.y + box.height / 2

    return sorted(column, key=centre)


def _column_width(column: Sequence[BoxSpec]) -> float:
    longest = max(
        (len(_clip(text)) for spec in column for text in _texts(spec)),
        default=0,
    )
    return max(MIN_WIDTH, round(longest * CHAR_WIDTH + 2 * PADDING + 30))


def _texts(spec: BoxSpec) -> list[str]:
    return [spec.title, *(f"{r.text}  {r.badge}" for r in spec.rows)]


def _column_height(column: Sequence[BoxSpec]) -> float:
    return sum(box_height(spec) for spec in column) + V_GAP * (len(column) - 1)


def _place(spec: BoxSpec, x: float, y: float, width: float) -> Box:
    rows = tuple(
        Row(
            id=row.id,
            text=_clip(row.text),
            full_text=row.text,
            badge=row.badge,
            href=row.href,
            y=y + HEADER + index * ROW + ROW / 2,
        )
        for index, row in enumerate(spec.rows)
    )
    return Box(
        id=spec.id,
        title=_clip(spec.title),
        full_title=spec.title,
        kind=spec.kind,
        href=spec.href,
        x=x,
        y=y,
        width=width,
        height=box_height(spec),
        rows=rows,
    )


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _drawable(spec: LinkSpec, boxes: dict[str, Box]) -> bool:
    return all(
        end.box in boxes and (end.row is None or any(r.id == end.row for r in boxes[end.box].rows))
        for end in (spec.source, spec.target)
    )


def _same_column(spec: LinkSpec, boxes: dict[str, Box]) -> bool:
    source, target = boxes.get(spec.source.box), boxes.get(spec.target.box)
    return source is not None and target is not None and source.x == target.x


def _anchor_y(box: Box, row: str | None) -> float:
    if box.kind == WAYPOINT:
        return box.y + box.height / 2
    if row is None:
        return box.y + HEADER / 2
    return next(r.y for r in box.rows if r.id == row)


def _link(spec: LinkSpec, boxes: dict[str, Box], waypoints: list[Box]) -> Link:
    source, target = boxes[spec.source.box], boxes[spec.target.box]
    sy, ty = _anchor_y(source, spec.source.row), _anchor_y(target, spec.target.row)
    if source.x == target.x:
        sx = tx = source.x + source.width
        bend = LOOP - 10
        path = (
            f"M{sx:.1f},{sy:.1f} C{sx + bend:.1f},{sy:.1f} {tx + bend:.1f},{ty:.1f} "
            f"{tx:.1f},{ty:.1f}"
        )
        label_at = ((sx + 6, sy - 4), (tx + 6, ty - 4))
    else:
        forward = target.x > source.x
        sx = source.x + source.width if forward else source.x
        tx = target.x if forward else target.x + target.width
        path = _through(forward, (sx, sy), waypoints, (tx, ty))
        step = 8 if forward else -16
        label_at = ((sx + step, sy - 4), (tx - step - 8, ty - 4))
    labels = tuple(
        Label(round(x, 1), round(y, 1), text)
        for (x, y), text in zip(label_at, (spec.source_label, spec.target_label), strict=True)
        if text
    )
    return Link(path=path, kind=spec.kind, title=spec.title, labels=labels)


def _through(
    forward: bool, start: tuple[float, float], waypoints: list[Box], end: tuple[float, float]
) -> str:
    """Curves across each gap between columns, straight across each waypoint."""
    path = [f"M{start[0]:.1f},{start[1]:.1f}"]
    here = start
    for box in waypoints:
        y = box.y + box.height / 2
        near, far = (box.x, box.x + box.width) if forward else (box.x + box.width, box.x)
        path += [_curve(here, (near, y)), f"L{far:.1f},{y:.1f}"]
        here = (far, y)
    path.append(_curve(here, end))
    return " ".join(path)


def _curve(start: tuple[float, float], end: tuple[float, float]) -> str:
    (sx, sy), (tx, ty) = start, end
    dx = max(30.0, abs(tx - sx) / 2) * (1 if tx > sx else -1)
    return f"C{sx + dx:.1f},{sy:.1f} {tx - dx:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"

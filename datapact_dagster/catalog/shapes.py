"""What a diagram is made of: the boxes, rows and links asked for (`*Spec`, `End`), and where
the layout put them (`Box`, `Row`, `Link`, `Label`, `Diagram`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowSpec:
    id: str
    text: str
    badge: str = ""
    """A short marker drawn at the row's right end (PK, FK, PII)."""
    href: str | None = None


@dataclass(frozen=True)
class BoxSpec:
    id: str
    title: str
    rows: tuple[RowSpec, ...] = ()
    href: str | None = None
    kind: str = ""
    """A CSS class: the layer (`bronze`, `silver`, `gold`), `landing` or `focus`."""


@dataclass(frozen=True)
class End:
    box: str
    row: str | None = None
    """None: the box's header (the table as a whole)."""


@dataclass(frozen=True)
class LinkSpec:
    source: End
    target: End
    kind: str
    """A CSS class: `value`, `rows`, `untraced`, `reads`, `reference`, `fk`."""
    title: str
    source_label: str = ""
    target_label: str = ""


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    full_text: str
    badge: str
    href: str | None
    y: float


@dataclass(frozen=True)
class Box:
    id: str
    title: str
    full_title: str
    kind: str
    href: str | None
    x: float
    y: float
    width: float
    height: float
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Link:
    path: str
    kind: str
    title: str
    labels: tuple[Label, ...] = ()


@dataclass(frozen=True)
class Diagram:
    id: str
    title: str
    width: float
    height: float
    boxes: tuple[Box, ...]
    links: tuple[Link, ...]
    link_kinds: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.boxes

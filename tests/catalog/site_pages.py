"""Reading a written catalog back: every page's links, sources and ids (stdlib HTML parser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "data", "xlink:href")


@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    urls: list[str] = field(default_factory=list)
    """Every value of an attribute that loads or links something."""
    data_columns: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.page.ids.add(value)
            elif name in URL_ATTRIBUTES:
                self.page.urls.append(value)
            elif name == "data-column":
                self.page.data_columns.append(value)


def read_page(path: Path) -> Page:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader.page


def broken_links(site: Path) -> list[str]:
    """Links that leave the folder or point at a missing page or anchor."""
    pages = {p.name: read_page(p) for p in site.glob("*.html")}
    broken = []
    for name, page in pages.items():
        for url in page.urls:
            target, _, anchor = url.partition("#")
            target = target or name
            if "/" in target or ":" in target or target not in pages:
                broken.append(f"{name}: {url}")
            elif anchor and anchor not in pages[target].ids:
                broken.append(f"{name}: {url} (no such anchor)")
    return broken

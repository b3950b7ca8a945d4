"""Lines of a contract file by document path (`schema[0].properties[2].name`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from datapact_dagster.contract.findings import DocPath, format_doc_path


@dataclass(frozen=True)
class Locator:
    """Where each value of one contract file is written."""

    file: str
    lines: Mapping[str, int]
    custom_properties: Mapping[str, str] = field(default_factory=dict)
    """Contract-level custom property -> the document path of its value."""

    @classmethod
    def from_positions(
        cls, file: str, positions: Mapping[DocPath, tuple[int, int]], data: Any = None
    ) -> Locator:
        custom = data.get("customProperties") if isinstance(data, dict) else None
        named = {
            item["property"]: f"customProperties[{index}].value"
            for index, item in enumerate(custom if isinstance(custom, list) else ())
            if isinstance(item, dict) and isinstance(item.get("property"), str)
        }
        lines = {format_doc_path(path): line for path, (line, _) in positions.items()}
        return cls(file, lines, named)

    def custom_property(self, name: str) -> str:
        """The document path of a contract custom property's value (or of the list)."""
        return self.custom_properties.get(name, "customProperties")

    def line(self, doc_path: str) -> int:
        """The line of `doc_path`, or of the nearest enclosing value written in the file."""
        probe = doc_path
        while probe and probe not in self.lines:
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.lines.get(probe, 1)

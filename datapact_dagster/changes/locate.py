"""Lines of a contract file by document path (`schema[0].properties[2].name`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from datapact_dagster.contract.findings import DocPath, format_doc_path


@dataclass(frozen=True)
class Locator:
    """Where each value of one contract file is written."""

    file: str
    lines: Mapping[str, int]

    @classmethod
    def from_positions(cls, file: str, positions: Mapping[DocPath, tuple[int, int]]) -> Locator:
        return cls(file, {format_doc_path(path): line for path, (line, _) in positions.items()})

    def line(self, doc_path: str) -> int:
        """The line of `doc_path`, or of the nearest enclosing value written in the file."""
        probe = doc_path
        while probe and probe not in self.lines:
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.lines.get(probe, 1)

"""A problem found in a contract, located precisely enough for a person to fix it."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DocPath = tuple[str | int, ...]

MAX_TEXT = 500
"""A finding's message and fix are cut to this many characters: they may quote the contract."""


def plain_text(text: str, limit: int = MAX_TEXT) -> str:
    """`text` safe to print on a terminal: control characters escaped, cut to `limit` characters.

    A finding quotes what the author wrote, and a hostile value (an ANSI escape sequence, a
    megabyte-long name) must neither steer the terminal nor flood the output."""
    safe = "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf")
        else ch
        for ch in text[: limit + 1]
    )
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def format_doc_path(path: DocPath) -> str:
    """`("schema", 0, "properties", 3, "name")` -> `schema[0].properties[3].name`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(document)"


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    column: int
    path: str
    message: str
    fix: str
    severity: str = "error"
    code: str = "invalid"

    def __post_init__(self) -> None:
        for name in ("file", "path", "message", "fix"):
            object.__setattr__(self, name, plain_text(getattr(self, name)))

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        at = f" at {self.path}" if self.path else ""
        return f"{where}: {self.severity}{at}: {self.message}\n    fix: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FindingCollector:
    """Collects findings for one file, resolving document paths to line and column."""

    file: Path
    positions: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def locate(self, path: DocPath) -> tuple[int, int]:
        probe = tuple(path)
        while probe not in self.positions and probe:
            probe = probe[:-1]
        return self.positions.get(probe, (1, 1))

    def add(
        self,
        path: DocPath,
        message: str,
        fix: str,
        *,
        severity: str = "error",
        code: str = "invalid",
        line_col: tuple[int, int] | None = None,
    ) -> None:
        line, column = line_col or self.locate(path)
        self.findings.append(
            Finding(
                file=str(self.file),
                line=line,
                column=column,
                path=format_doc_path(path) if path else "",
                message=message,
                fix=fix,
                severity=severity,
                code=code,
            )
        )

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

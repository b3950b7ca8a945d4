"""What the breaker sensor remembers between ticks (its Dagster cursor, as JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class TableMemory:
    state: str
    """closed / open / never run, as last acted upon (half-open is remembered as open)."""
    episode: str | None = None
    """The open episode's id (alerts and the recovery run are keyed by it)."""
    alert_kind: str | None = None
    """The kind of alert the episode opened with, so retries re-send the same alert."""
    since: str | None = None
    """When the open episode started (ISO 8601), for the recovery alert."""


@dataclass
class BreakerCursor:
    tables: dict[str, TableMemory] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    """Contract id -> the version seen last, to announce new versions."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "tables": {k: asdict(v) for k, v in sorted(self.tables.items())},
                "versions": dict(sorted(self.versions.items())),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | None) -> BreakerCursor:
        """The remembered state; an empty or unreadable cursor starts afresh."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(
                tables={k: TableMemory(**v) for k, v in data.get("tables", {}).items()},
                versions={str(k): str(v) for k, v in data.get("versions", {}).items()},
            )
        except (ValueError, TypeError, AttributeError):
            return cls()

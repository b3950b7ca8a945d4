"""What a generator run wrote: parameters, files, and every planted contract violation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

MANIFEST_NAME = "_manifest.json"


@dataclass(frozen=True)
class LandingFile:
    name: str
    table: str  # the bronze table loaded from this file
    rows: int
    columns: tuple[str, ...]


@dataclass(frozen=True)
class PlantedBreach:
    spec: str  # as given, e.g. "duplicate_key" or "schema_drift:drop"
    kind: str
    file: str
    target_check: str  # the only check key the breach should fail
    planted: int  # rows (or columns, for schema drift) the generator changed
    expected_unexpected_count: int | None  # what the target check reports; None: not row-based
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    rows: int
    seed: int
    as_of: datetime  # naive UTC
    files: tuple[LandingFile, ...]
    breaches: tuple[PlantedBreach, ...]
    tolerated: dict[str, int]  # check key -> imperfections the clean data has by design

    def breach(self, kind: str) -> PlantedBreach:
        return next(b for b in self.breaches if b.kind == kind)

    def file(self, name: str) -> LandingFile:
        return next(f for f in self.files if f.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generator": "datapact sample commerce v1",
            "parameters": {
                "rows": self.rows,
                "seed": self.seed,
                "as_of": self.as_of.isoformat(),
                "breaches": [b.spec for b in self.breaches],
            },
            "files": {
                f.name: {"table": f.table, "rows": f.rows, "columns": list(f.columns)}
                for f in self.files
            },
            "breaches": [asdict(b) for b in self.breaches],
            "tolerated": dict(self.tolerated),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

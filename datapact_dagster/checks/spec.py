"""Engine-neutral check specs: what a contract rule promises, not how an engine tests it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from datapact_dagster.contract.model import Operator, Severity


class CheckKind(StrEnum):
    """Every kind of check; each has one entry in the registry (checks.rules)."""

    schema = "schema"
    not_null = "not_null"
    unique = "unique"
    compound_unique = "compound_unique"
    between = "between"
    pattern = "pattern"
    length = "length"
    in_set = "in_set"
    null_values = "null_values"
    missing_values = "missing_values"
    invalid_values = "invalid_values"
    duplicate_values = "duplicate_values"
    row_count = "row_count"
    sql = "sql"
    custom = "custom"
    relationship = "relationship"
    freshness = "freshness"
    volume_anomaly = "volume_anomaly"
    null_rate_anomaly = "null_rate_anomaly"
    freshness_anomaly = "freshness_anomaly"


@dataclass(frozen=True)
class CheckSpec:
    key: str
    table: str
    asset_key: tuple[str, str]
    kind: CheckKind
    severity: Severity
    description: str
    doc_path: str
    contract_id: str
    contract_version: str
    column: str | None = None
    columns: tuple[str, ...] = ()
    operator: Operator | None = None
    unit: str = "rows"
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    @property
    def target(self) -> str:
        return self.column or "table"

    @property
    def counts_rows(self) -> bool:
        """Verdict is an operator applied to a count or percent (not the expectation's own)."""
        return self.operator is not None

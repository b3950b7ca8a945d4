"""The typed contract model the rest of DataPact works with (built from a validated document)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Layer(StrEnum):
    bronze = "bronze"
    silver = "silver"
    gold = "gold"


LAYER_ORDER = {Layer.bronze: 0, Layer.silver: 1, Layer.gold: 2}

Severity = Literal["error", "warning", "info"]
Status = Literal["draft", "active", "deprecated", "retired"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
"""The ODCS statuses in lifecycle order (a move to a later one is a step forward)."""
OperatorName = Literal[
    "mustBe",
    "mustNotBe",
    "mustBeGreaterThan",
    "mustBeGreaterOrEqualTo",
    "mustBeLessThan",
    "mustBeLessOrEqualTo",
    "mustBeBetween",
    "mustNotBeBetween",
]
OPERATOR_NAMES: tuple[str, ...] = OperatorName.__args__  # type: ignore[attr-defined]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Operator(_Frozen):
    name: OperatorName
    value: Any

    def holds(self, observed: float) -> bool:
        value = self.value
        match self.name:
            case "mustBe":
                return observed == value
            case "mustNotBe":
                return observed != value
            case "mustBeGreaterThan":
                return observed > value
            case "mustBeGreaterOrEqualTo":
                return observed >= value
            case "mustBeLessThan":
                return observed < value
            case "mustBeLessOrEqualTo":
                return observed <= value
            case "mustBeBetween":
                return value[0] <= observed <= value[1]
            case "mustNotBeBetween":
                return not value[0] <= observed <= value[1]
        raise AssertionError(self.name)

    def describe(self) -> str:
        symbols = {
            "mustBe": "=",
            "mustNotBe": "!=",
            "mustBeGreaterThan": ">",
            "mustBeGreaterOrEqualTo": ">=",
            "mustBeLessThan": "<",
            "mustBeLessOrEqualTo": "<=",
        }
        if self.name == "mustBeBetween":
            return f"between {self.value[0]} and {self.value[1]}"
        if self.name == "mustNotBeBetween":
            return f"not between {self.value[0]} and {self.value[1]}"
        return f"{symbols[self.name]} {self.value}"


class QualityRule(_Frozen):
    """One ODCS `quality` entry, at table level (column None) or on a column."""

    name: str | None = None
    description: str | None = None
    type: Literal["library", "sql", "custom"]
    metric: str | None = None
    arguments: dict[str, Any] = Field(default_factory=dict)
    unit: Literal["rows", "percent"] = "rows"
    operator: Operator | None = None
    query: str | None = None
    engine: str | None = None
    implementation: dict[str, Any] | None = None
    severity: Severity = "error"
    column: str | None = None
    doc_path: str


class Relationship(_Frozen):
    from_columns: tuple[str, ...]
    to_table: str
    to_columns: tuple[str, ...]
    doc_path: str


class ValueOptions(_Frozen):
    minimum: int | float | str | None = None
    maximum: int | float | str | None = None
    exclusive_minimum: int | float | str | None = None
    exclusive_maximum: int | float | str | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None


class Column(_Frozen):
    name: str
    logical_type: str
    physical_type: str | None = None
    description: str | None = None
    required: bool = False
    unique: bool = False
    primary_key: bool = False
    primary_key_position: int = -1
    classification: str | None = None
    tags: tuple[str, ...] = ()
    pii: bool = False
    options: ValueOptions = ValueOptions()
    enum_values: tuple[Any, ...] = ()
    quality: tuple[QualityRule, ...] = ()
    doc_path: str


class Freshness(_Frozen):
    column: str
    max_age: timedelta
    description: str | None = None
    doc_path: str


SlaFigure = Literal["timeToDetect", "timeToNotify", "timeToRepair"]
SLA_FIGURES: tuple[str, ...] = SlaFigure.__args__  # type: ignore[attr-defined]
"""ODCS v3.1's SLA property names for a breach episode's figures, in episode order."""


class SlaTarget(_Frozen):
    """An upper bound a contract declares for one figure of its breach episodes."""

    figure: SlaFigure
    limit: timedelta
    table: str | None = None
    """The table it binds (the `element`); None: every table of the contract."""
    description: str | None = None
    doc_path: str


AnomalyMetric = Literal["row_count", "row_delta", "null_rate", "freshness_lag"]
Direction = Literal["drop", "spike", "both"]
Seasonality = Literal["none", "weekday"]


class AnomalyMonitor(_Frozen):
    """A `customProperties` anomaly monitor: a metric judged against its own history."""

    metric: AnomalyMetric
    column: str | None = None
    """The column a null-rate monitor watches (None for table metrics)."""
    direction: Direction = "both"
    severity: Severity = "warning"
    history: int = 14
    """How many of the last accepted runs make the baseline."""
    min_history: int = 5
    """Runs needed before the monitor judges; below it, it passes while learning."""
    sensitivity: float = 3.0
    """k in median ± k·MAD (MAD scaled to a standard deviation)."""
    seasonality: Seasonality = "none"
    doc_path: str
    location: tuple[str | int, ...] = ()
    """The YAML path of the monitor's value, for findings raised after the table is read."""


class Consumer(_Frozen):
    team: str
    use_case: str | None = None
    columns: tuple[str, ...] = ()
    contact: str | None = None


class SupportChannel(_Frozen):
    channel: str
    tool: str | None = None
    url: str | None = None
    scope: str | None = None


class Replacement(_Frozen):
    """`customProperties.replacedBy`: the contract consumers of this one should move to."""

    contract_id: str
    doc_path: str


Grain = Literal["daily", "hourly"]


class Partitioning(_Frozen):
    """A table built and checked one time window at a time (docs/incremental.md)."""

    column: str
    """The timestamp or date column whose value places a row in its partition."""
    grain: Grain
    start: datetime
    """The first partition's start (naive UTC)."""
    doc_path: str


class Table(_Frozen):
    name: str
    layer: Layer
    physical_name: str
    description: str | None = None
    tags: tuple[str, ...] = ()
    columns: tuple[Column, ...]
    quality: tuple[QualityRule, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    freshness: Freshness | None = None
    monitors: tuple[AnomalyMonitor, ...] = ()
    partitioning: Partitioning | None = None
    sql_path: Path
    doc_path: str

    @property
    def asset_key(self) -> tuple[str, str]:
        return (self.layer.value, self.name)

    @property
    def primary_key(self) -> tuple[str, ...]:
        keyed = [c for c in self.columns if c.primary_key]
        return tuple(c.name for c in sorted(keyed, key=lambda c: c.primary_key_position))

    @property
    def pii_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.pii)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


class Contract(_Frozen):
    id: str
    name: str | None = None
    version: str
    status: Status
    api_version: str
    domain: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    team: str | None = None
    owners: tuple[str, ...]
    support: tuple[SupportChannel, ...] = ()
    consumers: tuple[Consumer, ...] = ()
    schedule: str | None = None
    check_schedule: str | None = None
    retirement_date: date | None = None
    """`customProperties.retirementDate`: when a deprecated contract is (or was) retired."""
    replaced_by: Replacement | None = None
    sla_targets: tuple[SlaTarget, ...] = ()
    """`slaProperties` timeToDetect / timeToNotify / timeToRepair."""
    tables: tuple[Table, ...]
    source_path: Path
    content_hash: str

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    @property
    def built_unattended(self) -> bool:
        """Built and checked by schedules, automation and recovery runs: active and deprecated
        contracts. A draft is built only on request; a retired one never."""
        return self.status in ("active", "deprecated")

    @property
    def retired(self) -> bool:
        """Neither built nor checked any more; its last published table stays in place."""
        return self.status == "retired"


class ContractSet(_Frozen):
    """All contracts of a project, validated together (cross-file rules hold)."""

    contracts: tuple[Contract, ...]
    root: Path

    @property
    def tables(self) -> tuple[tuple[Contract, Table], ...]:
        return tuple((c, t) for c in self.contracts for t in c.tables)

    @property
    def published_relations(self) -> dict[str, str]:
        """Table name -> the physical relation consumers read (e.g. 'orders' -> 'silver.orders')."""
        return {t.name: t.physical_name for _, t in self.tables}

    def find_table(self, name: str) -> tuple[Contract, Table] | None:
        return next(((c, t) for c, t in self.tables if t.name == name), None)

    def by_asset_key(self, key: tuple[str, str]) -> tuple[Contract, Table] | None:
        return next(((c, t) for c, t in self.tables if t.asset_key == key), None)

    def contract(self, contract_id: str) -> Contract | None:
        return next((c for c in self.contracts if c.id == contract_id), None)

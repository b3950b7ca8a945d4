"""What the registry holds for one check kind, and the types its pieces are written in."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.checks.suite_dialect import SuiteDialect
from datapact_dagster.contract.model import Column, Operator, QualityRule, Severity, Table
from datapact_dagster.contract.odcs_quality import Level

Expectation = tuple[str, dict[str, Any]]
"""A GX expectation: its type and kwargs."""


class Engine(StrEnum):
    gx = "gx"
    """Compiled into the table's Great Expectations suite."""
    native = "native"
    """Evaluated by DataPact itself with SQL (checks/native.py): needs the clock or the catalog."""
    history = "history"
    """Judged after the other checks, from the run's metrics against the table's own history
    (monitoring/anomaly.py): no query of its own."""


class Source(StrEnum):
    """What a kind is compiled from. A table compiles in this order: the table itself, then
    each column (its declared properties, then its quality rules), then the table's keys and
    relationships, then the table's quality rules, then its SLA, then its anomaly monitors.
    Kinds of one source compile in CheckKind order."""

    table = "table"
    column = "column"
    quality = "quality"
    keys = "keys"
    sla = "sla"
    monitors = "monitors"


@dataclass(frozen=True)
class RuleSource:
    """The part of a contract table one kind compiles from."""

    table: Table
    column: Column | None = None
    rule: QualityRule | None = None
    compiled: int = 0
    """Checks the table already compiled to (an unnamed sql rule is named after it)."""


@dataclass(frozen=True)
class Draft:
    """A check spec before it is keyed and stamped with its contract and table."""

    rule: str
    """The rule's name; the check key is `<table>__<column or 'table'>__<slug(rule)>`."""
    description: str
    doc_path: str
    column: str | None = None
    columns: tuple[str, ...] = ()
    severity: Severity = "error"
    operator: Operator | None = None
    unit: str = "rows"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuiteContext:
    """What an expectation builder may know besides the spec."""

    dialect: SuiteDialect
    published: Mapping[str, str]
    """Contract table name -> the relation consumers read (relationships join it)."""


Compiler = Callable[[RuleSource], list[Draft]]
ExpectationBuilder = Callable[[CheckSpec, SuiteContext], Expectation]
Threshold = Callable[[CheckSpec], str | None]
ColumnsNeeded = Callable[[CheckSpec], list[str]]
RelationsRead = Callable[[CheckSpec, Mapping[str, str]], list[str] | None]


def batch_only(spec: CheckSpec, published: Mapping[str, str]) -> list[str] | None:
    """A check reading nothing but the relation it checks."""
    return []


def anything(spec: CheckSpec, published: Mapping[str, str]) -> list[str] | None:
    """A check running a query a contract writes: it may read any relation."""
    return None


def spec_columns(spec: CheckSpec) -> list[str]:
    """The column and the columns a spec names."""
    return ([spec.column] if spec.column else []) + list(spec.columns)


def operator_or(bare: Callable[[CheckSpec], str | None]) -> Threshold:
    """A threshold naming the allowed count or share of failing rows when the rule has an
    operator, else `bare(spec)`."""

    def threshold(spec: CheckSpec) -> str | None:
        if spec.operator is not None:
            return spec.operator.describe() + ("%" if spec.unit == "percent" else " rows")
        return bare(spec)

    return threshold


rows_threshold = operator_or(lambda spec: "0 rows")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "rule"


def key_part(column: str) -> str:
    """A column name as it appears in a check key (a Dagster name: letters, digits, `_`):
    unchanged when it fits (`UniqueID`), else each run of other characters as `_`
    (`Data Value` -> `Data_Value`)."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", column)


@dataclass(frozen=True)
class RuleKind:
    """Everything DataPact knows about one check kind, from ODCS to the check's summary."""

    kind: CheckKind
    odcs_source: str
    """Where in an ODCS document the rule is written."""
    levels: frozenset[Level]
    """Where it is allowed: on the table, on a column, or both."""
    source: Source
    compile: Compiler
    """The drafts (zero or more) one source compiles to."""
    engine: Engine = Engine.gx
    expectation: ExpectationBuilder | None = None
    """The GX expectation a spec builds; None exactly for native kinds."""
    threshold: Threshold = rows_threshold
    """What the rule allows, e.g. '<= 5%' or '0 rows' (None when it has no threshold)."""
    failing_rows: str | None = None
    """Summary phrase for the rows that fail, formatted with t (target), th (threshold),
    regex and parent; None when the outcome is not a row count (row_count, sql, custom,
    native kinds), which describe.py summarises by its own function."""
    required_columns: ColumnsNeeded = spec_columns
    """The relation columns a check reads (a check is skipped when one is missing)."""
    other_relations: RelationsRead = batch_only
    """The relations a check reads besides the one it checks, given the published relation of
    each contract table; None when that cannot be known (a check step reading only small
    tables runs with fewer limits)."""
    odcs_type: str | None = None
    """For quality-rule kinds: the rule's ODCS `type` (library, sql, custom)."""
    odcs_metric: str | None = None
    """For library-metric kinds: the rule's ODCS `metric`."""

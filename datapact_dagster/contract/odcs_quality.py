"""The ODCS quality vocabulary DataPact can run: rule types, and library metrics with their levels.

This is the ODCS side of the rule kinds. The check registry (`checks.rules`) binds each entry
to the check kind it compiles to, and fails at import when the two disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Level(StrEnum):
    """Where in a table schema object a rule may be written."""

    table = "table"
    column = "column"


LIBRARY = "library"
SQL = "sql"
CUSTOM = "custom"
EXECUTABLE_RULE_TYPES = (LIBRARY, SQL, CUSTOM)
"""Values of a quality rule's `type` that DataPact compiles to a check ('text' is not one)."""

GX_ENGINE = "great-expectations"
"""The only `engine` a `type: custom` rule may name."""

LIBRARY_METRICS: Mapping[str, frozenset[Level]] = MappingProxyType(
    {
        "nullValues": frozenset({Level.column}),
        "missingValues": frozenset({Level.column}),
        "invalidValues": frozenset({Level.column}),
        "duplicateValues": frozenset({Level.table, Level.column}),
        "rowCount": frozenset({Level.table}),
    }
)
"""Each ODCS library metric DataPact runs, and the levels it is allowed at."""

METRIC_LIST = ", ".join(LIBRARY_METRICS)
"""The metric names as they are listed in a finding's fix."""


def metrics_at(level: Level) -> tuple[str, ...]:
    return tuple(metric for metric, levels in LIBRARY_METRICS.items() if level in levels)


V3_0_LIBRARY_RULES: Mapping[str, str] = MappingProxyType(
    {
        "nullCheck": "nullValues",
        "duplicateCount": "duplicateValues",
        "validValues": "invalidValues",
        "rowCount": "rowCount",
        "countCheck": "rowCount",
    }
)
"""ODCS v3.0 library rules (`rule:`) and the v3.1 metric each one is."""
V3_0_ZERO_BY_DEFAULT = frozenset({"nullCheck", "duplicateCount", "validValues"})
"""v3.0 rules that mean "none" when written without an operator (e.g. `rule: nullCheck`)."""

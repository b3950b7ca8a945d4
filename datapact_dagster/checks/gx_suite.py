"""Check specs -> a Great Expectations 1.x expectation suite, as a plain JSON-able dict.

No GX import here: the suite is data, deterministic for the same specs and dialect, and loads
with `gx.ExpectationSuite(**suite)` wherever GX is available. Each kind's expectation is built
by its registry entry (`checks.rules`); what depends on the warehouse is in `SuiteDialect`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.metadata import version
from typing import Any

from datapact_dagster.checks.rules import REGISTRY, Engine
from datapact_dagster.checks.rules.expectations import (
    OBSERVED_ALIAS,
    UNEXPECTED_ROWS,
    UNIQUE,
    row_count_bounds,
)
from datapact_dagster.checks.rules.kind import SuiteContext
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.checks.suite_dialect import suite_dialect

__all__ = ["OBSERVED_ALIAS", "UNEXPECTED_ROWS", "build_suite", "row_count_bounds"]


@cache
def _gx_version() -> str:
    """Read from the installed package's metadata once per process (a file read each time)."""
    return version("great_expectations")


def build_suite(
    table_name: str,
    specs: list[CheckSpec],
    dialect: str,
    published: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The GX suite for every GX-engine spec of one table, in spec order.

    `dialect` is the SQLAlchemy dialect name of the warehouse (see `suite_dialect`);
    `published` maps a contract table name to the relation consumers read (for relationships).
    """
    context = SuiteContext(dialect=suite_dialect(dialect), published=published or {})
    expectations = []
    for spec in specs:
        rule = REGISTRY[spec.kind]
        if rule.engine is not Engine.gx:
            continue
        assert rule.expectation is not None  # the registry verifies it at import
        expectation_type, kwargs = rule.expectation(spec, context)
        expectations.append(
            {
                "type": expectation_type,
                "kwargs": kwargs,
                "meta": {
                    "datapact_key": spec.key,
                    "severity": spec.severity,
                    "contract_id": spec.contract_id,
                    "contract_version": spec.contract_version,
                },
            }
        )
    return {
        "name": f"datapact.{table_name}",
        "expectations": expectations,
        "suite_parameters": {},
        "meta": {
            "great_expectations_version": _gx_version(),
            "datapact_dialect": dialect,
        },
        "notes": None,
    }


def relations_read(
    specs: list[CheckSpec], relation: str, published: Mapping[str, str]
) -> list[str] | None:
    """What the suite's queries read: the relation and what each kind reads besides it
    (a relationship's parent); None when a check may read anything (a rule's own SQL)."""
    reads = [relation]
    for spec in specs:
        other = REGISTRY[spec.kind].other_relations(spec, published)
        if other is None:
            return None
        reads.extend(other)
    return reads


def unique_columns(suite: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns whose every row a unique expectation of `suite` groups (no row condition):
    their distinct counts come with the check where the warehouse counts them
    (`unique_check_counts_keys`, warehouse/key_counts.py)."""
    found: dict[str, None] = {}
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        column = kwargs.get("column")  # a custom rule's kwargs may lack it, GX then refuses it
        whole = not kwargs.get("row_condition")
        if expectation["type"] == UNIQUE and isinstance(column, str) and whole:
            found[column] = None
    return tuple(found)

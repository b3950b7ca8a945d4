"""The project plan: every contract table with its checks and GX suite, compiled once per process.

A run, the Dagster definitions and the commands all read the same plan, so a table's specs, the
suite its audit runs and that suite's digest (recorded as evidence) are computed in one place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.gx_suite import build_suite
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.contract.model import Contract, ContractSet, Table
from datapact_dagster.plan.graph import DependencyGraph, build_graph
from datapact_dagster.plan.loading import require_contracts
from datapact_dagster.settings import Settings


@dataclass(frozen=True)
class PlannedSuite:
    """The GX suite a table's audit runs on one warehouse dialect, and its digest (evidence)."""

    suite: dict[str, Any]
    digest: str


@dataclass(frozen=True)
class TablePlan:
    contract: Contract
    table: Table
    specs: tuple[CheckSpec, ...]
    published: Mapping[str, str]
    _suites: dict[str, PlannedSuite] = field(default_factory=dict, compare=False, repr=False)

    def suite_for(self, dialect: str) -> PlannedSuite:
        """The suite for `dialect` (sqlglot name), built on first use and then reused."""
        if dialect not in self._suites:
            suite = build_suite(self.table.name, list(self.specs), dialect, self.published)
            digest = hashlib.sha256(json.dumps(suite, sort_keys=True).encode()).hexdigest()
            self._suites[dialect] = PlannedSuite(suite, digest)
        return self._suites[dialect]


def plan_table(contracts: ContractSet, contract: Contract, table: Table) -> TablePlan:
    specs = tuple(compile_table_checks(contract, table))
    return TablePlan(contract, table, specs, contracts.published_relations)


@dataclass(frozen=True)
class Project:
    settings: Settings
    contracts: ContractSet
    plans: tuple[TablePlan, ...]

    def plan_for(self, table_name: str) -> TablePlan:
        return next(p for p in self.plans if p.table.name == table_name)

    @cached_property
    def graph(self) -> DependencyGraph:
        """The dependency graph to the column, built on first use."""
        return build_graph(self.contracts)


def plan_project(settings: Settings, contracts: ContractSet) -> Project:
    plans = tuple(plan_table(contracts, c, t) for c, t in contracts.tables)
    return Project(settings=settings, contracts=contracts, plans=plans)


@cache
def load_project() -> Project:
    settings = Settings.from_env()
    return plan_project(settings, require_contracts(settings.project_dir))

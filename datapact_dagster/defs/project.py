"""The project's contracts and check specs, loaded once per process for the Dagster definitions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.checks.spec import CheckSpec
from datapact_dagster.contract.loader import require_contracts
from datapact_dagster.contract.model import Contract, ContractSet, Table
from datapact_dagster.settings import Settings


@dataclass(frozen=True)
class TablePlan:
    contract: Contract
    table: Table
    specs: tuple[CheckSpec, ...]


@dataclass(frozen=True)
class Project:
    settings: Settings
    contracts: ContractSet
    plans: tuple[TablePlan, ...]

    def plan_for(self, table_name: str) -> TablePlan:
        return next(p for p in self.plans if p.table.name == table_name)


@cache
def load_project() -> Project:
    settings = Settings.from_env()
    contracts = require_contracts(settings.project_dir)
    plans = tuple(
        TablePlan(contract=c, table=t, specs=tuple(compile_table_checks(c, t)))
        for c, t in contracts.tables
    )
    return Project(settings=settings, contracts=contracts, plans=plans)

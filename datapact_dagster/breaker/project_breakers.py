"""The breakers of a loaded DataPact project: its tables, their checks and their dependencies.

A retired contract's tables have no breaker: they are neither built nor checked any more, so
nothing they last recorded opens, holds or alerts (and nothing may depend on them)."""

from __future__ import annotations

import dagster as dg

from datapact_dagster.breaker.read import Breakers, ContractTable, read_breakers
from datapact_dagster.breaker.state import AssetPath
from datapact_dagster.plan.dependencies import upstream_tables
from datapact_dagster.plan.project import Project


def contract_tables(project: Project) -> list[ContractTable]:
    return [
        ContractTable(contract=p.contract, table=p.table, specs=p.specs)
        for p in project.plans
        if not p.contract.retired
    ]


def table_dependencies(project: Project) -> dict[AssetPath, frozenset[AssetPath]]:
    """Each table's direct upstream tables: the deps its Dagster asset declares."""
    return {
        p.table.asset_key: frozenset(
            t.asset_key for t in upstream_tables(project.contracts, p.table)
        )
        for p in project.plans
        if not p.contract.retired
    }


def read_project_breakers(instance: dg.DagsterInstance, project: Project) -> Breakers:
    return read_breakers(instance, contract_tables(project), table_dependencies(project))

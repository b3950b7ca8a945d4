"""Dagster asset and check specs from a contract table: everything the UI shows before a run."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.catalog.model import page_name
from datapact_dagster.contract.lifecycle import lifecycle_note
from datapact_dagster.contract.model import ContractSet, Table
from datapact_dagster.defs.automation import build_condition
from datapact_dagster.defs.partitions import partitions_def_for
from datapact_dagster.plan.dependencies import upstream_tables
from datapact_dagster.plan.graph import DependencyGraph
from datapact_dagster.plan.lineage_markdown import column_lineage_markdown
from datapact_dagster.plan.project import TablePlan

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def asset_key(table: Table) -> dg.AssetKey:
    return dg.AssetKey(list(table.asset_key))


def column_schema(table: Table) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.physical_type or c.logical_type,
                description=c.description,
                constraints=dg.TableColumnConstraints(
                    nullable=not (c.required or c.primary_key),
                    unique=c.unique or (table.primary_key == (c.name,)),
                ),
                tags={"pii": ""} if c.pii else {},
            )
            for c in table.columns
        ]
    )


def owners(plan: TablePlan) -> list[str]:
    found = [o for o in plan.contract.owners if _EMAIL.match(o)]
    if plan.contract.team:
        found.append(f"team:{re.sub(r'[^A-Za-z0-9_-]', '-', plan.contract.team)}")
    return found


def code_version(plan: TablePlan) -> str:
    sql = plan.table.sql_path.read_bytes()
    return hashlib.sha256(plan.contract.content_hash.encode() + sql).hexdigest()[:16]


def build_asset_spec(
    plan: TablePlan,
    contract_set: ContractSet,
    warehouse_kind: str,
    graph: DependencyGraph,
    catalog_dir: Path,
) -> dg.AssetSpec:
    table, contract = plan.table, plan.contract
    freshness = (
        dg.FreshnessPolicy.time_window(fail_window=table.freshness.max_age)
        if table.freshness and not contract.retired
        else None
    )
    tags = {
        "layer": table.layer.value,
        "pii": str(bool(table.pii_columns)).lower(),
        mk.CONTRACT_STATUS_TAG: contract.status,
    }
    if contract.domain:
        tags["domain"] = re.sub(r"[^A-Za-z0-9_.-]", "-", contract.domain)
    root = contract_set.root
    metadata: dict[str, object] = {
        "dagster/column_schema": column_schema(table),
        "dagster/table_name": table.physical_name,
        mk.CONTRACT_ID: contract.id,
        mk.CONTRACT_VERSION: contract.version,
        mk.CONTRACT_STATUS: contract.status,
        mk.CONTRACT_PATH: dg.MetadataValue.path(str(contract.source_path)),
        mk.SQL_PATH: dg.MetadataValue.path(str(table.sql_path.relative_to(root))),
        mk.CHECKS: len(plan.specs),
        mk.BLOCKING_CHECKS: sum(1 for s in plan.specs if s.blocking),
        mk.CATALOG_PAGE: dg.MetadataValue.path(str(catalog_dir / page_name(contract.id))),
        mk.COLUMN_LINEAGE: dg.MetadataValue.md(column_lineage_markdown(graph, table.physical_name)),
    }
    note = lifecycle_note(contract)
    if note:
        metadata[mk.LIFECYCLE] = note
    if contract.consumers:
        metadata[mk.CONSUMERS] = dg.MetadataValue.md(
            "\n".join(
                f"- **{c.team}**: {c.use_case or ''} ({', '.join(c.columns)})"
                for c in contract.consumers
            )
        )
    description = "\n\n".join(
        filter(
            None,
            [
                f"**{note[0].upper()}{note[1:]}.**" if note else None,
                table.description,
                contract.description,
                f"Contract `{contract.id}` v{contract.version} ({contract.status}).",
            ],
        )
    )
    return dg.AssetSpec(
        key=asset_key(table),
        deps=[asset_key(t) for t in upstream_tables(contract_set, table)],
        description=description,
        owners=owners(plan),
        kinds={"sql", warehouse_kind},
        tags=tags,
        group_name=table.layer.value,
        code_version=code_version(plan),
        metadata=metadata,
        freshness_policy=freshness,
        automation_condition=build_condition(contract) if contract.built_unattended else None,
        skippable=True,
        partitions_def=partitions_def_for(table),
    )


def build_check_specs(plan: TablePlan) -> list[dg.AssetCheckSpec]:
    """One Dagster check per contract check.

    Blocking is DataPact's, not Dagster's: a failed blocking check quarantines the delivery and
    holds the tables below, and the step ends. Dagster's own blocking flag would fail the step
    and the run, and Dagster then reports every check of the held tables as a failed execution
    though their data was never judged. The description says which checks block.
    """
    return [
        dg.AssetCheckSpec(
            name=spec.key,
            asset=asset_key(plan.table),
            description=(
                f"[{spec.severity}{', blocking' if spec.blocking else ''}] {spec.description}"
            ),
            metadata={
                mk.SEVERITY: spec.severity,
                mk.CHECK_KIND: spec.kind.value,
                mk.CONTRACT_PATH: spec.doc_path,
                mk.BLOCKING: spec.blocking,
            },
            partitions_def=partitions_def_for(plan.table),
        )
        for spec in plan.specs
    ]

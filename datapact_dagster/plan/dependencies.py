"""Which contract tables a table depends on: the tables its SQL reads, plus relationship targets,
and which upstream columns each of its columns is computed from."""

from __future__ import annotations

from datapact_dagster.contract.model import ContractSet, Table
from datapact_dagster.warehouse.lineage import column_lineage
from datapact_dagster.warehouse.sql_parse import table_refs
from datapact_dagster.warehouse.types import sql_type_of


def upstream_tables(contract_set: ContractSet, table: Table) -> list[Table]:
    """Tables read by the SQL, plus relationship targets (their keys are checked first)."""
    sql = table.sql_path.read_text(encoding="utf-8")
    names = [r.qualified for r in table_refs(sql)]
    names += [
        t.physical_name
        for rel in table.relationships
        if (hit := contract_set.find_table(rel.to_table))
        for t in [hit[1]]
    ]
    by_name = {t.physical_name: t for _, t in contract_set.tables}
    return [by_name[n] for n in dict.fromkeys(names) if n in by_name and n != table.physical_name]


def column_sources(
    contract_set: ContractSet, table: Table
) -> dict[str, list[tuple[tuple[str, str], str]]]:
    """For each column of `table`, the (upstream asset key, upstream column) pairs its SQL
    computes it from. Upstream tables are found by their physicalName (`schema.table`), so a
    table kept under its real name maps to its own asset key; an unqualified relation is left
    out (sqlglot's schema needs one depth)."""
    schema: dict[str, dict[str, dict[str, str]]] = {}
    asset_keys: dict[str, tuple[str, str]] = {}
    for upstream in upstream_tables(contract_set, table):
        db, _, name = upstream.physical_name.rpartition(".")
        if not db:
            continue
        schema.setdefault(db, {})[name] = {
            c.name: sql_type_of(c.logical_type) for c in upstream.columns
        }
        asset_keys[upstream.physical_name] = upstream.asset_key
    if not schema:
        return {}
    sql = table.sql_path.read_text(encoding="utf-8")
    traced = column_lineage(sql, [c.name for c in table.columns], schema)
    return {
        column: [(asset_keys[relation], name) for relation, name in pairs if relation in asset_keys]
        for column, pairs in traced.items()
    }

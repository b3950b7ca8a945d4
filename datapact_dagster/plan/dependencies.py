"""Which contract tables a table depends on: the tables its SQL reads, plus relationship targets
(column lineage is in `plan.graph`)."""

from __future__ import annotations

from datapact_dagster.contract.model import ContractSet, Table
from datapact_dagster.warehouse.sql_parse import table_refs


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

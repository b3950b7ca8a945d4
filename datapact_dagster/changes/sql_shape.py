"""A table whose SQL changed must still produce the columns and types its contract declares."""

from __future__ import annotations

from datapact_dagster.changes.locate import Locator
from datapact_dagster.changes.model import PolicyFinding
from datapact_dagster.contract.model import Contract, Table
from datapact_dagster.warehouse.query_shape import QueryShapeError, query_columns
from datapact_dagster.warehouse.sql_parse import SqlParseError, table_refs
from datapact_dagster.warehouse.types import sql_type_of, type_compatible


def declared_relations(contracts: list[Contract]) -> dict[str, list[tuple[str, str]]]:
    """Each contract table's relation and its declared columns with their SQL types."""
    return {
        table.physical_name: [(c.name, sql_type_of(c.logical_type)) for c in table.columns]
        for contract in contracts
        for table in contract.tables
    }


def check_sql_shape(
    contract: Contract,
    table: Table,
    sql: str,
    sql_file: str,
    relations: dict[str, list[tuple[str, str]]],
    locator: Locator,
) -> list[PolicyFinding]:
    """Findings for a changed SQL file: each difference between what it produces and what the
    contract declares is an error naming the SQL file, the column and the contract line."""
    where = {"contract_id": contract.id, "file": sql_file}
    try:
        reads = [ref.qualified for ref in table_refs(sql)]
    except SqlParseError as exc:
        return [PolicyFinding("error", "sql-shape", f"{sql_file}: {exc}", line=exc.line, **where)]
    unknown = [name for name in reads if name not in relations and name != table.physical_name]
    if unknown:
        return [
            PolicyFinding(
                "warning",
                "sql-unplanned",
                f"{sql_file} changed; its shape cannot be derived: it reads "
                f"{', '.join(unknown)}, which no contract declares",
                fix="check the columns it produces against "
                f"{locator.file}:{locator.line(table.doc_path)} by hand",
                **where,
            )
        ]
    try:
        produced = query_columns(sql, {name: relations[name] for name in reads})
    except QueryShapeError as exc:
        return [
            PolicyFinding(
                "error",
                "sql-shape",
                f"{sql_file} cannot be planned over the declared upstream columns: {exc}",
                fix="make the SQL read only columns the upstream contracts declare",
                **where,
            )
        ]
    return _compare_shape(contract, table, produced, sql_file, locator)


def _compare_shape(
    contract: Contract,
    table: Table,
    produced: list[tuple[str, str]],
    sql_file: str,
    locator: Locator,
) -> list[PolicyFinding]:
    where = {"contract_id": contract.id, "file": sql_file}
    findings: list[PolicyFinding] = []
    declared = {c.name.casefold(): c for c in table.columns}
    produced_names = {name.casefold() for name, _ in produced}
    properties = f"{table.doc_path}.properties"
    for name, sql_type in produced:
        column = declared.get(name.casefold())
        if column is None:
            findings.append(
                PolicyFinding(
                    "error",
                    "sql-shape",
                    f"{sql_file} produces column {name} ({sql_type}), which "
                    f"{locator.file} does not declare for {table.name}",
                    fix=f"declare {name} in {locator.file}:{locator.line(properties)} "
                    "(and bump the version), or drop it from the SQL",
                    **where,
                )
            )
        elif not type_compatible(column.logical_type, sql_type):
            at = locator.line(f"{column.doc_path}.logicalType")
            findings.append(
                PolicyFinding(
                    "error",
                    "sql-shape",
                    f"{sql_file} produces {name} as {sql_type}, but {locator.file}:{at} "
                    f"declares it {column.logical_type}",
                    fix=f"change logicalType at {locator.file}:{at} (and bump the version), "
                    f"or cast {name} in the SQL",
                    **where,
                )
            )
    for column in table.columns:
        if column.name.casefold() not in produced_names:
            at = locator.line(column.doc_path)
            findings.append(
                PolicyFinding(
                    "error",
                    "sql-shape",
                    f"{sql_file} no longer produces {column.name}, which {locator.file}:{at} "
                    f"declares for {table.name}",
                    fix=f"remove the column at {locator.file}:{at} (a breaking change: major "
                    "bump), or produce it in the SQL",
                    **where,
                )
            )
    if not findings:
        findings.append(
            PolicyFinding(
                "info",
                "sql-changed",
                f"{sql_file} changed; it produces the {len(produced)} columns "
                f"{locator.file} declares",
                **where,
            )
        )
    return findings

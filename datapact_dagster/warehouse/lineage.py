"""Column lineage of a table's SQL, derived by sqlglot from the upstream contracts' columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import lineage

from datapact_dagster.warehouse.sql_parse import SOURCE_DIALECT, parse_select

Schema = Mapping[str, Mapping[str, Mapping[str, str]]]
"""{schema: {table: {column: type}}} of the relations a query may read."""


def column_lineage(
    sql: str, columns: Sequence[str], schema: Schema
) -> dict[str, list[tuple[str, str]]]:
    """For each output column, the (`schema.table`, column) pairs it is computed from.

    Columns sqlglot cannot trace (e.g. `SELECT *` over an unknown relation) are left out.
    """
    tree = parse_select(sql)
    result: dict[str, list[tuple[str, str]]] = {}
    for column in columns:
        try:
            node = lineage(column, tree, schema=schema, dialect=SOURCE_DIALECT)
        except (SqlglotError, KeyError, ValueError):
            continue
        sources: list[tuple[str, str]] = []
        for leaf in node.walk():
            if leaf.downstream or not isinstance(leaf.source, exp.Table):
                continue
            table = leaf.source
            declared = schema.get(table.db, {}).get(table.name, {})
            pair = (f"{table.db}.{table.name}", _declared_name(leaf.name, declared))
            if table.db and pair not in sources:
                sources.append(pair)
        if sources:
            result[column] = sources
    return result


def _declared_name(traced: str, declared: Mapping[str, str]) -> str:
    """The upstream column as its contract names it: sqlglot reports a column normalised
    (`"site name"` for `"Site Name"`), so it is matched back regardless of case and quotes."""
    bare = traced.split(".")[-1]
    unquoted = bare[1:-1].replace('""', '"') if bare.startswith('"') else bare
    if unquoted in declared:
        return unquoted
    folded = unquoted.casefold()
    return next((name for name in declared if name.casefold() == folded), unquoted)

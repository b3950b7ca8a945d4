"""Column lineage of a table's SQL, derived by sqlglot from the upstream contracts' columns.

Two kinds of dependency come out of a query: the columns each output column's *value* is
computed from, and the columns that decide which *rows* exist (joins, filters, grouping,
window partitions feeding a filter). A column sqlglot cannot trace is reported with the reason,
never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import lineage
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from datapact_dagster.warehouse.sql_parse import SOURCE_DIALECT, parse_select

Schema = Mapping[str, Mapping[str, Mapping[str, str]]]
"""{schema: {table: {column: type}}} of the relations a query may read."""

SourceColumn = tuple[str, str]
"""(`schema.table`, column) of a relation the query reads."""

_ROW_CLAUSES = (exp.Where, exp.Join, exp.Group, exp.Having, exp.Qualify)


@dataclass(frozen=True)
class QueryLineage:
    columns: dict[str, list[SourceColumn]] = field(default_factory=dict)
    """Output column -> the source columns its value is computed from (may be empty, e.g.
    `COUNT(*)` or a constant: traced, but computed from no column)."""
    rows: list[SourceColumn] = field(default_factory=list)
    """Source columns that decide which rows the query returns (join keys, filters, groups)."""
    untraced: dict[str, str] = field(default_factory=dict)
    """Output column -> why sqlglot could not trace it."""


def trace_query(sql: str, columns: Sequence[str], schema: Schema) -> QueryLineage:
    tree = parse_select(sql)
    traced = QueryLineage()
    for column in columns:
        try:
            node = lineage(column, tree, schema=schema, dialect=SOURCE_DIALECT)
        except (SqlglotError, KeyError, ValueError) as error:
            traced.untraced[column] = _reason(error)
            continue
        sources: list[SourceColumn] = []
        for leaf in node.walk():
            if leaf.downstream or not isinstance(leaf.source, exp.Table):
                continue
            pair = _source_column(leaf.source, leaf.name, schema)
            if pair is not None and pair not in sources:
                sources.append(pair)
        traced.columns[column] = sources
    traced.rows.extend(_row_columns(tree, schema))
    return traced


def column_lineage(
    sql: str, columns: Sequence[str], schema: Schema
) -> dict[str, list[SourceColumn]]:
    """For each output column traced to at least one source column, those source columns."""
    return {c: s for c, s in trace_query(sql, columns, schema).columns.items() if s}


def _row_columns(tree: exp.Expression, schema: Schema) -> list[SourceColumn]:
    try:
        qualified = qualify(
            tree.copy(), schema=schema, dialect=SOURCE_DIALECT, validate_qualify_columns=False
        )
        scopes = traverse_scope(qualified)
    except (SqlglotError, KeyError, ValueError):
        return []
    found: list[SourceColumn] = []
    for scope in scopes:
        for column in scope.columns:
            if not isinstance(column.find_ancestor(*_ROW_CLAUSES, exp.Select), _ROW_CLAUSES):
                continue
            for pair in _resolve(scope.sources.get(column.table), column.name, schema):
                if pair not in found:
                    found.append(pair)
    return found


def _resolve(source: object, name: str, schema: Schema) -> list[SourceColumn]:
    if isinstance(source, exp.Table):
        pair = _source_column(source, name, schema)
        return [pair] if pair else []
    if not isinstance(source, Scope):
        return []
    try:
        node = lineage(name, source.expression, schema=schema, dialect=SOURCE_DIALECT)
    except (SqlglotError, KeyError, ValueError):
        return []
    return [
        pair
        for leaf in node.walk()
        if not leaf.downstream and isinstance(leaf.source, exp.Table)
        if (pair := _source_column(leaf.source, leaf.name, schema))
    ]


def _source_column(table: exp.Table, traced: str, schema: Schema) -> SourceColumn | None:
    if not table.db:
        return None
    declared = schema.get(table.db, {}).get(table.name, {})
    return f"{table.db}.{table.name}", _declared_name(traced, declared)


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"sqlglot could not trace it ({text})"


def _declared_name(traced: str, declared: Mapping[str, str]) -> str:
    """The upstream column as its contract names it: sqlglot reports a column normalised
    (`"site name"` for `"Site Name"`), so it is matched back regardless of case and quotes."""
    bare = traced.split(".")[-1]
    unquoted = bare[1:-1].replace('""', '"') if bare.startswith('"') else bare
    if unquoted in declared:
        return unquoted
    folded = unquoted.casefold()
    return next((name for name in declared if name.casefold() == folded), unquoted)

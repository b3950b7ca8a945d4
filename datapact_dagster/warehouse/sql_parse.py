"""SQL parsing with sqlglot: the tables a model reads, and dialect transpiling."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

SOURCE_DIALECT = "duckdb"


class SqlParseError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class TableRef:
    schema: str
    name: str
    line: int

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@lru_cache(maxsize=256)
def parse_select(sql: str) -> exp.Expression:
    try:
        statements = [s for s in sqlglot.parse(sql, read=SOURCE_DIALECT) if s is not None]
    except ParseError as exc:
        info = exc.errors[0] if exc.errors else {}
        raise SqlParseError(
            str(info.get("description") or exc),
            int(info.get("line") or 1),
            int(info.get("col") or 1),
        ) from exc
    if len(statements) != 1:
        raise SqlParseError(f"expected one SELECT statement, found {len(statements)}", 1, 1)
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        raise SqlParseError(f"expected a SELECT query, found {statement.key.upper()}", 1, 1)
    return statement


def _line_of(sql: str, table: exp.Table) -> int:
    meta = table.this.meta if isinstance(table.this, exp.Identifier) else {}
    return int(meta.get("line", 1))


def table_refs(sql: str) -> list[TableRef]:
    """Physical tables a query reads (CTE names excluded), in order of first appearance."""
    tree = parse_select(sql)
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    seen: dict[str, TableRef] = {}
    for table in tree.find_all(exp.Table):
        if not table.name or (not table.db and table.name in cte_names):
            continue
        ref = TableRef(schema=table.db, name=table.name, line=_line_of(sql, table))
        seen.setdefault(ref.qualified, ref)
    return list(seen.values())


def selects_whole_table(sql: str) -> TableRef | None:
    """The one table a query returns unchanged (`SELECT * FROM schema.t`, nothing else: no
    filter, join, alias, sample, grouping, ordering, limit or DISTINCT); None otherwise."""
    tree = parse_select(sql)
    if not isinstance(tree, exp.Select) or len(tree.expressions) != 1:
        return None
    star = tree.expressions[0]
    if not isinstance(star, exp.Star) or any(star.args.values()):
        return None
    clauses = {key for key, value in tree.args.items() if value}
    source = tree.args.get("from_") or tree.args.get("from")
    if clauses != {"expressions", "from_" if "from_" in tree.args else "from"}:
        return None
    table = source.this if isinstance(source, exp.From) else None
    if not isinstance(table, exp.Table) or not table.db:
        return None
    if {key for key, value in table.args.items() if value} != {"this", "db"}:
        return None
    return TableRef(schema=table.db, name=table.name, line=_line_of(sql, table))


def transpile(sql: str, dialect: str) -> str:
    """Rewrite a query written in DataPact's source dialect (DuckDB) for `dialect`."""
    if dialect == SOURCE_DIALECT:
        return sql
    return parse_select(sql).sql(dialect=dialect)

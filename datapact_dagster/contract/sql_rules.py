"""What the SQL of a quality rule may do: read its table and other contract tables, nothing else.

A rule's query runs inside the warehouse with DataPact's connection, so a rule that could read a
file (`read_csv('/etc/passwd')`, `FROM '/etc/passwd'`), the network, settings or extensions would
copy what it read into check summaries, the evidence and reports. Two lists decide:

- what a rule may READ is an allow-list: `{object}`, the rule's own common table expressions,
  subqueries, VALUES and UNNEST, and the contract tables of the project (checked project-wide in
  `cross_rules`, since only the whole project knows its tables). Any other relation, a table
  function, a file path or URL used as a table, or a name in another database is refused. The
  set of legitimate relations is known exactly, so nothing a rule needs is lost.
- which FUNCTIONS a rule may call is a deny-list of the families that reach outside the data
  (files, network, extensions, settings, environment, other databases, sequences). Each warehouse
  has hundreds of scalar functions and authors use dialect ones, so an allow-list would refuse
  ordinary rules; the warehouse session (external access off) is the second line behind it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlglot import exp

from datapact_dagster.warehouse.dialects import outside_function_prefixes
from datapact_dagster.warehouse.sql_parse import SOURCE_DIALECT, SqlParseError, parse_select

OBJECT_TABLE = "datapact_rule_object"
"""What `{object}` is replaced with before a rule's query is parsed."""
PLACEHOLDER = re.compile(r"\{([A-Za-z_]*)\}")

_STATEMENT_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Into",
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "Command",
        "Copy",
        "Pragma",
        "Set",
        "Use",
        "Attach",
        "Detach",
        "Install",
        "Export",
        "Transaction",
        "Commit",
        "Rollback",
        "LoadData",
        "Analyze",
        "Grant",
        "Revoke",
        "Refresh",
        "TruncateTable",
        "Kill",
    )
    if hasattr(exp, name)
)
_DENIED_PREFIXES = (
    "read_",
    "json_execute",
    "http",
    "s3",
    "load_",
    "install_",
    *outside_function_prefixes(),
)
_DENIED_NAMES = frozenset(
    {
        "glob",
        "query",
        "query_table",
        "getenv",
        "current_setting",
        "set_config",
        "which_secret",
        "copy",
        "nextval",
        "setval",
        "currval",
        "lastval",
    }
)
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


@dataclass(frozen=True)
class SqlProblem:
    """Why a rule's query is refused."""

    message: str
    fix: str
    code: str = "sql-unsafe"
    needle: str = ""
    """The offending name as written, to find its line in a file."""


@dataclass(frozen=True)
class ReadTable:
    """A named relation a rule reads besides `{object}` and its own CTEs."""

    qualified: str


def substitute_placeholders(query: str) -> str:
    """The query with `{object}` and `{property}` replaced by parseable names."""
    return PLACEHOLDER.sub(
        lambda m: OBJECT_TABLE if m.group(1) == "object" else f"datapact_rule_{m.group(1)}", query
    )


def function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def is_denied_function(name: str) -> bool:
    return name in _DENIED_NAMES or name.startswith(_DENIED_PREFIXES) or name.endswith("_scan")


@dataclass(frozen=True)
class _Reader:
    """Who runs the SQL, for the wording of a problem."""

    who: str
    may_read: str
    fix_read: str


RULE_READER = _Reader(
    "a rule",
    "{object} and the contract tables of the project",
    "read {object} or a contract table such as silver.orders",
)
TABLE_SQL_READER = _Reader(
    "table SQL",
    "the landing files DataPact exposes (landing.<name>) and contract tables",
    "read landing.<name> or a contract table such as bronze.raw_orders",
)


def _relation_problem(table: exp.Table, reader: _Reader) -> SqlProblem | None:
    if not isinstance(table.this, exp.Identifier):
        call = table.this.sql(dialect=SOURCE_DIALECT)[:80]
        return SqlProblem(
            f"the query reads from a table function ({call}); {reader.who} may read only "
            f"{reader.may_read}",
            reader.fix_read,
        )
    if not _PLAIN_NAME.match(table.name):
        return SqlProblem(
            f"the query uses {table.name[:80]!r} as a table: a file path or URL is not a table, "
            f"and {reader.who} may not read files or the network",
            reader.fix_read,
        )
    if table.catalog:
        return SqlProblem(
            f"the query reads {table.sql(dialect=SOURCE_DIALECT)[:80]} from another database",
            reader.fix_read,
        )
    return None


def check_rule_sql(query: str) -> tuple[list[SqlProblem], list[ReadTable]]:
    """Problems of a rule's query that need no project knowledge, and the named tables it reads
    (other than `{object}` and its CTEs), which the project-wide rules resolve."""
    try:
        tree = parse_select(substitute_placeholders(query))
    except SqlParseError as exc:
        return [
            SqlProblem(
                f"the query does not parse: {exc}",
                "write one SELECT returning a single number",
                "sql-parse",
            )
        ], []
    problems = unsafe_sql(tree, RULE_READER, "write one SELECT returning a single number")
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    reads: dict[str, ReadTable] = {}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier) or not _PLAIN_NAME.match(table.name):
            continue
        if table.catalog or (not table.db and table.name in cte_names | {OBJECT_TABLE}):
            continue
        qualified = f"{table.db}.{table.name}" if table.db else table.name
        reads.setdefault(qualified, ReadTable(qualified))
    return problems, list(reads.values())


def unsafe_sql(tree: exp.Expression, reader: _Reader, fix_statement: str) -> list[SqlProblem]:
    """What in a parsed SELECT writes, changes state, calls outside the data, or reads a table
    function, a file path or another database."""
    problems: list[SqlProblem] = []
    for node in tree.walk():
        if isinstance(node, _STATEMENT_NODES):
            problems.append(
                SqlProblem(
                    f"the query contains {node.key.upper()}, which writes or changes state; "
                    f"{reader.who} is one SELECT that only reads",
                    fix_statement,
                    needle=node.key,
                )
            )
        elif isinstance(node, exp.Func) and is_denied_function(function_name(node)):
            problems.append(
                SqlProblem(
                    f"the query calls {function_name(node)}(), which can reach files, the "
                    "network, extensions, settings or other databases",
                    f"read only {reader.may_read}",
                    needle=function_name(node),
                )
            )
        elif isinstance(node, exp.Table) and (problem := _relation_problem(node, reader)):
            called = node.this if isinstance(node.this, exp.Func) else None
            if called is None or not is_denied_function(function_name(called)):
                problems.append(replace(problem, needle=node.name or node.sql()))
    return problems


def check_table_sql(sql: str) -> list[SqlProblem]:
    """Problems of the SELECT that builds a table (already parsed once by the caller): it may
    read landing files DataPact exposes and contract tables, and call nothing outside the data."""
    try:
        tree = parse_select(sql)
    except SqlParseError:
        return []  # reported where the file is parsed for its table references
    return unsafe_sql(tree, TABLE_SQL_READER, "write a single SELECT")

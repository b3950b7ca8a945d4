"""Rules that need the whole project: unique names, resolvable references, SQL lineage, cycles."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path

from datapact_dagster.contract.findings import DocPath, Finding, format_doc_path
from datapact_dagster.contract.lifecycle import SqlRead, check_dependencies, check_replacements
from datapact_dagster.contract.model import LAYER_ORDER, Contract, Layer, Table
from datapact_dagster.contract.odcs_quality import SQL
from datapact_dagster.contract.partitioning import check_one_partitioning
from datapact_dagster.contract.sql_rules import check_rule_sql, check_table_sql
from datapact_dagster.warehouse.dialects import source_dialect
from datapact_dagster.warehouse.names import LANDING_SCHEMA
from datapact_dagster.warehouse.sql_parse import SqlParseError, table_refs

Positions = Mapping[Path, Mapping[DocPath, tuple[int, int]]]
TableRule = Callable[[Contract, Table, "SetReporter"], None]


class SetReporter:
    """Locates a project-wide finding at the contract line its document path points to."""

    def __init__(self, positions: Positions) -> None:
        self.by_text = {
            file: {format_doc_path(k): v for k, v in table.items()}
            for file, table in positions.items()
        }
        self.findings: list[Finding] = []

    def add(self, contract: Contract, doc_path: str, message: str, fix: str, code: str) -> None:
        table = self.by_text.get(contract.source_path, {})
        probe = doc_path
        while probe and probe not in table:
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        line, column = table.get(probe, (1, 1))
        self.findings.append(
            Finding(str(contract.source_path), line, column, doc_path, message, fix, code=code)
        )

    def add_sql(
        self, file: Path, line: int, column: int, message: str, fix: str, code: str
    ) -> None:
        self.findings.append(Finding(str(file), line, column, "", message, fix, code=code))


def check_contract_set(
    contracts: list[Contract],
    root: Path,
    positions: Positions,
    invalid_tables: Collection[str] = (),
    table_rules: Sequence[TableRule] = (),
) -> list[Finding]:
    """`invalid_tables`: physical names declared in files that did not build (already reported);
    references to them are not reported again as unknown. `table_rules` are rules of the layers
    above (e.g. unique check names) run on every table of the set."""
    report = SetReporter(positions)
    invalid_names = {name.partition(".")[2] or name for name in invalid_tables}
    by_id: dict[str, list[Contract]] = {}
    for contract in contracts:
        by_id.setdefault(contract.id, []).append(contract)
    for same in by_id.values():
        # Reported in every file involved, so validating any one of them shows it.
        for contract in same if len(same) > 1 else ():
            others = ", ".join(str(c.source_path) for c in same if c is not contract)
            report.add(
                contract,
                "id",
                f"contract id '{contract.id}' is also used by {others}",
                "give each contract its own id",
                "duplicate-id",
            )
    by_name: dict[str, list[tuple[Contract, Table]]] = {}
    for contract in contracts:
        for table in contract.tables:
            by_name.setdefault(table.name, []).append((contract, table))
    tables: dict[str, tuple[Contract, Table]] = {}
    for name, same in by_name.items():
        tables[name] = same[0]
        for contract, table in same if len(same) > 1 else ():
            for other_contract, other in same:
                if other is table:
                    continue
                clash = (
                    "physicalName" if other.physical_name == table.physical_name else ("table name")
                )
                report.add(
                    contract,
                    f"{table.doc_path}.physicalName",
                    f"{clash} '{table.physical_name}' clashes with "
                    f"'{other.physical_name}' in {other_contract.source_path}",
                    "table names must be unique across layers and files (they name the "
                    "checks); rename one",
                    "duplicate-table",
                )
    _one_table_per_relation(tables.values(), report)
    check_one_partitioning(tables.values(), report)
    for contract, table in tables.values():
        for rel in table.relationships:
            target = tables.get(rel.to_table)
            if target is None and rel.to_table in invalid_names:
                continue
            if target is None:
                report.add(
                    contract,
                    rel.doc_path,
                    f"relationship points to table '{rel.to_table}', which no contract declares",
                    f"use one of: {', '.join(sorted(tables))}",
                    "unresolved-reference",
                )
                continue
            missing = [c for c in rel.to_columns if target[1].column(c) is None]
            if missing:
                report.add(
                    contract,
                    rel.doc_path,
                    f"relationship points to {rel.to_table}.{missing[0]}, which "
                    f"{target[0].source_path} does not declare",
                    f"use a column of {rel.to_table}: "
                    f"{', '.join(c.name for c in target[1].columns)}",
                    "unresolved-reference",
                )
        for rule in table_rules:
            rule(contract, table, report)
    by_physical = {t.physical_name: (c, t) for c, t in tables.values()}
    for contract, table in tables.values():
        _check_rule_reads(contract, table, set(by_physical) | set(invalid_tables), report)
    graph: dict[str, list[str]] = {}
    reads: list[SqlRead] = []
    for contract, table in tables.values():
        graph[table.physical_name] = []
        if not table.sql_path.is_file():
            continue
        shown = (
            table.sql_path.relative_to(root)
            if table.sql_path.is_relative_to(root)
            else (table.sql_path)
        )
        try:
            sql = table.sql_path.read_text(encoding="utf-8")
            refs = table_refs(sql)
        except SqlParseError as exc:
            report.add_sql(
                shown,
                exc.line,
                exc.column,
                f"the SQL does not parse: {exc}",
                f"write a single SELECT in {source_dialect().display_name} SQL",
                "sql-parse",
            )
            continue
        except UnicodeDecodeError:
            report.add_sql(shown, 1, 1, "the SQL file is not UTF-8", "save it as UTF-8", "encoding")
            continue
        for problem in check_table_sql(sql):
            line = _line_of(sql, problem.needle)
            report.add_sql(shown, line, 1, problem.message, problem.fix, problem.code)
        for ref in refs:
            if ref.schema == LANDING_SCHEMA:
                if table.layer is not Layer.bronze:
                    report.add_sql(
                        shown,
                        ref.line,
                        1,
                        f"{table.physical_name} reads landing data ({ref.qualified})",
                        "only bronze tables load landing files; read the bronze table instead",
                        "layer-order",
                    )
                continue
            upstream = by_physical.get(ref.qualified)
            if upstream is None and ref.qualified in invalid_tables:
                continue
            if upstream is None:
                report.add_sql(
                    shown,
                    ref.line,
                    1,
                    f"reads {ref.qualified}, which no contract declares",
                    "write a contract for it or read a declared table: "
                    f"{', '.join(sorted(by_physical))}",
                    "unknown-table",
                )
                continue
            if LAYER_ORDER[upstream[1].layer] > LAYER_ORDER[table.layer]:
                report.add_sql(
                    shown,
                    ref.line,
                    1,
                    f"{table.layer.value} table {table.physical_name} reads "
                    f"{ref.qualified} from a later layer",
                    "data flows bronze -> silver -> gold; read an earlier layer",
                    "layer-order",
                )
            graph[table.physical_name].append(ref.qualified)
            reads.append(SqlRead(contract, table, shown, ref.line, ref.qualified))
    check_dependencies(tables, reads, report)
    check_replacements(contracts, report)
    for contract, table in tables.values():
        for rel in table.relationships:
            target = tables.get(rel.to_table)
            if target and table.physical_name in _reachable(graph, target[1].physical_name):
                report.add(
                    contract,
                    rel.doc_path,
                    f"relationship to {target[1].physical_name} conflicts with the SQL "
                    f"lineage: {target[1].physical_name} is built from "
                    f"{table.physical_name}, so its keys cannot be checked first",
                    "point the relationship at an upstream table, or drop it",
                    "relationship-lineage",
                )
    for cycle in _cycles(graph):
        contract, table = by_physical[cycle[0]]
        report.add(
            contract,
            f"{table.doc_path}.physicalName",
            f"dependency cycle: {' -> '.join([*cycle, cycle[0]])}",
            "break the cycle: a table cannot (indirectly) read itself",
            "cycle",
        )
    return report.findings


def _one_table_per_relation(tables: Iterable[tuple[Contract, Table]], report: SetReporter) -> None:
    """Two tables (under different names) must not build the same relation."""
    by_relation: dict[str, list[tuple[Contract, Table]]] = {}
    for contract, table in tables:
        by_relation.setdefault(table.physical_name, []).append((contract, table))
    for relation, same in by_relation.items():
        for contract, table in same if len(same) > 1 else ():
            other_contract, other = next((c, t) for c, t in same if t is not table)
            report.add(
                contract,
                f"{table.doc_path}.physicalName",
                f"physicalName '{relation}' is also the relation of table '{other.name}' in "
                f"{other_contract.source_path}",
                "each table builds its own relation: give one of them another physicalName",
                "duplicate-table",
            )


def _check_rule_reads(
    contract: Contract, table: Table, contract_tables: set[str], report: SetReporter
) -> None:
    """A sql rule may read `{object}` and contract tables; any other named relation is refused."""
    for rule in (*table.quality, *(r for c in table.columns for r in c.quality)):
        if rule.type != SQL or not rule.query:
            continue
        for read in check_rule_sql(rule.query)[1]:
            if read.qualified in contract_tables:
                continue
            report.add(
                contract,
                f"{rule.doc_path}.query",
                f"the query reads {read.qualified}, which is not a contract table; a rule may "
                "read only {object} and the contract tables of the project",
                "read {object}, or a contract table named <layer>.<table>: "
                + ", ".join(sorted(contract_tables)),
                "unknown-table",
            )


def _reachable(graph: dict[str, list[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in graph.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt) :])
            elif nxt in graph and state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node)
    return found


def _line_of(text: str, needle: str) -> int:
    """The first line holding `needle` (any case), else 1."""
    at = text.lower().find(needle.lower()) if needle else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else 1

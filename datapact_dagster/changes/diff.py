"""The facade: two sides (refs, the working tree, files) compared into a `DiffReport`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from datapact_dagster.changes.compare import compare_contracts
from datapact_dagster.changes.locate import Locator
from datapact_dagster.changes.model import ContractDiff, DiffReport, PolicyFinding
from datapact_dagster.changes.sides import Side, load_file_side, load_side
from datapact_dagster.changes.sql_shape import check_sql_shape, declared_relations
from datapact_dagster.changes.versions import version_findings
from datapact_dagster.contract.findings import Finding
from datapact_dagster.contract.model import Contract


class InvalidSide(Exception):
    """A side holds an invalid contract; `findings` say where (file:line)."""

    def __init__(self, label: str, findings: list[Finding]) -> None:
        self.label = label
        self.findings = findings
        super().__init__(f"the contracts at {label} are invalid ({len(findings)} problem(s))")


def diff_sides(
    old: Side,
    new: Side,
    only: Callable[[Contract], bool] | None = None,
    *,
    track_moves: bool = True,
) -> DiffReport:
    """Every contract of either side (matched by `id`) compared; `only` keeps some of them."""
    for side in (old, new):
        if not side.valid:
            raise InvalidSide(side.label, side.findings)
    ids = list(dict.fromkeys([*sorted(new.contracts), *sorted(old.contracts)]))
    relations = declared_relations(list(new.contracts.values()))
    diffs: list[ContractDiff] = []
    for contract_id in ids:
        before, after = old.contracts.get(contract_id), new.contracts.get(contract_id)
        if only is not None and not any(c is not None and only(c) for c in (before, after)):
            continue
        diff = _diff_contract(old, new, before, after, relations, track_moves)
        if diff.changes or diff.findings:
            diffs.append(diff)
    diffs.sort(key=lambda d: d.file)
    return DiffReport(base=old.label, head=new.label, contracts=tuple(diffs))


def _diff_contract(
    old_side: Side,
    new_side: Side,
    old: Contract | None,
    new: Contract | None,
    relations: dict[str, list[tuple[str, str]]],
    track_moves: bool,
) -> ContractDiff:
    some = new or old
    assert some is not None
    old_loc = old_side.locators.get(some.id) if old else None
    new_loc = new_side.locators.get(some.id) if new else None
    changes = compare_contracts(old, new, old_loc, new_loc, track_moves=track_moves)
    need, moved, lenient, findings = version_findings(old, new, changes)
    if new is not None and new_loc is not None:
        findings = [replace(f, line=new_loc.line("version")) for f in findings]
        findings += _sql_findings(old_side, new_side, old, new, relations, new_loc)
    elif old is not None and old_loc is not None:
        findings = [replace(f, line=old_loc.line("id")) for f in findings]
    return ContractDiff(
        contract_id=some.id,
        old_file=str(old.source_path) if old else None,
        new_file=str(new.source_path) if new else None,
        old_version=old.version if old else None,
        new_version=new.version if new else None,
        old_status=old.status if old else None,
        new_status=new.status if new else None,
        changes=tuple(changes),
        findings=tuple(findings),
        required_bump=need,
        actual_bump=moved,
        lenient_reason=lenient,
    )


def _sql_findings(
    old_side: Side,
    new_side: Side,
    old: Contract | None,
    new: Contract,
    relations: dict[str, list[tuple[str, str]]],
    locator: Locator,
) -> list[PolicyFinding]:
    findings: list[PolicyFinding] = []
    for table in new.tables:
        sql = new_side.sql_text(table)
        if sql is None:
            continue
        before = None
        if old is not None:
            old_table = old.table(table.name) or next(
                (t for t in old.tables if t.physical_name == table.physical_name), None
            )
            before = old_side.sql_text(old_table) if old_table else None
        if before == sql:
            continue
        findings += check_sql_shape(
            new, table, sql, new_side.sql_display(table), relations, locator
        )
    return findings


def diff_projects(
    old_label: str,
    old_root: Path,
    new_label: str,
    new_root: Path,
    only: Callable[[Contract], bool] | None = None,
) -> DiffReport:
    """Two project folders (each with contracts/ and sql/) compared."""
    return diff_sides(load_side(old_label, old_root), load_side(new_label, new_root), only)


def diff_files(old_file: Path, new_file: Path, root: Path) -> DiffReport:
    """Two contract files compared on their own; SQL paths are looked up under `root`."""
    return diff_sides(
        load_file_side(str(old_file), old_file, root),
        load_file_side(str(new_file), new_file, root),
        track_moves=False,
    )

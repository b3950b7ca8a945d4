"""A contract's lifecycle: its retirement date and replacement (`customProperties`), the rules
on them, and the rule that nothing depends on a draft or a retired contract.

What each status means when the pipeline runs is documented in docs/contracts.md ("Statuses").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datapact_dagster.contract.findings import DocPath, FindingCollector, format_doc_path
from datapact_dagster.contract.model import Contract, Replacement, Table

if TYPE_CHECKING:
    from datapact_dagster.contract.cross_rules import SetReporter

RETIREMENT_DATE = "retirementDate"
REPLACED_BY = "replacedBy"
ANNOUNCING_STATUSES = ("deprecated", "retired")
"""The statuses that may name a retirement date and a replacement."""
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Lifecycle:
    retirement_date: date | None = None
    replaced_by: Replacement | None = None


def read_lifecycle(
    custom: Mapping[str, Any], index_of: Mapping[str, int], status: Any, out: FindingCollector
) -> Lifecycle:
    """The retirement date and replacement of one contract; `index_of` maps a custom property
    key to its place in the `customProperties` list (for the finding's line)."""
    found = Lifecycle()
    for key in (RETIREMENT_DATE, REPLACED_BY):
        if key not in custom:
            continue
        path: DocPath = ("customProperties", index_of[key], "value")
        if status not in ANNOUNCING_STATUSES:
            out.add(
                ("customProperties", index_of[key], "property"),
                f"{key} is set on a contract whose status is {status}: it is announced to "
                "consumers only while the contract is deprecated",
                f"set 'status: deprecated' to announce the retirement, or remove {key}",
                code="lifecycle",
            )
        elif key == RETIREMENT_DATE:
            found = Lifecycle(_retirement_date(custom[key], path, out), found.replaced_by)
        else:
            found = Lifecycle(found.retirement_date, _replacement(custom[key], path, out))
    return found


def _retirement_date(value: Any, path: DocPath, out: FindingCollector) -> date | None:
    text = value if isinstance(value, str) else None
    try:
        if text is not None and _ISO_DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    out.add(
        path,
        f"retirementDate {value!r} is not a date",
        "write the planned retirement date as YYYY-MM-DD, e.g. 2026-12-31",
        code="lifecycle",
    )
    return None


def _replacement(value: Any, path: DocPath, out: FindingCollector) -> Replacement | None:
    if isinstance(value, str) and value.strip():
        return Replacement(contract_id=value.strip(), doc_path=format_doc_path(path))
    out.add(
        path,
        f"replacedBy {value!r} is not a contract id",
        "write the id of the contract consumers should move to, e.g. commerce.orders_v2",
        code="lifecycle",
    )
    return None


def check_replacements(contracts: Iterable[Contract], report: SetReporter) -> None:
    """`replacedBy` names another contract of the project that consumers can depend on."""
    contracts = list(contracts)
    by_id = {c.id: c for c in contracts}
    for contract in contracts:
        if contract.replaced_by is None:
            continue
        target_id = contract.replaced_by.contract_id
        target = by_id.get(target_id)
        where = contract.replaced_by.doc_path
        if target is None:
            usable = sorted(c.id for c in contracts if c.built_unattended and c is not contract)
            close = difflib.get_close_matches(target_id, usable, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            report.add(
                contract,
                where,
                f"replacedBy names contract '{target_id}', which no contract of the project has",
                f"{hint}use the id of an active contract in contracts/: "
                f"{', '.join(usable) or '(none yet)'}",
                "lifecycle",
            )
        elif target is contract:
            report.add(
                contract,
                where,
                f"replacedBy names this contract itself ('{target_id}')",
                "name the contract that takes over from this one",
                "lifecycle",
            )
        elif not target.built_unattended:
            report.add(
                contract,
                where,
                f"replacedBy names '{target_id}', whose status is {target.status}: consumers "
                "cannot move to it (nothing may depend on a draft or retired contract)",
                f"make '{target_id}' active first, or name an active contract",
                "lifecycle",
            )


@dataclass(frozen=True)
class SqlRead:
    """One relation a table's SQL reads, at a line of its SQL file."""

    contract: Contract
    table: Table
    file: Path
    line: int
    relation: str


def check_dependencies(
    tables: Mapping[str, tuple[Contract, Table]], reads: Iterable[SqlRead], report: SetReporter
) -> None:
    """A table may depend (through its SQL or a relationship) on a draft only when it is a draft
    or retired itself, and on a retired table only when it is retired too."""
    by_physical = {t.physical_name: (c, t) for c, t in tables.values()}
    for read in reads:
        upstream = by_physical.get(read.relation)
        problem = _dependency_problem(read.contract, upstream[0]) if upstream else None
        if problem:
            report.add_sql(
                read.file,
                read.line,
                1,
                f"{read.table.physical_name} reads {read.relation}, {problem[0]}",
                problem[1],
                "lifecycle-dependency",
            )
    for contract, table in tables.values():
        for rel in table.relationships:
            target = tables.get(rel.to_table)
            problem = _dependency_problem(contract, target[0]) if target else None
            if target and problem:
                report.add(
                    contract,
                    rel.doc_path,
                    f"relationship to {target[1].physical_name}, {problem[0]}",
                    problem[1],
                    "lifecycle-dependency",
                )


def _dependency_problem(dependent: Contract, upstream: Contract) -> tuple[str, str] | None:
    """(what is wrong, the fix) when `dependent` must not depend on `upstream`, else None."""
    if dependent is upstream or dependent.retired:
        return None
    if upstream.status == "draft" and dependent.status != "draft":
        return (
            f"whose contract {upstream.id} is a draft: a draft is built only on request and "
            f"may change at any time, so {dependent.status} contract {dependent.id} cannot "
            "depend on it",
            f"make {upstream.id} active first (status: active), make {dependent.id} a draft "
            "too, or stop depending on it",
        )
    if upstream.retired:
        return (
            f"whose contract {upstream.id} is retired: it is no longer built, so "
            f"{dependent.id} would read frozen data",
            f"read {_replacement_of(upstream)} instead, or retire {dependent.id} too",
        )
    return None


def _replacement_of(contract: Contract) -> str:
    if contract.replaced_by is None:
        return "the contract that replaces it"
    return f"the tables of {contract.replaced_by.contract_id}, which replaces it"


def lifecycle_note(contract: Contract) -> str | None:
    """One line on what the status means for a table's readers, or None for an active one:
    'deprecated: retires on 2026-12-31, use crm.contacts_v2'."""
    use = f", use {contract.replaced_by.contract_id}" if contract.replaced_by else ""
    when = contract.retirement_date
    match contract.status:
        case "deprecated":
            retires = f"retires on {when.isoformat()}" if when else "no retirement date yet"
            return f"deprecated: {retires}{use}"
        case "retired":
            on = f" on {when.isoformat()}" if when else ""
            instead = f"; use {contract.replaced_by.contract_id}" if contract.replaced_by else ""
            return (
                f"retired{on}: not built or checked any more, its last published data stays "
                f"in place{instead}"
            )
        case "draft":
            return "draft: built and checked only on request, never on a schedule"
    return None

"""One side of a diff: the contracts of a project folder (or one file), with their lines."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from datapact_dagster.changes.locate import Locator
from datapact_dagster.contract.build import build_contract
from datapact_dagster.contract.findings import Finding, FindingCollector
from datapact_dagster.contract.model import Contract, Table
from datapact_dagster.contract.odcs_schema import validate_against_odcs
from datapact_dagster.contract.yaml_source import read_source
from datapact_dagster.plan.loading import load_contracts

_NO_CONTRACTS = ("no-contracts", "not-found")


@dataclass
class Side:
    """`root` holds contracts/ and sql/ as they are on this side; `label` names the side."""

    label: str
    root: Path
    contracts: dict[str, Contract] = field(default_factory=dict)
    locators: dict[str, Locator] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def sql_text(self, table: Table) -> str | None:
        return table.sql_path.read_text(encoding="utf-8") if table.sql_path.is_file() else None

    def sql_display(self, table: Table) -> str:
        try:
            return str(table.sql_path.relative_to(self.root.resolve()))
        except ValueError:
            return str(table.sql_path)


def locator_for(root: Path, display: Path) -> Locator:
    out = FindingCollector(display)
    source = read_source(root / display, out)
    if source is None:
        return Locator(str(display), {})
    return Locator.from_positions(str(display), source.positions, source.data)


def load_side(label: str, root: Path) -> Side:
    """Every contract under `root`/contracts, validated with the project's rules; a side with
    no contracts folder is empty (e.g. a ref from before the project had contracts)."""
    side = Side(label, root)
    if not (root / "contracts").is_dir():
        return side
    result = load_contracts(None, root)
    if result.contracts is None:
        side.findings = [f for f in result.findings if f.code not in _NO_CONTRACTS]
        return side
    side.findings = [f for f in result.findings if f.severity == "error"]
    for contract in result.contracts.contracts:
        side.contracts[contract.id] = contract
        side.locators[contract.id] = locator_for(root, contract.source_path)
    return side


def load_file_side(label: str, file: Path, root: Path) -> Side:
    """One contract file on its own (rules across files are not applied); its tables' SQL is
    looked up under `root`."""
    side = Side(label, root)
    display = file if not file.is_absolute() else _relative(file, root)
    out = FindingCollector(display)
    source = read_source(file, out)
    contract = None
    if source is not None:
        broken = validate_against_odcs(source.data, out)
        digest = hashlib.sha256(source.text.encode()).hexdigest()
        contract = build_contract(source.data, display, root, out, digest, broken)
    side.findings = [f for f in out.findings if f.severity == "error"]
    if contract is not None and source is not None:
        side.contracts[contract.id] = contract
        side.locators[contract.id] = Locator.from_positions(
            str(display), source.positions, source.data
        )
    return side


def _relative(file: Path, root: Path) -> Path:
    try:
        return file.resolve().relative_to(root.resolve())
    except ValueError:
        return file

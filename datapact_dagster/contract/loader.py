"""Reading a project's contracts: every file read, every problem reported, one typed model out.

The facade that adds the rules of the layers above (check names) is `plan.loading`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from datapact_dagster.contract.build import build_contract
from datapact_dagster.contract.cross_rules import TableRule, check_contract_set
from datapact_dagster.contract.findings import Finding, FindingCollector
from datapact_dagster.contract.model import Contract, ContractSet
from datapact_dagster.contract.odcs_schema import validate_against_odcs
from datapact_dagster.contract.yaml_source import read_source

CONTRACT_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadResult:
    contracts: ContractSet | None
    findings: list[Finding] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.contracts is not None and not any(f.severity == "error" for f in self.findings)


def _display(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def discover(paths: list[Path], root: Path) -> tuple[list[Path], list[Finding]]:
    files: list[Path] = []
    findings: list[Finding] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in CONTRACT_SUFFIXES)
            if not found:
                findings.append(
                    Finding(
                        str(_display(path, root)),
                        1,
                        1,
                        "",
                        "the directory contains no contract (*.yaml, *.yml)",
                        "add ODCS contracts or point at another directory",
                        code="no-contracts",
                    )
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            findings.append(
                Finding(
                    str(path),
                    1,
                    1,
                    "",
                    "no such file or directory",
                    "check the path",
                    code="not-found",
                )
            )
    return files, findings


def read_contracts(
    paths: list[Path] | None = None,
    root: Path | None = None,
    table_rules: Sequence[TableRule] = (),
) -> LoadResult:
    """Validate and load contracts. Cross-file rules always see the whole project."""
    root = (root or Path.cwd()).resolve()
    project_files, project_findings = discover([root / "contracts"], root)
    if paths:
        selected, findings = discover(paths, root)
    else:
        selected, findings = project_files, project_findings
    selected_resolved = {p.resolve() for p in selected}
    universe = list(
        dict.fromkeys(
            [*selected, *(p for p in project_files if p.resolve() not in selected_resolved)]
        )
    )
    contracts: list[Contract] = []
    positions: dict[Path, dict[tuple[str | int, ...], tuple[int, int]]] = {}
    per_file: dict[Path, list[Finding]] = {}
    invalid_tables: set[str] = set()
    for file in universe:
        out = FindingCollector(_display(file, root))
        source = read_source(file, out)
        contract = None
        if source is not None:
            broken = validate_against_odcs(source.data, out)
            digest = hashlib.sha256(source.text.encode()).hexdigest()
            contract = build_contract(source.data, out.file, root, out, digest, broken)
        per_file[file.resolve()] = out.findings
        if contract is not None:
            contracts.append(contract)
        elif source is not None and isinstance(source.data.get("schema"), list):
            invalid_tables.update(
                str(obj.get("physicalName"))
                for obj in source.data["schema"]
                if isinstance(obj, dict) and obj.get("physicalName")
            )
        if source is not None:
            positions[out.file] = source.positions
    cross = check_contract_set(contracts, root, positions, invalid_tables, table_rules)
    for file in selected:
        findings.extend(per_file[file.resolve()])
    selected_display = {str(_display(p, root)) for p in selected}
    # Findings in a SQL file belong to the contract whose table that SQL builds.
    selected_display |= {
        str(_display(t.sql_path, root))
        for c in contracts
        if str(c.source_path) in selected_display
        for t in c.tables
    }
    findings.extend(f for f in cross if f.file in selected_display)
    other_broken = [
        p
        for p in universe
        if p.resolve() not in selected_resolved
        and any(f.severity == "error" for f in per_file[p.resolve()])
    ]
    hidden_cross = [f for f in cross if f.file not in selected_display and f.severity == "error"]
    ok = (
        not any(f.severity == "error" for f in findings)
        and not other_broken
        and not any(f.severity == "error" for f in cross)
    )
    contract_set = (
        ContractSet(
            contracts=tuple(
                c for c in contracts if any(c.source_path == _display(p, root) for p in selected)
            ),
            root=root,
        )
        if ok
        else None
    )
    if not ok and not any(f.severity == "error" for f in findings):
        if other_broken:
            findings.append(
                Finding(
                    str(_display(other_broken[0], root)),
                    1,
                    1,
                    "",
                    "another contract of the project is invalid",
                    "run 'datapact validate' on the whole contracts/ folder",
                )
            )
        elif hidden_cross:
            first = hidden_cross[0]
            findings.append(
                Finding(
                    first.file,
                    first.line,
                    first.column,
                    first.path,
                    f"another file of the project is invalid: {first.message}",
                    first.fix,
                    code=first.code,
                )
            )
    return LoadResult(contracts=contract_set, findings=findings, files=selected)

"""Loading a project's contracts with every rule, including the ones on their compiled checks."""

from __future__ import annotations

from pathlib import Path

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.contract.cross_rules import SetReporter
from datapact_dagster.contract.findings import Finding
from datapact_dagster.contract.loader import LoadResult, read_contracts
from datapact_dagster.contract.model import Contract, ContractSet, Table

__all__ = ["ContractLoadError", "LoadResult", "load_contracts", "require_contracts"]


class ContractLoadError(Exception):
    """Raised by `require_contracts` when the project's contracts are not valid."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        rendered = "\n".join(f.render() for f in findings)
        super().__init__(f"{len(findings)} problem(s) in the contracts:\n{rendered}")


def unique_check_names(contract: Contract, table: Table, report: SetReporter) -> None:
    """Two rules of one table must not compile to the same check name (the Dagster check key)."""
    keys: dict[str, str] = {}
    for spec in compile_table_checks(contract, table):
        if spec.key in keys:
            report.add(
                contract,
                spec.doc_path,
                f"two rules produce the same check name '{spec.key}' (also {keys[spec.key]})",
                "give one of the rules a distinct 'name'",
                "duplicate-check",
            )
        keys.setdefault(spec.key, spec.doc_path)


def load_contracts(paths: list[Path] | None = None, root: Path | None = None) -> LoadResult:
    """Validate and load contracts; cross-file rules always see the whole project."""
    return read_contracts(paths, root, table_rules=(unique_check_names,))


def require_contracts(root: Path | None = None) -> ContractSet:
    result = load_contracts(None, root)
    if result.contracts is None:
        raise ContractLoadError(result.findings)
    return result.contracts

"""What changed since the contract version runs were made under before this one: read from the
contract texts the evidence store keeps, so it works wherever the runs happened, git or not."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from datapact_dagster.changes.compare import compare_contracts
from datapact_dagster.changes.model import Bump, Change
from datapact_dagster.changes.sides import load_file_side, locator_for
from datapact_dagster.changes.versions import required_bump
from datapact_dagster.contract.model import Contract
from datapact_dagster.evidence.contract_archive import ArchivedContract, previous_version

MAX_LISTED_CHANGES = 25


@dataclass(frozen=True)
class VersionChange:
    contract_id: str
    previous_version: str
    version: str
    changes: tuple[Change, ...]
    required_bump: Bump

    def lines(self, details: Callable[[Change], list[str]] | None = None) -> list[str]:
        """One line per change (`breaking: column_removed: ...`), each followed by
        `details(change)` when given (e.g. who a breaking change affects)."""
        lines: list[str] = []
        for change in self.changes[:MAX_LISTED_CHANGES]:
            lines.append(f"{change.klass.value}: {change.kind}: {change.message}")
            lines += details(change) if details else []
        if len(self.changes) > MAX_LISTED_CHANGES:
            lines.append(f"... and {len(self.changes) - MAX_LISTED_CHANGES} more")
        return lines or ["no change DataPact reads (the version moved only)"]

    def markdown(self) -> str:
        head = (
            f"**{self.previous_version} → {self.version}** "
            f"({self.required_bump.value} change by its content)"
        )
        return "\n".join([head, "", *(f"- {line}" for line in self.lines())])


def changes_since_previous(
    engine: Engine, contract: Contract, root: Path, version: str | None = None
) -> VersionChange | None:
    """The changes from the previous version runs were made under (or from `version`); None
    when there is none (a first version) or it cannot be read back."""
    previous = previous_version(engine, contract.id, contract.content_hash, version)
    return None if previous is None else changes_from(previous, contract, root)


def changes_from(
    previous: ArchivedContract, contract: Contract, root: Path
) -> VersionChange | None:
    """The changes from a kept contract text to `contract`; None if that text no longer loads."""
    with tempfile.TemporaryDirectory(prefix="datapact-previous-") as tmp:
        file = Path(tmp) / Path(contract.source_path).name
        file.write_text(previous.text, encoding="utf-8")
        side = load_file_side(f"version {previous.version}", file, root)
        old = next(iter(side.contracts.values()), None) if side.valid else None
    if old is None:
        return None
    changes = tuple(
        compare_contracts(old, contract, None, locator_for(root, Path(contract.source_path)))
    )
    return VersionChange(
        contract.id, previous.version, contract.version, changes, required_bump(changes)
    )

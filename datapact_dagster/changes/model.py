"""What a contract diff reports: changes with their class and place, version findings, impact.

Plain frozen dataclasses: the renderers and the alert read them, and the impact of a breaking
change is attached afterwards (`attach_impact`) by whoever knows the dependency graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from datapact_dagster.changes.kinds import KIND_CLASS, ChangeClass
from datapact_dagster.plan.impact import Impact

Severity = Literal["error", "warning", "info"]
Side = Literal["old", "new"]


class Bump(StrEnum):
    """How far a version moved (or must move)."""

    none = "none"
    patch = "patch"
    minor = "minor"
    major = "major"

    @property
    def rank(self) -> int:
        return _BUMP_ORDER.index(self)


_BUMP_ORDER = (Bump.none, Bump.patch, Bump.minor, Bump.major)
BUMP_FOR_CLASS = {
    ChangeClass.cosmetic: Bump.patch,
    ChangeClass.additive: Bump.minor,
    ChangeClass.breaking: Bump.major,
}


@dataclass(frozen=True)
class Change:
    """One change of one contract. `file`/`line` are in the new file, or in the old file when
    the thing was removed (`side == "old"`); `anchor_line` is then the nearest line of the new
    file (its table), where an annotation on a pull request can be shown."""

    kind: str
    contract_id: str
    table: str | None
    column: str | None
    doc_path: str
    file: str
    line: int
    side: Side
    message: str
    anchor_line: int | None = None
    impact: Impact | None = None

    @property
    def klass(self) -> ChangeClass:
        return KIND_CLASS[self.kind]

    @property
    def new_file_line(self) -> int | None:
        """The line in the new file to annotate (None when the contract is gone)."""
        return self.line if self.side == "new" else self.anchor_line


@dataclass(frozen=True)
class PolicyFinding:
    """A finding about a diff: the version, a SQL shape, an unplannable query."""

    severity: Severity
    code: str
    message: str
    contract_id: str | None = None
    file: str | None = None
    line: int | None = None
    fix: str = ""


@dataclass(frozen=True)
class ContractDiff:
    contract_id: str
    old_file: str | None
    new_file: str | None
    old_version: str | None
    new_version: str | None
    old_status: str | None
    new_status: str | None
    changes: tuple[Change, ...]
    findings: tuple[PolicyFinding, ...] = ()
    required_bump: Bump = Bump.none
    actual_bump: Bump | None = None
    lenient_reason: str | None = None
    """Why breaking changes are allowed without a major bump (draft status, 0.y.z), if so."""

    @property
    def file(self) -> str:
        return self.new_file or self.old_file or ""

    @property
    def highest_class(self) -> ChangeClass | None:
        return max((c.klass for c in self.changes), key=lambda k: k.rank, default=None)

    def count(self, klass: ChangeClass) -> int:
        return sum(1 for c in self.changes if c.klass == klass)


@dataclass(frozen=True)
class DiffReport:
    base: str
    head: str
    contracts: tuple[ContractDiff, ...]
    findings: tuple[PolicyFinding, ...] = field(default=())
    """Findings not tied to one contract."""
    file_prefix: str = ""
    """The project folder's path inside its repository (`""` at the top, else ending in `/`):
    file paths in the report are relative to the project, annotations need the repository's."""

    @property
    def all_findings(self) -> tuple[PolicyFinding, ...]:
        return (*self.findings, *(f for d in self.contracts for f in d.findings))

    @property
    def errors(self) -> tuple[PolicyFinding, ...]:
        return tuple(f for f in self.all_findings if f.severity == "error")

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(c for d in self.contracts for c in d.changes)

    def count(self, klass: ChangeClass) -> int:
        return sum(d.count(klass) for d in self.contracts)


def attach_impact(report: DiffReport, impact_of: Callable[[Change], Impact | None]) -> DiffReport:
    """The report with `impact_of(change)` set on each breaking change (renderers print it)."""
    contracts = tuple(
        replace(
            diff,
            changes=tuple(
                replace(change, impact=impact_of(change))
                if change.klass == ChangeClass.breaking
                else change
                for change in diff.changes
            ),
        )
        for diff in report.contracts
    )
    return replace(report, contracts=contracts)

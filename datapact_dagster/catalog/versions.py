"""The changes of each contract's latest version, for its catalog page: from the git history
when the project is in git, else from the contract texts the evidence store keeps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from datapact_dagster.changes.changelog import history
from datapact_dagster.changes.git_refs import GitError, Repo
from datapact_dagster.changes.model import Change
from datapact_dagster.changes.since_previous import changes_since_previous
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.evidence import EvidenceError, EvidenceStore, evidence_url


@dataclass(frozen=True)
class VersionNote:
    version: str
    previous_version: str | None
    changes: tuple[tuple[str, str, str], ...]
    """(class, kind, what changed) of each change from the previous version."""
    source: str
    """Where this comes from, e.g. `commit 1a2b3c4d5e by Ada on 2026-11-20: Drop country`."""


def latest_versions(contracts: ContractSet) -> dict[str, VersionNote]:
    """Contract id -> the note on its current version (absent: nothing known before it)."""
    notes = _from_git(contracts)
    missing = [c for c in contracts.contracts if c.id not in notes]
    if missing:
        notes.update(_from_runs(contracts, [c.id for c in missing]))
    return notes


def _from_git(contracts: ContractSet) -> dict[str, VersionNote]:
    try:
        entries = history(Repo.of(contracts.root))
    except GitError:
        return {}
    current = {c.id: c.version for c in contracts.contracts}
    notes: dict[str, VersionNote] = {}
    for entry in entries:
        if current.get(entry.contract_id) != entry.version:
            continue
        first_line = entry.commit.message.splitlines()[0] if entry.commit.message else ""
        notes[entry.contract_id] = VersionNote(
            entry.version,
            entry.previous_version,
            _rows(entry.changes),
            f"commit {entry.commit.commit[:10]} by {entry.commit.author} on "
            f"{entry.commit.date[:10]}: {first_line}",
        )
    return notes


def _from_runs(contracts: ContractSet, ids: list[str]) -> dict[str, VersionNote]:
    url = evidence_url(contracts.root)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return {}
    try:
        store = EvidenceStore(url)
    except EvidenceError:
        return {}
    notes: dict[str, VersionNote] = {}
    try:
        for contract in contracts.contracts:
            if contract.id not in ids:
                continue
            found = changes_since_previous(store.engine, contract, contracts.root)
            if found is not None:
                notes[contract.id] = VersionNote(
                    found.version,
                    found.previous_version,
                    _rows(found.changes),
                    "the contract versions runs were made under (evidence store)",
                )
    finally:
        store.close()
    return notes


def _rows(changes: tuple[Change, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((c.klass.value, c.kind, c.message) for c in changes)

"""Semantic versioning enforced: the bump a contract's changes need, and what the version did."""

from __future__ import annotations

from collections.abc import Sequence

import semver

from datapact_dagster.changes.model import BUMP_FOR_CLASS, Bump, Change, PolicyFinding
from datapact_dagster.contract.model import Contract


def required_bump(changes: Sequence[Change]) -> Bump:
    """The largest class among the changes, as a bump (none without changes)."""
    return max((BUMP_FOR_CLASS[c.klass] for c in changes), key=lambda b: b.rank, default=Bump.none)


def actual_bump(old: str, new: str) -> Bump | None:
    """How far the version moved; None when it moved backwards."""
    before, after = semver.Version.parse(old), semver.Version.parse(new)
    if after < before:
        return None
    if after.major > before.major:
        return Bump.major
    if after.minor > before.minor:
        return Bump.minor
    if after.patch > before.patch:
        return Bump.patch
    return Bump.none


def lenient_reason(old: Contract) -> str | None:
    """Why this contract may break without a major bump, or None."""
    # The old side decides: consumers of an active contract are owed a major bump even when
    # the new version steps back to draft.
    if old.status == "draft":
        return "status draft: a draft contract may break without a major bump"
    if semver.Version.parse(old.version).major == 0:
        return (
            f"version {old.version} is 0.y.z (initial development): it may break without a "
            "major bump"
        )
    return None


def version_findings(
    old: Contract | None, new: Contract | None, changes: Sequence[Change]
) -> tuple[Bump, Bump | None, str | None, list[PolicyFinding]]:
    """(required bump, actual bump, lenient reason, findings) for one contract pair."""
    need = required_bump(changes)
    if old is None or new is None:
        return need, None, None, _removal_findings(old, new)
    if old.content_hash == new.content_hash:
        return Bump.none, Bump.none, None, []  # the same text in another file
    where = {"contract_id": new.id, "file": str(new.source_path), "line": None}
    moved = actual_bump(old.version, new.version)
    lenient = lenient_reason(old) if need == Bump.major else None
    findings: list[PolicyFinding] = []
    if moved is None:
        findings.append(
            PolicyFinding(
                "error",
                "version-backwards",
                f"{new.id}: version moved backwards, {old.version} -> {new.version}",
                fix=f"set a version above {old.version}",
                **where,
            )
        )
        return need, moved, lenient, findings
    if need == Bump.none or moved.rank >= need.rank:
        return need, moved, lenient, findings
    only_text = all(c.kind == "other_content_changed" for c in changes)
    if moved == Bump.none:
        findings.append(
            PolicyFinding(
                "warning" if only_text else "error",
                "version-unchanged",
                f"{new.id}: the contract changed under the same version {new.version} "
                f"(needs a {need.value} bump)",
                fix=f"set version to {suggest(old.version, need)}",
                **where,
            )
        )
    elif lenient:
        findings.append(
            PolicyFinding(
                "info",
                "lenient-version",
                f"{new.id}: breaking changes with a {moved.value} bump are allowed ({lenient})",
                **where,
            )
        )
    else:
        findings.append(
            PolicyFinding(
                "error",
                "version-too-small",
                f"{new.id}: {old.version} -> {new.version} is a {moved.value} bump; "
                f"the changes need a {need.value} bump",
                fix=f"set version to {suggest(old.version, need)}",
                **where,
            )
        )
    return need, moved, lenient, findings


def _removal_findings(old: Contract | None, new: Contract | None) -> list[PolicyFinding]:
    if old is None or new is not None or old.status in ("draft", "retired"):
        return []
    return [
        PolicyFinding(
            "error",
            "removed-not-retired",
            f"{old.id}: contract removed while its status is {old.status}",
            contract_id=old.id,
            file=str(old.source_path),
            fix="first release a version with status: retired (consumers are told), "
            "then remove the file",
        )
    ]


def suggest(version: str, bump: Bump) -> str:
    current = semver.Version.parse(version)
    match bump:
        case Bump.major:
            return str(current.bump_major())
        case Bump.minor:
            return str(current.bump_minor())
        case _:
            return str(current.bump_patch())

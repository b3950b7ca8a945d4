"""Rolling a table back to a kept published version, recorded as evidence, without Dagster.

The decision is recorded before the swap, as a publish is: if the swap then fails, an error
decision follows it, so the evidence never misses a change to the data in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import uuid4

import sqlalchemy as sa

from datapact_dagster.errors import UserError
from datapact_dagster.evidence.model import Decision
from datapact_dagster.pipeline.evidence_sink import EvidenceWriter
from datapact_dagster.plan.project import TablePlan
from datapact_dagster.warehouse import versions, wap
from datapact_dagster.warehouse.versions import PublishedVersion

ROLLBACK_RUN_PREFIX = "rollback-"
SHORT_RUN = 8


@dataclass(frozen=True)
class RolledBack:
    rollback_id: str
    asset_path: str
    person: str
    reason: str
    replaced: PublishedVersion
    """The version that was in force, now kept (its fingerprint as read before the swap)."""
    restored: PublishedVersion
    """The version now in force."""


def run_label(run_id: str) -> str:
    """A run as people read it in lists: its first characters, or why there is none."""
    return run_id[:SHORT_RUN] if run_id else "(unknown: published before versions were kept)"


def choose_version(
    asset_path: str, found: Sequence[PublishedVersion], to_run: str | None
) -> tuple[PublishedVersion, PublishedVersion]:
    """(the version in force, the kept version to restore), or a UserError saying why not.

    Without `to_run`: the newest kept version published before the one in force. `to_run` is a
    run id or its first characters, as `datapact rollback TABLE --list` shows them.
    """
    current = next((v for v in found if v.current), None)
    if current is None:
        raise UserError(f"rollback: {asset_path} has not been published yet; nothing to roll back")
    kept = [v for v in found if not v.current]
    if not kept:
        raise UserError(
            f"rollback: no earlier published version of {asset_path} is kept (versions are kept "
            "from the first publish after DATAPACT_KEEP_VERSIONS is above 0, default 3)"
        )
    listing = ", ".join(f"{run_label(v.run_id)} ({v.published_at:%Y-%m-%d %H:%M})" for v in kept)
    if to_run is None:
        earlier = [v for v in kept if v.published_at < current.published_at]
        if not earlier:
            raise UserError(
                f"rollback: no version of {asset_path} published before the one in force "
                f"(run {run_label(current.run_id)}) is kept; choose one with --to RUN from the "
                f"kept runs: {listing}"
            )
        return current, earlier[0]
    wanted = to_run.strip()
    if current.run_id and wanted and current.run_id.startswith(wanted):
        raise UserError(
            f"rollback: run {run_label(current.run_id)} is already the version of {asset_path} "
            f"in force; kept runs: {listing}"
        )
    matches = [v for v in kept if wanted and v.run_id.startswith(wanted)]
    if len(matches) != 1:
        problem = "matches several kept runs" if matches else "is not a kept run"
        raise UserError(
            f"rollback: --to {to_run!r} {problem} of {asset_path}; kept runs: {listing} "
            f"(see 'datapact rollback {asset_path} --list')"
        )
    return current, matches[0]


def roll_back(
    engine: sa.Engine,
    writer: EvidenceWriter,
    plan: TablePlan,
    target: PublishedVersion,
    *,
    person: str,
    reason: str,
) -> RolledBack:
    """Make `target` the version of `plan`'s table in force, with a rollback decision recorded."""
    table = plan.table.physical_name
    asset_path = "/".join(plan.table.asset_key)
    rollback_id = f"{ROLLBACK_RUN_PREFIX}{uuid4().hex[:12]}"
    current = next(v for v in versions.list_versions(engine, table) if v.current)
    replaced = _as_read(engine, current, "the table in force")
    restored = _as_read(engine, target, "the kept version")
    writer.record_decision(
        plan,
        Decision.ROLLBACK,
        rollback_id,
        {
            "summary": f"rolled back {asset_path} from run {run_label(replaced.run_id)} to run "
            f"{run_label(restored.run_id)} by {person}: {reason}",
            "user": person,
            "reason": reason,
            "from_run": replaced.run_id or None,
            "to_run": restored.run_id or None,
            "from_published_at": f"{replaced.published_at:%Y-%m-%dT%H:%M:%SZ}",
            "to_published_at": f"{restored.published_at:%Y-%m-%dT%H:%M:%SZ}",
            "from_rows": replaced.row_count,
            "to_rows": restored.row_count,
            "from_hash": replaced.content_hash,
            "to_hash": restored.content_hash,
        },
    )
    try:
        kept, _ = versions.restore(engine, table, target)
    except Exception as exc:
        writer.record_decision(
            plan,
            Decision.ERROR,
            rollback_id,
            {"stage": "rollback", "error": f"{type(exc).__name__}: {exc}"[:2000]},
        )
        if isinstance(exc, versions.VersionError):
            raise UserError(f"rollback: {exc}") from exc
        raise
    replaced = replace(replaced, relation=kept.relation if kept else replaced.relation)
    return RolledBack(
        rollback_id, asset_path, person, reason, replaced, replace(restored, relation=table)
    )


def _as_read(engine: sa.Engine, version: PublishedVersion, what: str) -> PublishedVersion:
    """The version with the row count and content hash its relation has now."""
    try:
        count, digest = wap.fingerprint(engine, version.relation)
    except sa.exc.DBAPIError as exc:
        detail = str(exc.orig or exc).strip().splitlines()[0]
        raise UserError(
            f"rollback: {what} {version.relation} cannot be read ({detail}); nothing was changed"
        ) from exc
    return replace(version, row_count=count, content_hash=digest)

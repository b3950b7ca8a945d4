"""The run tag that lets an operator build downstream of a breached contract, with a reason."""

from __future__ import annotations

from collections.abc import Mapping

from datapact_dagster.errors import UserError

OVERRIDE_TAG = "datapact/override"
OVERRIDE_BY_TAG = "datapact/override_by"
"""Who launched the override (DATAPACT_USER or git user.email), recorded with it."""


def override_tags(reason: str | None, person: str | None = None) -> dict[str, str]:
    """Run tags for `datapact run --override-reason REASON` ({} without an override)."""
    if reason is None:
        return {}
    if not person:
        raise UserError(
            "an override is recorded with the person who made it: set DATAPACT_USER=<your "
            "e-mail> or `git config user.email <e-mail>`, then run again"
        )
    if not reason.strip():
        raise UserError(
            "--override-reason needs a reason, e.g. --override-reason "
            '"duplicates confirmed harmless by finance (TICKET-123)"'
        )
    return {OVERRIDE_TAG: reason.strip(), OVERRIDE_BY_TAG: person}


def override_reason(tags: Mapping[str, str]) -> str | None:
    """The override reason of a run, or None when the run carries no (or an empty) override."""
    reason = (tags.get(OVERRIDE_TAG) or "").strip()
    return reason or None

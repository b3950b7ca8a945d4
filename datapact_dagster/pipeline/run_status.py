"""What one run did with each table, in the words the run summary prints (no Dagster import).

An outcome (published, quarantined, held…) is what the run did; a table's state (`Health`:
healthy, breached, held…) is where that leaves the table. `TableRunStatus.health` links the two.
"""

from __future__ import annotations

from enum import StrEnum

from datapact_dagster.breaker.state import Health


class TableRunStatus(StrEnum):
    """What one run did with one table, as the run summary prints it."""

    NOT_RUN = "not run"
    PUBLISHED = "published"
    QUARANTINED = "quarantined"
    REFUSED = "refused (upstream breach)"
    HELD = "held (upstream breach)"
    AWAITING_APPROVAL = "held (awaiting approval)"
    HELD_FOR_APPROVAL = "held (upstream awaits approval)"
    UPSTREAM_ERROR = "not run (upstream error)"
    ERROR = "error"
    CHECKED = "checked"
    DRAFT = "not run (draft)"
    """A draft's table, left out of a run that did not select it."""
    RETIRED = "not run (retired)"
    """A retired contract's table: never built or checked."""

    @property
    def health(self) -> Health | None:
        """The table's state this outcome implies, in the one vocabulary (`Health`); None when
        the outcome alone does not say (checked, an error, not run)."""
        return _HEALTH.get(self)

    @property
    def breached(self) -> bool:
        return self in (TableRunStatus.QUARANTINED, TableRunStatus.REFUSED)


_HEALTH = {
    TableRunStatus.PUBLISHED: Health.healthy,
    TableRunStatus.QUARANTINED: Health.breached,
    TableRunStatus.REFUSED: Health.held,
    TableRunStatus.HELD: Health.held,
    TableRunStatus.AWAITING_APPROVAL: Health.awaiting_approval,
    TableRunStatus.HELD_FOR_APPROVAL: Health.held,
    TableRunStatus.RETIRED: Health.retired,
}

"""What one run did with each table, in the words the run summary prints (no Dagster import)."""

from __future__ import annotations

from enum import StrEnum


class TableRunStatus(StrEnum):
    """What one run did with one table, as the run summary prints it."""

    NOT_RUN = "not run"
    PUBLISHED = "published"
    QUARANTINED = "quarantined"
    REFUSED = "refused (upstream breach)"
    HELD = "held (upstream breach)"
    UPSTREAM_ERROR = "not run (upstream error)"
    ERROR = "error"
    CHECKED = "checked"

    @property
    def breached(self) -> bool:
        return self in (TableRunStatus.QUARANTINED, TableRunStatus.REFUSED)

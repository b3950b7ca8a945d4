"""The latest verdict of every check, read from the evidence store (never written to)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from datapact_dagster.evidence import EvidenceError, EvidenceStore, Record, evidence_url

NEVER_RUN = "never run"


@dataclass(frozen=True)
class CheckVerdict:
    word: str
    """pass, fail, error, skipped, or `never run`."""
    at: str | None = None
    """When it was recorded, e.g. `2026-11-20 12:04 UTC`."""
    summary: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class LatestVerdicts:
    by_check: dict[str, CheckVerdict] = field(default_factory=dict)
    unavailable: str | None = None
    """Why the evidence could not be read (the catalog is still built, without verdicts)."""

    def of(self, check_key: str) -> CheckVerdict:
        return self.by_check.get(check_key, CheckVerdict(NEVER_RUN))

    @property
    def ever_run(self) -> bool:
        return bool(self.by_check)


def latest_verdicts(project_dir: Path) -> LatestVerdicts:
    """The newest check record per check key; nothing when the project has never run.

    A missing SQLite store means the project has never run: it is not created just to be read.
    """
    url = evidence_url(project_dir)
    parsed = make_url(url)
    sqlite_file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if sqlite_file and not Path(sqlite_file).is_file():
        return LatestVerdicts()
    try:
        store = EvidenceStore(url)
    except EvidenceError as error:
        return LatestVerdicts(unavailable=_first_line(error))
    try:
        records = store.records()
    except EvidenceError as error:
        return LatestVerdicts(unavailable=_first_line(error))
    finally:
        store.close()
    return LatestVerdicts(by_check=newest_by_check(records))


def newest_by_check(records: list[Record]) -> dict[str, CheckVerdict]:
    """Records in chain order: a later record of a check replaces an earlier one."""
    found: dict[str, CheckVerdict] = {}
    for record in records:
        if record.kind != "check" or not record.check_key or record.verdict is None:
            continue
        found[record.check_key] = CheckVerdict(
            word=str(record.verdict),
            at=display_time(record.recorded_at),
            summary=record.summary,
            run_id=record.run_id,
        )
    return found


def display_time(recorded_at: str) -> str:
    """`2026-11-20T12:04:05.123456Z` -> `2026-11-20 12:04 UTC`."""
    day, _, clock = recorded_at.partition("T")
    return f"{day} {clock[:5]} UTC" if clock else recorded_at


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]

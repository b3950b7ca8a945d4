"""Where DataPact keeps things, from the environment with project-local defaults.

The project folder (contracts/, sql/) is the one given, else DATAPACT_PROJECT_DIR, else the
current folder: DataPact is installed as a package, and a project is wherever its user works.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from datapact_dagster.errors import UserError
from datapact_dagster.warehouse.dialects import default_warehouse_url

KEEP_VERSIONS_ENV = "DATAPACT_KEEP_VERSIONS"
DEFAULT_KEEP_VERSIONS = 3
"""How many earlier published versions of each table are kept for `datapact rollback`."""


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    state_dir: Path
    warehouse_url: str
    landing_dir: Path
    dagster_home: Path
    quarantine_days: int
    keep_versions: int = DEFAULT_KEEP_VERSIONS

    @classmethod
    def from_env(cls, project_dir: Path | None = None) -> Settings:
        env = os.environ
        root = Path(project_dir or env.get("DATAPACT_PROJECT_DIR") or Path.cwd())
        root = root.resolve()
        state = Path(env.get("DATAPACT_STATE_DIR") or root / ".datapact").resolve()
        warehouse = env.get("DATAPACT_WAREHOUSE_URL") or default_warehouse_url(state)
        try:
            quarantine_days = int(env.get("DATAPACT_QUARANTINE_DAYS", "7"))
        except ValueError as exc:
            raise ValueError("DATAPACT_QUARANTINE_DAYS must be a whole number of days") from exc
        return cls(
            project_dir=root,
            state_dir=state,
            warehouse_url=warehouse,
            landing_dir=Path(env.get("DATAPACT_LANDING_DIR") or state / "landing").resolve(),
            dagster_home=Path(env.get("DAGSTER_HOME") or state / "dagster_home").resolve(),
            quarantine_days=quarantine_days,
            keep_versions=keep_versions_from(env.get(KEEP_VERSIONS_ENV)),
        )


def keep_versions_from(value: str | None) -> int:
    """DATAPACT_KEEP_VERSIONS read as a count of versions, or a UserError saying how to fix it."""
    text = (value or "").strip()
    if not text:
        return DEFAULT_KEEP_VERSIONS
    if not text.isdigit():
        raise UserError(
            f"{KEEP_VERSIONS_ENV}={value!r} is not a number of versions: set it to a whole "
            f"number, 0 or more (0 keeps no earlier version, so nothing can be rolled back; "
            f"unset, {DEFAULT_KEEP_VERSIONS} are kept)"
        )
    return int(text)

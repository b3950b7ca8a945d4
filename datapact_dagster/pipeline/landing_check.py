"""Before a build starts: every landing file the selected tables read must be there and usable.

A run never makes data up. A missing, empty, truncated or otherwise unreadable file stops the
run before Dagster starts, so nothing is staged, audited or published; the message names each
file, the table whose SQL reads it and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from datapact_dagster.errors import UserError
from datapact_dagster.plan.project import TablePlan
from datapact_dagster.warehouse.landing import (
    LANDING_SCHEMA,
    LandingFileError,
    LandingFileMissing,
    file_tables_over_rows,
    landing_file,
)
from datapact_dagster.warehouse.sql_parse import table_refs


def require_landing_files(plans: Iterable[TablePlan], landing_dir: Path, project_dir: Path) -> None:
    """Raise a UserError (exit 2) listing every landing file a plan reads and cannot use."""
    file_tables_over_rows()  # a bad setting stops the run here, not in its first step
    problems: list[str] = []
    missing = 0
    for plan in plans:
        sql = plan.table.sql_path.read_text(encoding="utf-8")
        for ref in table_refs(sql):
            if ref.schema != LANDING_SCHEMA:
                continue
            try:
                landing_file(landing_dir, ref.name)
            except LandingFileError as exc:
                missing += isinstance(exc, LandingFileMissing)
                problems.append(
                    f"  {_shown(plan.table.sql_path, project_dir)} (table "
                    f"{plan.table.physical_name}) reads {LANDING_SCHEMA}.{ref.name}: {exc}"
                )
    if problems:
        what = "missing" if missing == len(problems) else "missing or unusable"
        raise UserError(
            f"{len(problems)} landing file(s) {what} in {landing_dir} "
            "(the landing folder; DATAPACT_LANDING_DIR sets another):\n"
            + "\n".join(problems)
            + "\nNothing was built or published. Put each export in the landing folder, or "
            "run 'datapact generate' to make the sample data of the demo project."
        )


def _shown(path: Path, project_dir: Path) -> str:
    try:
        return str(path.relative_to(project_dir))
    except ValueError:
        return str(path)

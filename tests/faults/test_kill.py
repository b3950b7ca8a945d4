"""`kill -9` of `datapact run` at each phase of a table's step, on DuckDB and PostgreSQL.

The kill comes from a failpoint (pipeline/failpoints.py) so it lands at an exact moment: after
staging, after the audit, after the check results are in the evidence, after the publish
decision is in the evidence but before the swap, and after the swap. After each kill no
published table changed unexpectedly and the next plain `datapact run` succeeds on its own
(releasing the dead run and recording it as an error in the evidence); at the end the evidence
chain, with every error record, verifies. The phases run one after another in one project per
warehouse, because each CLI launch costs seconds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from datapact_dagster.sample.generate import generate_landing
from tests.faults.harness import RUN_ONE, Project

TABLE = "bronze.raw_customers"
SWAPPED = "published"
PHASES = ["staged", "audited", "checks_recorded", "decided", SWAPPED]


def _kill_at_each_phase_then_recover(project: Project) -> None:
    """One phase after another in the same project: each killed run is followed by the plain
    run that must recover from it, which is the published state the next phase starts from."""
    for number, phase in enumerate(PHASES, start=1):
        before = project.published()
        assert TABLE in before
        # New landing data, so a publish that went through would change the table.
        generate_landing(project.landing, rows=1500, seed=10 + number)

        killed = project.start(phase, *RUN_ONE, DATAPACT_FAILPOINT=f"{phase}:{TABLE}").finish()

        assert killed.returncode == -9, f"{phase}: {killed.stdout}{killed.stderr}"
        after_kill = project.published()
        recovered = project.assert_next_run_succeeds()
        assert "released dead run" in recovered.stderr, f"{phase}: {recovered.stderr}"
        after_next = project.published()
        assert after_next[TABLE] != before[TABLE], f"{phase}: the next run publishes new data"
        expected = {**before, TABLE: after_next[TABLE]} if phase == SWAPPED else before
        assert after_kill == expected, f"{phase}: a published table changed unexpectedly"
        assert after_next == {**before, TABLE: after_next[TABLE]}, phase
        errors = _error_decisions(project.state / "evidence.db")
        assert errors == [("bronze/raw_customers",)] * number, f"{phase}: {errors}"
    project.assert_evidence_verifies()


def _error_decisions(evidence: Path) -> list[tuple[str]]:
    with sqlite3.connect(evidence) as conn:
        return conn.execute(
            "SELECT asset_key FROM datapact_evidence_records "
            "WHERE kind = 'decision' AND decision = 'error'"
        ).fetchall()


def test_kill_9_at_each_phase_on_duckdb(project: Project) -> None:
    _kill_at_each_phase_then_recover(project)


def test_kill_9_at_each_phase_on_postgres(pg_project: Project) -> None:
    pg_project.assert_next_run_succeeds()
    _kill_at_each_phase_then_recover(pg_project)

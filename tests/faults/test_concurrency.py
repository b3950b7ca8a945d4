"""Two `datapact run` at once against one warehouse: one builds, the other fails clearly or
waits its turn; no table is half-published and the next run succeeds."""

from __future__ import annotations

from tests.faults.harness import RUN_ONE, Project, assert_fails_cleanly


def _run_twice_at_once(project: Project) -> list[int]:
    first = project.start("first", *RUN_ONE)
    second = project.start("second", *RUN_ONE)
    results = [first.finish(), second.finish()]
    for result in results:
        shown = result.stdout + result.stderr
        assert "Traceback" not in shown, shown
        if result.returncode != 0:
            assert_fails_cleanly(result, 3, "lock")
    assert 0 in [r.returncode for r in results], [r.stdout + r.stderr for r in results]
    return sorted(r.returncode for r in results)


def test_two_runs_at_once_on_duckdb(project: Project) -> None:
    before = project.published()

    codes = _run_twice_at_once(project)

    assert codes in ([0, 0], [0, 3])
    assert project.published() == before, "the same landing data gives the same tables"
    project.assert_evidence_verifies()
    project.assert_next_run_succeeds()
    assert project.published() == before


def test_two_runs_at_once_on_postgres(pg_project: Project) -> None:
    pg_project.assert_next_run_succeeds()
    before = pg_project.published()
    assert list(before) == ["bronze.raw_customers"]

    codes = _run_twice_at_once(pg_project)

    assert codes in ([0, 0], [0, 3])
    assert pg_project.published() == before
    pg_project.assert_evidence_verifies()
    pg_project.assert_next_run_succeeds()
    assert pg_project.published() == before

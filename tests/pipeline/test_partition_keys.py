"""A key repeated across two partitions is caught by the increment's own check, through the
command line: the second day is quarantined and the first stays published as it was.

The project (tests/fixtures/partitioned/) is one daily-partitioned bronze table whose primary
key is event_id; the landing file repeats e1 on the next day.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.pipeline.partitioned_project import partitioned_project, published
from tests.processes import project_env, run_datapact

LANDING_ROWS = (
    "('e1', TIMESTAMP '2026-11-20 10:00'), ('e2', TIMESTAMP '2026-11-20 11:00'), "
    "('e1', TIMESTAMP '2026-11-21 09:00'), ('e3', TIMESTAMP '2026-11-21 10:00')"
)


def _project(tmp_path: Path) -> Path:
    return partitioned_project(tmp_path, LANDING_ROWS)


def test_a_key_repeated_on_a_later_day_is_caught_and_that_day_quarantined(tmp_path: Path) -> None:
    root = _project(tmp_path)
    env = project_env()
    first = run_datapact(root, env, "run", "--partition", "2026-11-20")
    assert first.returncode == 0, first.stderr
    assert published(root) == [("e1", "2026-11-20"), ("e2", "2026-11-20")]

    second = run_datapact(root, env, "run", "--partition", "2026-11-21", "--format", "json")
    assert second.returncode == 1, second.stderr
    (table,) = json.loads(second.stdout)["tables"]
    assert (table["outcome"], table["failing_checks"]) == (
        "quarantined",
        ["events__event_id__unique"],
    )
    assert published(root) == [("e1", "2026-11-20"), ("e2", "2026-11-20")]

    report = run_datapact(root, env, "report", "--format", "json")
    assert (
        "1 row(s) of partition 2026-11-21 repeat a key (event_id) already published in another "
        "partition" in report.stdout
    )

    again = run_datapact(root, env, "run", "--partition", "2026-11-20")
    assert again.returncode == 0, again.stderr  # its own keys are no duplicate of itself
    assert published(root) == [("e1", "2026-11-20"), ("e2", "2026-11-20")]


def test_a_partition_outside_the_range_is_refused_with_exit_2(tmp_path: Path) -> None:
    root = _project(tmp_path)
    outside = run_datapact(root, project_env(), "run", "--partition", "2026-10-31")
    assert outside.returncode == 2
    assert "--partition 2026-10-31 is outside the partitions of bronze.events" in outside.stderr
    misspelt = run_datapact(root, project_env(), "run", "--partition", "20-11-2026")
    assert misspelt.returncode == 2
    assert "write it as YYYY-MM-DD" in misspelt.stderr

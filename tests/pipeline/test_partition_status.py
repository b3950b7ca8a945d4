"""`datapact status` lists a partitioned table's days whose latest build was quarantined,
through the command line: a later clean day closes the breaker (the table is healthy again),
but the bad day stays listed until it is rebuilt clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.pipeline.partitioned_project import partitioned_project, write_landing
from tests.processes import project_env, run_datapact

DAY_20 = "('e1', TIMESTAMP '2026-11-20 10:00'), ('e2', TIMESTAMP '2026-11-20 11:00')"
DAY_22 = "('e4', TIMESTAMP '2026-11-22 10:00')"
BAD_DAY_21 = "('e1', TIMESTAMP '2026-11-21 09:00'), ('e3', TIMESTAMP '2026-11-21 10:00')"
FIXED_DAY_21 = "('e5', TIMESTAMP '2026-11-21 09:00'), ('e3', TIMESTAMP '2026-11-21 10:00')"


def _events_row(root: Path, env: dict[str, str]) -> dict[str, Any]:
    shown = run_datapact(root, env, "status", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    (row,) = [r for r in json.loads(shown.stdout) if r["table"] == "bronze/events"]
    return row


def test_a_bad_day_stays_listed_after_a_later_clean_day_until_rebuilt(tmp_path: Path) -> None:
    root = partitioned_project(tmp_path, f"{DAY_20}, {BAD_DAY_21}, {DAY_22}")
    env = project_env()
    for day, code in (("2026-11-20", 0), ("2026-11-21", 1), ("2026-11-22", 0)):
        built = run_datapact(root, env, "run", "--partition", day)
        assert built.returncode == code, built.stderr

    row = _events_row(root, env)
    assert (row["state"], row["breaker"]) == ("healthy", "closed")
    (bad,) = row["bad_partitions"]
    assert (bad["partition"], bad["failed_checks"]) == (
        "2026-11-21",
        ["events__event_id__unique"],
    )
    assert bad["quarantine_relation"].startswith("quarantine.events__")
    text = run_datapact(root, env, "status")
    assert text.returncode == 0, text.stderr
    assert "bronze/events: partition 2026-11-21 quarantined, not published" in text.stdout
    assert "datapact run --partition 2026-11-21" in text.stdout

    write_landing(root, f"{DAY_20}, {FIXED_DAY_21}, {DAY_22}")
    rebuilt = run_datapact(root, env, "run", "--partition", "2026-11-21")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _events_row(root, env)["bad_partitions"] == []

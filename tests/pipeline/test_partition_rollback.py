"""`datapact rollback` refuses a partitioned table through the command line: its days are
published in place, there is no earlier whole-table version to restore, and the fix is to
rebuild the day."""

from __future__ import annotations

from pathlib import Path

from tests.pipeline.partitioned_project import partitioned_project, published
from tests.processes import project_env, run_datapact

ROWS = "('e1', TIMESTAMP '2026-11-20 10:00'), ('e2', TIMESTAMP '2026-11-21 10:00')"


def test_rollback_and_its_list_are_refused_for_a_partitioned_table(tmp_path: Path) -> None:
    root = partitioned_project(tmp_path, ROWS)
    env = project_env()
    for day in ("2026-11-20", "2026-11-21"):
        built = run_datapact(root, env, "run", "--partition", day)
        assert built.returncode == 0, built.stderr
    before = published(root)

    for extra in (["--reason", "bad day"], ["--list"]):
        refused = run_datapact(root, env, "rollback", "bronze/events", *extra)
        assert refused.returncode == 2, refused.stderr
        assert "rollback: bronze/events is partitioned (daily, on event_ts)" in refused.stderr
        assert "datapact run --partition DAY" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert published(root) == before == [("e1", "2026-11-20"), ("e2", "2026-11-21")]

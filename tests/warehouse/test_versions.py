"""Kept published versions on real DuckDB and PostgreSQL: kept on publish, trimmed, restored."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from datapact_dagster.warehouse import versions, wap
from datapact_dagster.warehouse.names import VERSION_INDEX
from tests.warehouse.support import relation_rows

TABLE = "silver.t"


def _publish(engine: sa.Engine, run_id: str, value: int, keep: int = 3) -> None:
    staged = wap.stage(engine, TABLE, f"SELECT {value} AS id UNION ALL SELECT {value + 1}")
    wap.publish(engine, TABLE, staged, run_id=run_id, keep_versions=keep)


def _exists(engine: sa.Engine, relation: str) -> bool:
    with engine.connect() as conn:
        return wap.relation_exists(conn, relation)


def test_publish_keeps_the_newest_versions_and_drops_older_ones(engine: sa.Engine) -> None:
    for number in range(1, 6):
        _publish(engine, f"run-{number}", number * 10, keep=2)

    kept = versions.list_versions(engine, TABLE)

    assert [(v.run_id, v.current) for v in kept] == [
        ("run-5", True),
        ("run-4", False),
        ("run-3", False),
    ]
    assert [v.row_count for v in kept] == [2, 2, 2]
    assert relation_rows(engine, kept[1].relation) == [(40,), (41,)]
    assert relation_rows(engine, TABLE) == [(50,), (51,)]
    assert not _exists(engine, "silver.t__dp_vrun2") and not _exists(engine, "silver.t__dp_vrun1")
    with engine.connect() as conn:
        indexed = conn.execute(sa.text(f"SELECT COUNT(*) FROM {VERSION_INDEX}")).scalar_one()
    assert indexed == 3


def test_restore_swaps_a_kept_version_in_and_can_be_undone(engine: sa.Engine) -> None:
    for number in (1, 2, 3):
        _publish(engine, f"run-{number}", number * 10)
    first = next(v for v in versions.list_versions(engine, TABLE) if v.run_id == "run-1")
    hash_before = wap.fingerprint(engine, TABLE)

    replaced, restored = versions.restore(engine, TABLE, first)

    assert relation_rows(engine, TABLE) == [(10,), (11,)]
    assert replaced is not None and replaced.run_id == "run-3" and not replaced.current
    assert (replaced.row_count, replaced.content_hash) == hash_before
    assert restored.run_id == "run-1" and restored.current
    assert wap.fingerprint(engine, TABLE) == (restored.row_count, restored.content_hash)
    listed = {v.run_id: v.current for v in versions.list_versions(engine, TABLE)}
    assert listed == {"run-1": True, "run-2": False, "run-3": False}

    back = next(v for v in versions.list_versions(engine, TABLE) if v.run_id == "run-3")
    versions.restore(engine, TABLE, back)
    assert relation_rows(engine, TABLE) == [(30,), (31,)]


def test_a_table_published_before_versions_were_kept_is_kept_without_a_run(
    engine: sa.Engine,
) -> None:
    staged = wap.stage(engine, TABLE, "SELECT 7 AS id")
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE silver.t__dp_staging RENAME TO t"))

    _publish(engine, "run-new", 1)

    old = [v for v in versions.list_versions(engine, TABLE) if not v.current]
    assert [(v.run_id, v.row_count) for v in old] == [("", 1)]
    assert relation_rows(engine, old[0].relation) == [(7,)]
    assert staged.row_count == 1


def test_purge_trims_every_tables_kept_versions(engine: sa.Engine) -> None:
    for number in range(1, 5):
        _publish(engine, f"run-{number}", number)

    dropped = wap.purge_quarantine(engine, keep_days=7, keep_versions=1)

    assert sorted(dropped) == ["silver.t__dp_vrun1", "silver.t__dp_vrun2"]
    assert [v.run_id for v in versions.list_versions(engine, TABLE)] == ["run-4", "run-3"]
    assert wap.purge_quarantine(engine, keep_days=7) == []


def test_restoring_a_version_that_is_not_kept_is_refused(engine: sa.Engine) -> None:
    _publish(engine, "run-1", 1)
    _publish(engine, "run-2", 2)
    kept = next(v for v in versions.list_versions(engine, TABLE) if not v.current)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {kept.relation}"))

    with pytest.raises(versions.VersionError, match="missing from the warehouse"):
        versions.restore(engine, TABLE, kept)

    assert relation_rows(engine, TABLE) == [(2,), (3,)]


def test_a_table_dropped_by_hand_is_replaced_by_the_restored_version(engine: sa.Engine) -> None:
    _publish(engine, "run-1", 1)
    _publish(engine, "run-2", 5)
    kept = next(v for v in versions.list_versions(engine, TABLE) if not v.current)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {TABLE}"))

    replaced, restored = versions.restore(engine, TABLE, kept)

    assert replaced is None and restored.run_id == "run-1"
    assert relation_rows(engine, TABLE) == [(1,), (2,)]
    assert [(v.run_id, v.current) for v in versions.list_versions(engine, TABLE)] == [
        ("run-1", True)
    ]

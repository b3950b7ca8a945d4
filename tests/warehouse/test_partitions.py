"""Write-audit-publish of one partition, on DuckDB and PostgreSQL: a window's rows replaced in
one transaction, re-running idempotent, other partitions untouched, and the keys table that lets
an increment's keys be checked against the published rest."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from datapact_dagster.warehouse import wap
from datapact_dagster.warehouse.partitions import (
    cross_partition_duplicates,
    keys_name,
    publish_partition,
    window_for,
    window_query,
)

SOURCE = (
    "SELECT * FROM (VALUES "
    "('e1', TIMESTAMP '2026-11-01 08:00:00'), ('e2', TIMESTAMP '2026-11-01 23:59:59'), "
    "('e3', TIMESTAMP '2026-11-02 00:00:00'), ('e4', TIMESTAMP '2026-11-02 12:00:00'), "
    "('e5', TIMESTAMP '2026-11-03 01:00:00')) AS t(event_id, event_ts)"
)
TABLE = "silver.events"


def _stage(engine: sa.Engine, day: str, sql: str = SOURCE) -> wap.Staged:
    return wap.stage(engine, TABLE, window_query(sql, "event_ts", window_for(day, "daily")))


def _publish(engine: sa.Engine, day: str, sql: str = SOURCE) -> int:
    staged = _stage(engine, day, sql)
    return publish_partition(
        engine, TABLE, staged.relation, "event_ts", window_for(day, "daily"), ["event_id"]
    )


def _rows(engine: sa.Engine, relation: str = TABLE) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {relation} ORDER BY 1"))]


def test_window_is_half_open_and_hourly_keys_parse() -> None:
    day = window_for("2026-11-01", "daily")
    assert (day.start, day.end) == (datetime(2026, 11, 1), datetime(2026, 11, 2))
    hour = window_for("2026-11-01-13:00", "hourly")
    assert (hour.start, hour.end) == (datetime(2026, 11, 1, 13), datetime(2026, 11, 1, 14))


def test_stage_holds_only_the_partition(engine: sa.Engine) -> None:
    staged = _stage(engine, "2026-11-02")
    assert staged.row_count == 2
    assert [r[0] for r in _rows(engine, staged.relation)] == ["e3", "e4"]


def test_publish_replaces_one_partition_and_rerun_is_idempotent(engine: sa.Engine) -> None:
    for day in ("2026-11-01", "2026-11-02", "2026-11-03"):
        assert _publish(engine, day) == 0
    assert [r[0] for r in _rows(engine)] == ["e1", "e2", "e3", "e4", "e5"]
    assert _publish(engine, "2026-11-02") == 2  # the same day again: replaced, not appended
    assert [r[0] for r in _rows(engine)] == ["e1", "e2", "e3", "e4", "e5"]
    changed = SOURCE.replace("('e4', TIMESTAMP '2026-11-02 12:00:00'), ", "")
    assert _publish(engine, "2026-11-02", changed) == 2
    assert [r[0] for r in _rows(engine)] == ["e1", "e2", "e3", "e5"]
    assert [r[0] for r in _rows(engine, keys_name(TABLE))] == ["e1", "e2", "e3", "e5"]
    with engine.connect() as conn:
        assert not wap.relation_exists(conn, wap.staging_name(TABLE))


def test_a_key_published_in_another_partition_is_found(engine: sa.Engine) -> None:
    _publish(engine, "2026-11-01")
    resent = SOURCE.replace(
        "('e4', TIMESTAMP '2026-11-02 12:00:00')", "('e1', TIMESTAMP '2026-11-02 12:00:00')"
    )
    staged = _stage(engine, "2026-11-02", resent)
    found = cross_partition_duplicates(
        engine, TABLE, staged.relation, ["event_id"], "event_ts", window_for("2026-11-02", "daily")
    )
    assert (found.count, found.samples) == (1, (("e1",),))
    # re-running 2026-11-01 itself is not a duplicate of its own published keys
    again = _stage(engine, "2026-11-01")
    same_day = cross_partition_duplicates(
        engine, TABLE, again.relation, ["event_id"], "event_ts", window_for("2026-11-01", "daily")
    )
    assert same_day.count == 0


def test_after_a_whole_table_publish_the_published_table_is_looked_in(
    engine: sa.Engine,
) -> None:
    _publish(engine, "2026-11-01")
    wap.publish(engine, TABLE, wap.stage(engine, TABLE, SOURCE), run_id="whole")
    with engine.begin() as conn:  # what a whole-table publish of a partitioned table does
        conn.execute(sa.text(f"DROP TABLE {keys_name(TABLE)}"))
    resent = SOURCE.replace(
        "('e5', TIMESTAMP '2026-11-03 01:00:00')", "('e2', TIMESTAMP '2026-11-03 01:00:00')"
    )
    staged = _stage(engine, "2026-11-03", resent)
    found = cross_partition_duplicates(
        engine, TABLE, staged.relation, ["event_id"], "event_ts", window_for("2026-11-03", "daily")
    )
    assert (found.count, found.samples) == (1, (("e2",),))


def test_nothing_published_means_no_cross_partition_duplicates(engine: sa.Engine) -> None:
    staged = _stage(engine, "2026-11-01")
    found = cross_partition_duplicates(
        engine, TABLE, staged.relation, ["event_id"], "event_ts", window_for("2026-11-01", "daily")
    )
    assert found.count == 0


def test_a_failed_publish_leaves_every_partition_as_it_was(engine: sa.Engine) -> None:
    _publish(engine, "2026-11-01")
    _publish(engine, "2026-11-02")
    staged = _stage(engine, "2026-11-02")
    with engine.begin() as conn:  # the staged rows cannot be inserted: a column is missing
        conn.execute(sa.text(f"ALTER TABLE {staged.relation} DROP COLUMN event_id"))
    with pytest.raises(sa.exc.DBAPIError):
        publish_partition(
            engine,
            TABLE,
            staged.relation,
            "event_ts",
            window_for("2026-11-02", "daily"),
            ["event_id"],
        )
    assert [r[0] for r in _rows(engine)] == ["e1", "e2", "e3", "e4"]
    assert [r[0] for r in _rows(engine, keys_name(TABLE))] == ["e1", "e2", "e3", "e4"]


def test_a_time_column_named_by_a_reserved_word_is_quoted(engine: sa.Engine) -> None:
    # `at` is reserved in DuckDB, not in SQLAlchemy's PostgreSQL word list: always quoted now
    source = SOURCE.replace("(event_id, event_ts)", '(event_id, "at")')
    for day in ("2026-11-01", "2026-11-02"):
        window = window_for(day, "daily")
        staged = wap.stage(engine, TABLE, window_query(source, "at", window))
        publish_partition(engine, TABLE, staged.relation, "at", window, ["event_id"])
    resent = source.replace("'e5'", "'e1'")
    window = window_for("2026-11-03", "daily")
    staged = wap.stage(engine, TABLE, window_query(resent, "at", window))
    found = cross_partition_duplicates(engine, TABLE, staged.relation, ["event_id"], "at", window)
    assert (found.count, found.samples) == (1, (("e1",),))
    assert [r[0] for r in _rows(engine, keys_name(TABLE))] == ["e1", "e2", "e3", "e4"]

"""DataPact-native checks (no GX): schema conformance and freshness, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from datapact_dagster.checks.native import (
    freshness_check,
    relation_columns,
    schema_check,
    type_compatible,
)
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from tests.checks.shop_data import GOOD, SCHEMA


def _spec(kind: CheckKind, **extra: object) -> CheckSpec:
    return CheckSpec(
        key=f"t__x__{kind.value}",
        table="t",
        asset_key=("bronze", "t"),
        kind=kind,
        severity="error",
        description="",
        doc_path="",
        contract_id="c",
        contract_version="1.0.0",
        **extra,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("logical", "physical", "ok"),
    [
        ("string", "VARCHAR", True),
        ("string", "character varying", True),
        ("string", "TEXT", True),
        ("string", "INTEGER", False),
        ("integer", "BIGINT", True),
        ("integer", "DECIMAL(12,0)", True),
        ("integer", "DECIMAL(12,2)", False),
        ("integer", "DOUBLE", False),
        ("number", "DECIMAL(12,2)", True),
        ("number", "double precision", True),
        ("number", "INTEGER", True),
        ("number", "VARCHAR", False),
        ("date", "DATE", True),
        ("date", "TIMESTAMP", False),
        ("timestamp", "TIMESTAMP", True),
        ("timestamp", "timestamp with time zone", True),
        ("timestamp", "TIMESTAMP WITH TIME ZONE", True),
        ("timestamp", "DATE", False),
        ("boolean", "BOOLEAN", True),
        ("boolean", "INTEGER", False),
    ],
)
def test_type_compatibility(logical: str, physical: str, ok: bool) -> None:
    assert type_compatible(logical, physical) is ok


def test_relation_columns_reads_the_catalog(warehouse: sa.Engine) -> None:
    columns = relation_columns(warehouse, GOOD)
    assert list(columns)[:3] == ["order_id", "line_no", "customer_id"]
    assert relation_columns(warehouse, f"{SCHEMA}.nothing_here") == {}


def test_schema_check_missing_relation_is_an_error() -> None:
    spec = _spec(CheckKind.schema, params={"columns": {"a": "string"}})
    result = schema_check(spec, "s.missing", {})
    assert result.verdict == "error"


def test_schema_check_passes_and_warns_on_undeclared(warehouse: sa.Engine) -> None:
    columns = relation_columns(warehouse, GOOD)
    spec = _spec(
        CheckKind.schema,
        params={"columns": {"order_id": "string", "amount": "number", "updated_at": "timestamp"}},
    )
    result = schema_check(spec, GOOD, columns)
    assert result.verdict == "pass"
    assert "warning: undeclared column(s) line_no" in result.summary


def test_freshness_against_now(warehouse: sa.Engine) -> None:
    spec = _spec(CheckKind.freshness, column="updated_at", params={"max_age_seconds": 86400})
    fresh = freshness_check(spec, GOOD, warehouse, datetime(2024, 6, 2, tzinfo=UTC))
    assert fresh.verdict == "pass"
    assert fresh.observed == {"newest": "2024-06-01T12:00:00", "age_seconds": 43200}
    assert fresh.summary == "newest updated_at is 12h old (2024-06-01 12:00:00 UTC), allowed 1d"
    later = datetime(2024, 6, 3, 3, 0, tzinfo=timezone(timedelta(hours=2)))  # 01:00 UTC
    stale = freshness_check(spec, GOOD, warehouse, later)
    assert stale.verdict == "fail"
    assert stale.observed["age_seconds"] == 37 * 3600


FUTURE = f"{SCHEMA}.events_future"


@pytest.fixture
def future_table(warehouse: sa.Engine) -> sa.Engine:
    """Fresh rows 2h old, one row within the clock-skew tolerance, and 3 far-future rows."""
    with warehouse.begin() as c:
        c.exec_driver_sql(f"DROP TABLE IF EXISTS {FUTURE}")
        c.exec_driver_sql(f"CREATE TABLE {FUTURE} (event_ts TIMESTAMP)")
        c.exec_driver_sql(
            f"INSERT INTO {FUTURE} VALUES ('2024-06-01 22:00:00'), ('2024-06-02 00:04:00'),"
            " ('2030-01-01 00:00:00'), ('2098-01-01 00:00:00'), ('2050-05-05 00:00:00')"
        )
    return warehouse


def test_future_timestamps_never_make_a_table_fresh(future_table: sa.Engine) -> None:
    spec = _spec(CheckKind.freshness, column="event_ts", params={"max_age_seconds": 86400})
    result = freshness_check(spec, FUTURE, future_table, datetime(2024, 6, 2, tzinfo=UTC))

    assert result.verdict == "fail"
    assert result.summary == (
        "3 rows have event_ts in the future (up to 2098-01-01 00:00:00 UTC); "
        "newest past event_ts is 0s old (2024-06-02 00:04:00 UTC), allowed 1d"
    )
    assert result.observed["future_rows"] == 3
    assert result.element_count == 5


def test_freshness_judges_the_newest_past_timestamp(future_table: sa.Engine) -> None:
    # without the future rows, the newest past row decides alone
    with future_table.begin() as c:
        c.exec_driver_sql(f"DELETE FROM {FUTURE} WHERE event_ts > '2024-06-02'")
    spec = _spec(CheckKind.freshness, column="event_ts", params={"max_age_seconds": 3600})
    stale = freshness_check(spec, FUTURE, future_table, datetime(2024, 6, 2, tzinfo=UTC))
    assert stale.verdict == "fail"
    assert stale.summary == "newest event_ts is 2h old (2024-06-01 22:00:00 UTC), allowed 1h"


def test_only_future_timestamps_is_a_clear_failure(future_table: sa.Engine) -> None:
    with future_table.begin() as c:
        c.exec_driver_sql(f"DELETE FROM {FUTURE} WHERE event_ts < '2025-01-01'")
    spec = _spec(CheckKind.freshness, column="event_ts", params={"max_age_seconds": 86400})
    result = freshness_check(spec, FUTURE, future_table, datetime(2024, 6, 2, tzinfo=UTC))
    assert result.verdict == "fail"
    assert result.summary == (
        "3 rows have event_ts in the future (up to 2098-01-01 00:00:00 UTC); "
        "no event_ts at or before now"
    )


def test_future_timestamps_with_a_time_zone(warehouse: sa.Engine) -> None:
    relation = f"{SCHEMA}.events_future_tz"
    with warehouse.begin() as c:
        c.exec_driver_sql(f"DROP TABLE IF EXISTS {relation}")
        c.exec_driver_sql(f"CREATE TABLE {relation} (event_ts TIMESTAMP WITH TIME ZONE)")
        c.exec_driver_sql(
            f"INSERT INTO {relation} VALUES ('2024-06-01 23:00:00+00'), "
            "('2024-06-02 03:00:00+02'), ('2098-01-01 00:00:00+00')"
        )
    spec = _spec(CheckKind.freshness, column="event_ts", params={"max_age_seconds": 86400})
    result = freshness_check(spec, relation, warehouse, datetime(2024, 6, 2, tzinfo=UTC))
    assert result.verdict == "fail"
    # 03:00+02 is 01:00 UTC: in the future by more than the tolerance, like the 2098 row
    assert result.observed["future_rows"] == 2
    assert result.observed["newest"] == "2024-06-01T23:00:00"

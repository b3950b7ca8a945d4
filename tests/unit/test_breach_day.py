"""`--breach bad_event_day[:DAY]`: bad event types on one day only, so only that day's partition
of the daily-partitioned event tables breaches its contract."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from datapact_dagster.sample import generate_landing
from datapact_dagster.sample.vocabulary import BAD_EVENT_TYPE

AS_OF = datetime(2025, 6, 1, 12)


def _bad_by_day(landing: Path) -> dict[str, int]:
    rows = duckdb.sql(
        f"SELECT CAST(event_ts AS DATE), count(*) FROM '{landing / 'customer_events.parquet'}' "
        f"WHERE event_type = '{BAD_EVENT_TYPE}' GROUP BY 1"
    ).fetchall()
    return {str(day): count for day, count in rows}


def test_the_named_day_alone_gets_bad_event_types(tmp_path: Path) -> None:
    manifest = generate_landing(
        tmp_path, rows=5_000, seed=7, as_of=AS_OF, breaches=["bad_event_day:2025-05-30"]
    )
    breach = manifest.breach("bad_event_day")
    assert _bad_by_day(tmp_path) == {"2025-05-30": breach.planted}
    assert breach.planted == 25 and breach.details["day"] == "2025-05-30"
    assert breach.target_check == "raw_customer_events__event_type__invalid_values"


def test_without_a_day_the_newest_events_day_is_chosen(tmp_path: Path) -> None:
    generate_landing(tmp_path, rows=5_000, seed=7, as_of=AS_OF, breaches=["bad_event_day"])
    assert list(_bad_by_day(tmp_path)) == ["2025-06-01"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("bad_event_day:yesterday", "'yesterday' is not a day; write it as YYYY-MM-DD"),
        ("bad_event_day:2020-01-01", "no events on 2020-01-01 to change"),
    ],
)
def test_a_day_that_is_not_one_or_has_no_events_is_refused(
    spec: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=message):
        generate_landing(tmp_path, rows=5_000, seed=7, as_of=AS_OF, breaches=[spec])

"""`datapact metrics TABLE`: the recorded history as text, JSON and CSV, by any spelling of the
table; an unknown table is refused with the closest name."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from datapact_dagster.cli import main
from datapact_dagster.monitoring.model import TableMetrics
from datapact_dagster.monitoring.store import MetricsStore

START = datetime(2026, 11, 1, 6, tzinfo=UTC)


@pytest.fixture
def recorded(project_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'evidence.db'}"
    monkeypatch.setenv("DATAPACT_EVIDENCE_URL", url)
    store = MetricsStore(url)
    for day, rows in enumerate([1000, 1010, 120]):
        store.record(
            TableMetrics(
                asset="bronze/raw_orders",
                physical_name="bronze.raw_orders",
                contract_id="commerce.raw_orders",
                contract_version="2.0.1",
                run_id=f"run-{day}",
                run_kind="build",
                recorded_at=START + timedelta(days=day),
                row_count=rows,
                row_delta=None if day == 0 else rows - 1000,
                null_rates={"customer_id": 0.25 if day == 2 else 0.0},
                distinct_counts={"order_id": rows},
                build_seconds=1.5,
                check_seconds=0.5,
                checks_passed=15 if day == 2 else 16,
                checks_failed=1 if day == 2 else 0,
                breaker="open" if day == 2 else "closed",
                published=day != 2,
                accepted=day != 2,
            )
        )
    store.close()
    return project_root


def test_json_lists_each_run_oldest_first(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["--project", str(recorded), "metrics", "bronze.raw_orders", "--format", "json"]) == 0
    )

    document = json.loads(capsys.readouterr().out)
    assert document["table"] == "bronze/raw_orders"
    assert [r["row_count"] for r in document["runs"]] == [1000, 1010, 120]
    assert document["runs"][2]["null_rates"] == {"customer_id": 0.25}
    assert [r["published"] for r in document["runs"]] == [True, True, False]


def test_text_shows_the_drop_and_since_filters(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    since = (START + timedelta(days=1)).date().isoformat()
    assert main(["--project", str(recorded), "metrics", "bronze/raw_orders", "--since", since]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["RECORDED", "AT", "RUN", "KIND"]
    body = lines[2:]
    assert len(body) == 2
    assert "1,010" in body[0] and "+10" in body[0]
    assert "120" in body[1] and "-880" in body[1] and "open" in body[1]
    assert "customer_id 25.0%" in body[1]


def test_csv_has_a_column_per_profiled_column(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(recorded), "metrics", "raw_orders", "--format", "csv"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["distinct:order_id"] for r in rows] == ["1000", "1010", "120"]
    assert rows[2]["null_rate:customer_id"] == "0.25"


def test_a_table_with_no_runs_says_how_to_record_them(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(recorded), "metrics", "gold/daily_revenue"]) == 0

    assert "no metrics recorded for gold/daily_revenue yet" in capsys.readouterr().out


def test_an_unknown_table_is_refused_with_the_closest_name(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(recorded), "metrics", "bronze/raw_ordes"]) == 2

    err = capsys.readouterr().err
    assert "no contract table 'bronze/raw_ordes'" in err
    assert "did you mean bronze/raw_orders?" in err

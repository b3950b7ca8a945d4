"""The benchmark's three contenders count the same violations (its timings mean nothing otherwise).

Runs each worker in-process on a small bench table; `make bench` runs them at 1M and 10M rows.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from bench.check_step import _compare, _worker_datapact, _worker_floor, _worker_gx_pandas
from bench.data import build_database

ROWS = 200_000


def test_datapact_pandas_and_floor_find_the_same_planted_violations(tmp_path: Path) -> None:
    db = tmp_path / "bench.duckdb"
    build_database(db, ROWS)
    # read-only workers first: DuckDB refuses a read-only connection beside DataPact's engine
    floor = _worker_floor(db, repeat=1)
    pandas = _worker_gx_pandas(db, repeat=1)
    reports = {"datapact": _worker_datapact(db, repeat=2), "gx_pandas": pandas, "floor": floor}

    assert _compare(reports) == []
    counts = floor["counts"]
    assert counts["bench_orders__table__row_count"] == ROWS
    # every planted breach is present at this size, so agreement is not agreement on zeros
    planted = {
        "bench_orders__order_id__not_null": 1,
        "bench_orders__order_id__unique": 4,
        "bench_orders__email__pattern": 2,
        "bench_orders__status__in_set": 2,
        "bench_orders__table__primary_key": 2,
        "bench_orders__event_id__duplicate_values": 2,
        "bench_orders__customer_id__references_bench_customers": 4,
        "bench_orders__table__no_refund_without_amount": 2,
    }
    assert {key: counts[key] for key in planted} == planted
    runs = reports["datapact"]["runs_s"]
    assert len(runs) == 2
    assert reports["datapact"]["seconds"] == statistics.median(runs)
    assert reports["datapact"]["cold_seconds"] == runs[0]


def test_postgres_check_step_and_floor_find_what_duckdb_finds(tmp_path: Path, pg_url: str) -> None:
    import sqlalchemy as sa

    from bench.pg import ServerMemory, load_tables
    from tests.pg_server import create_databases

    create_databases(pg_url, ["bench_agreement"])
    url = sa.engine.make_url(pg_url).set(database="bench_agreement").render_as_string(False)
    db = tmp_path / "bench.duckdb"
    build_database(db, ROWS)
    duckdb_floor = _worker_floor(db, repeat=1)
    load_tables(db, url, tmp_path)
    memory = ServerMemory(url)
    with memory.watching():
        on_postgres = _worker_datapact(db, repeat=1, url=url)
    reports = {
        "floor": duckdb_floor,
        "datapact_pg": on_postgres,
        "floor_pg": _worker_floor(db, repeat=1, url=url),
    }

    assert _compare(reports) == []
    assert on_postgres["counts"]["bench_orders__order_id__unique"] == 4
    assert memory.peak_bytes > 0  # the server's sorts and hashes were seen


def test_stack_floor_runs_a_dagster_job_checked_by_the_gx_worker(tmp_path: Path) -> None:
    """The end-to-end bench's floor is a real run whose check GX validated: a failed one would
    time nothing (it exits 3 unless the worker's validation passed)."""
    home = tmp_path / "floor_home"
    done = subprocess.run(
        [sys.executable, "-m", "bench.stack_floor", str(home)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "RUN_SUCCESS" in done.stderr
    assert (home / "history" / "runs.db").is_file()  # a Dagster instance, not an ephemeral one

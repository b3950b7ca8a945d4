"""Benchmark of the check step: DataPact (GX on SQL) vs GX on pandas vs a hand-written floor.

    python -m bench.check_step --rows 1000000 10000000

Each contender runs in a fresh subprocess on the same temp DuckDB file; a worker reports its
own wall times and peak RSS (ru_maxrss) as one JSON line. All three must find the same counts.

Every contender times the same thing the same way: one whole check call, repeated `--repeat`
times in its process after its libraries are imported; the figure compared is the median call
(the first, cold call is reported beside it: a 2-core VM's timing noise is +-15% per call, so
one call per contender can flip a ratio either way). GX on pandas reports in BASIC format with
20 samples, as DataPact does.

The speed target compares check steps: from the table in the warehouse to the results. For GX
on pandas that is loading the table into a DataFrame (DuckDB's fastest path, `.df()`, timed
once) plus validating it; the validate call alone is reported too, next to the floor's own
ratio to it, which bounds what any SQL engine can reach on that reading.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.data import BENCH_PROJECT, build_database
from bench.pg import ServerMemory, find_pg_bin, load_tables, postgres_cluster
from bench.side_by_side import (
    TARGET_MAX_RATIO_TO_FLOOR,
    TARGET_MAX_RSS_BYTES,
    postgres_ratios,
    print_side_by_side,
)

CONTENDERS = ("datapact", "gx_pandas", "floor")
TARGET_SPEEDUP_VS_PANDAS = 8.0
ON_POSTGRES = ("datapact", "floor")


def _peak_rss_bytes() -> int:
    """This process's peak RSS since it started (VmHWM). Not ru_maxrss: Linux carries the
    parent's resident size into a child's ru_maxrss at exec, and the bench's parent has held
    the whole table by then."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def _timed_calls(call: Any, repeat: int) -> tuple[list[float], Any]:
    """Run `call()` `repeat` times: the wall time of each call and the last call's result."""
    timings, result = [], None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = call()
        timings.append(time.perf_counter() - t0)
    return timings, result


def _timing_report(timings: list[float]) -> dict[str, Any]:
    return {
        "seconds": statistics.median(timings),
        "cold_seconds": timings[0],
        "runs_s": timings,
    }


def _bench_table() -> tuple[Any, Any, Any, list[Any]]:
    """The bench project's contracts, its orders contract and table, and their check specs."""
    from datapact_dagster.checks.compile import compile_table_checks
    from datapact_dagster.plan.loading import require_contracts

    contract_set = require_contracts(BENCH_PROJECT)
    found = contract_set.find_table("bench_orders")
    assert found is not None
    contract, table = found
    return contract_set, contract, table, compile_table_checks(contract, table)


def _worker_datapact(db: Path, repeat: int, url: str | None = None) -> dict[str, Any]:
    """DataPact's check step on the DuckDB file `db`, or on the warehouse at `url`."""
    started = time.perf_counter()
    import sqlalchemy as sa

    from datapact_dagster.checks.engine import run_table_checks
    from datapact_dagster.checks.gx_context import gx

    gx()
    imported = time.perf_counter()
    contract_set, contract, table, specs = _bench_table()
    engine = sa.create_engine(url or f"duckdb:///{db}")
    timings, results = _timed_calls(
        lambda: run_table_checks(contract_set, contract, table, specs, table.physical_name, engine),
        repeat,
    )
    counts: dict[str, Any] = {}
    for r in results:
        assert r.error is None, f"{r.key}: {r.error}"
        if r.spec.kind.value in ("row_count", "sql"):
            counts[r.key] = r.observed or 0
        elif r.spec.kind.value == "custom":
            counts[r.key] = round(float(r.observed), 6)
        elif r.unexpected_count is not None:
            counts[r.key] = r.unexpected_count
    return {
        "import_s": imported - started,
        **_timing_report(timings),
        "counts": counts,
        "verdicts": {r.key: r.verdict for r in results},
    }


def _pandas_suite(suite: dict[str, Any], parent_keys: list[str]) -> dict[str, Any]:
    """The DataPact suite with its SQL-only expectations replaced by pandas equivalents."""
    from great_expectations.expectations.row_conditions import Column

    replacements = {
        "bench_orders__customer_id__references_bench_customers": {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "customer_id", "value_set": parent_keys},
        },
        "bench_orders__table__no_refund_without_amount": {
            "type": "expect_column_values_to_not_be_in_set",
            "kwargs": {
                "column": "amount",
                "value_set": [0.0],
                "row_condition": Column("status") == "shipped",
            },
        },
    }
    expectations = []
    for e in suite["expectations"]:
        key = e["meta"]["datapact_key"]
        expectations.append({**e, **replacements.get(key, {})})
    return {**suite, "expectations": expectations}


def _worker_gx_pandas(db: Path, repeat: int) -> dict[str, Any]:
    started = time.perf_counter()
    import duckdb
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from datapact_dagster.checks.gx_suite import build_suite

    imported = time.perf_counter()
    contract_set, _, table, specs = _bench_table()
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET enable_progress_bar = false")
        frame = con.execute(f"SELECT * FROM {table.physical_name}").df()
        parent_keys = [
            r[0] for r in con.execute("SELECT customer_id FROM bronze.bench_customers").fetchall()
        ]
    loaded = time.perf_counter()
    # native regex: the suite GX itself would run on a regex-capable engine
    published = {t.name: t.physical_name for _, t in contract_set.tables}
    suite_dict = _pandas_suite(build_suite(table.name, specs, "postgresql", published), parent_keys)

    def validate() -> Any:
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        batch = (
            context.data_sources.add_pandas("bench")
            .add_dataframe_asset("orders")
            .add_batch_definition_whole_dataframe("all")
            .get_batch(batch_parameters={"dataframe": frame})
        )
        suite = gx.ExpectationSuite(**suite_dict)
        assert len(suite.expectations) == len(suite_dict["expectations"])
        return batch.validate(
            suite, result_format={"result_format": "BASIC", "partial_unexpected_count": 20}
        )

    timings, validation = _timed_calls(validate, repeat)
    kinds = {s.key: s.kind.value for s in specs}
    counts: dict[str, Any] = {}
    for r in validation.results:
        key = r.expectation_config.meta["datapact_key"]
        assert not r.exception_info.get("raised_exception"), (key, r.exception_info)
        if kinds[key] == "row_count":
            counts[key] = r.result["observed_value"]
        elif kinds[key] == "custom":
            counts[key] = round(float(r.result["observed_value"]), 6)
        else:
            counts[key] = r.result["unexpected_count"]
    return {
        "import_s": imported - started,
        "load_s": loaded - imported,
        **_timing_report(timings),
        "counts": counts,
    }


def _worker_floor(db: Path, repeat: int, url: str | None = None) -> dict[str, Any]:
    """The hand-written floor on the DuckDB file `db`, or on the PostgreSQL server at `url`."""
    if url:
        return _worker_floor_postgres(url, repeat)
    import duckdb

    from bench.floor import floor_counts
    from datapact_dagster.warehouse.dialects.duckdb_memory import CHECK_MEMORY_LIMIT

    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SET enable_progress_bar = false")
        # the same DuckDB memory limit as DataPact's check step: it is faster with it
        con.execute(f"SET memory_limit = '{CHECK_MEMORY_LIMIT}'")
        timings, counts = _timed_calls(lambda: floor_counts(con), repeat)
    return {**_timing_report(timings), "counts": counts}


def _worker_floor_postgres(url: str, repeat: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from bench.floor import floor_counts, floor_sql

    engine = sa.create_engine(url)
    connection = engine.raw_connection()
    try:
        timings, counts = _timed_calls(
            lambda: floor_counts(connection, floor_sql("postgresql")), repeat
        )
    finally:
        connection.close()
        engine.dispose()
    return {**_timing_report(timings), "counts": counts}


WORKERS = {"datapact": _worker_datapact, "gx_pandas": _worker_gx_pandas, "floor": _worker_floor}


def _run_worker(contender: str, db: Path, repeat: int, url: str | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            *("-m", "bench.check_step", "--worker", contender),
            *("--db", str(db), "--repeat", str(repeat)),
            *(("--url", url) if url else ()),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{contender} worker failed:\n{done.stderr[-4000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["process_s"] = time.perf_counter() - t0
    return report


def _compare(reports: dict[str, dict[str, Any]]) -> list[str]:
    reference = reports["floor"]["counts"]
    problems = []
    for contender in (name for name in reports if name != "floor"):
        counts = reports[contender]["counts"]
        for key, expected in reference.items():
            if key not in counts:
                problems.append(f"{contender}: no count for {key}")
            elif counts[key] != expected:
                problems.append(f"{contender}: {key} = {counts[key]}, floor says {expected}")
    return problems


def _on_postgres(db: Path, repeat: int, url: str, folder: Path) -> dict[str, dict[str, Any]]:
    """DataPact and the floor on PostgreSQL, each with the server's peak work memory."""
    t0 = time.perf_counter()
    load_tables(db, url, folder)
    print(f"   (copied into PostgreSQL in {time.perf_counter() - t0:.1f} s)", flush=True)
    memory = ServerMemory(url)
    reports = {}
    for contender in ON_POSTGRES:
        with memory.watching():
            report = _run_worker(contender, db, repeat, url)
        reports[f"{contender}_pg"] = {**report, "server_bytes": memory.peak_bytes}
    return reports


def bench(rows: int, repeat: int, pg_url: str | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="datapact-bench-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        t0 = time.perf_counter()
        build_database(db, rows)
        print(f"\n== {rows:,} rows (table built in {time.perf_counter() - t0:.1f} s)", flush=True)
        reports = {c: _run_worker(c, db, repeat) for c in CONTENDERS}
        if pg_url:
            reports.update(_on_postgres(db, repeat, pg_url, Path(tmp)))
    problems = _compare(reports)
    dp, pd_, fl = reports["datapact"], reports["gx_pandas"], reports["floor"]
    gib = 1 << 30
    for name, r in reports.items():
        runs = ", ".join(f"{t:.2f}" for t in r["runs_s"])
        extra = f"  (+{r['load_s']:.1f} s loading the table into pandas)" if "load_s" in r else ""
        imp = f"  import {r['import_s']:.1f} s" if "import_s" in r else ""
        server = f"  server +{r['server_bytes'] / (1 << 20):.0f} MiB" if "server_bytes" in r else ""
        print(
            f"{name:>11}: {r['seconds']:7.2f} s median of [{runs}]"
            f"  peak RSS {r['rss_bytes'] / gib:5.2f} GiB{imp}{extra}{server}",
            flush=True,
        )
    pandas_step = pd_["load_s"] + pd_["seconds"]
    speedup = pandas_step / dp["seconds"]
    vs_floor = dp["seconds"] / fl["seconds"]
    print(f"   counts agree: {'yes' if not problems else 'NO'}")
    for p in problems:
        print(f"     {p}")
    return {
        "rows": rows,
        "reports": reports,
        "pandas_check_step_s": pandas_step,
        "speedup_vs_pandas": speedup,
        "speedup_vs_pandas_cold": (pd_["load_s"] + pd_["cold_seconds"]) / dp["cold_seconds"],
        "speedup_vs_pandas_validate_only": pd_["seconds"] / dp["seconds"],
        "floor_speedup_vs_pandas_validate_only": pd_["seconds"] / fl["seconds"],
        "ratio_to_floor": vs_floor,
        "count_problems": problems,
        "targets": _targets(dp["rss_bytes"], speedup, vs_floor),
        **postgres_ratios(reports),
    }


def _targets(rss: int, speedup: float, vs_floor: float) -> dict[str, bool]:
    return {
        "speedup_vs_pandas": speedup >= TARGET_SPEEDUP_VS_PANDAS,
        "peak_rss": rss <= TARGET_MAX_RSS_BYTES,
        "ratio_to_floor": vs_floor <= TARGET_MAX_RATIO_TO_FLOOR,
    }


def _cell(report: dict[str, Any]) -> str:
    return f"{report['seconds']:6.2f} s, {report['rss_bytes'] / (1 << 30):4.2f} GiB"


def print_table(results: list[dict[str, Any]]) -> None:
    """The final table: one row per size, the three contenders and the targets."""
    gib = 1 << 30
    header = (
        f"| {'rows':>10} | {'DataPact (GX on SQL)':>22} | {'GX on pandas (load + validate)':>31} "
        f"| {'SQL floor':>17} | {'vs pandas':>9} | {'vs validate':>11} | {'vs floor':>8} "
        "| counts |"
    )
    print("\n" + header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for r in results:
        dp, pd_, fl = (r["reports"][c] for c in CONTENDERS)
        pandas = f"{pd_['load_s']:.1f} + {pd_['seconds']:.1f} s, {pd_['rss_bytes'] / gib:4.2f} GiB"
        agree = "agree" if not r["count_problems"] else "DIFFER"
        print(
            f"| {r['rows']:>10,} | {_cell(dp):>22} | {pandas:>31} | {_cell(fl):>17} "
            f"| {r['speedup_vs_pandas']:8.1f}x | {r['speedup_vs_pandas_validate_only']:10.1f}x "
            f"| {r['ratio_to_floor']:7.2f}x | {agree:>6} |"
        )
    target_rows = max(results, key=lambda r: r["rows"])
    t = target_rows["targets"]
    dp = target_rows["reports"]["datapact"]
    verdict = {True: "PASS", False: "FAIL"}
    print(f"\nTargets at {target_rows['rows']:,} rows (DuckDB):")
    print(
        f"  {verdict[t['speedup_vs_pandas']]}  >= {TARGET_SPEEDUP_VS_PANDAS:g}x faster than GX on"
        f" pandas, check step (table to results): {target_rows['speedup_vs_pandas']:.1f}x"
        f" (first calls: {target_rows['speedup_vs_pandas_cold']:.1f}x)"
    )
    print(
        f"  {verdict[t['peak_rss']]}  peak RSS <= {TARGET_MAX_RSS_BYTES / gib:g} GiB:"
        f" {dp['rss_bytes'] / gib:.2f} GiB"
    )
    print(
        f"  {verdict[t['ratio_to_floor']]}  <= {TARGET_MAX_RATIO_TO_FLOOR:g}x the single-pass"
        f" floor: {target_rows['ratio_to_floor']:.2f}x"
    )
    agree = all(not r["count_problems"] for r in results)
    print(f"  {verdict[agree]}  all three found the same violation counts", flush=True)
    print(
        "  info  vs GX on pandas' validate call alone (DataFrame already in memory):"
        f" {target_rows['speedup_vs_pandas_validate_only']:.1f}x; the hand-written floor"
        f" reaches {target_rows['floor_speedup_vs_pandas_validate_only']:.1f}x",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed calls per contender; the median counts"
    )
    parser.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.worker:
        on_url = {"url": args.url} if args.url else {}
        report = WORKERS[args.worker](args.db, args.repeat, **on_url)
        report["rss_bytes"] = _peak_rss_bytes()
        print(json.dumps(report, default=str))
        return 0
    if find_pg_bin() is None:
        print("PostgreSQL server binaries not found: DuckDB only", flush=True)
        results = [bench(rows, args.repeat) for rows in args.rows]
    else:
        with postgres_cluster() as pg_url:
            results = [bench(rows, args.repeat, pg_url) for rows in args.rows]
    print_table(results)
    print_side_by_side(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 1 if any(r["count_problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of whole commands on one landing file: `datapact run` against `datacontract test`,
and the sample domain on PostgreSQL against DuckDB.

    python -m bench.end_to_end --rows 1000000 10000000

One contract (bench/e2e: not-null x3, unique, range, enum, regex, row count, freshness) over one
Parquet landing file with the bench's planted violations. Each contender is one fresh process per
call, timed from start to exit (`--repeat` calls after an untimed one that caches bytecode, the
median counts), with its peak RSS:
- `datapact run`: load the file, every check, write-audit-publish, evidence, Dagster events,
  in a fresh state folder each call;
- `datacontract test` (datacontract-cli, in its own environment made by `uv tool run`) on the
  same file and contract, JSON results.
Both must count the same violations. Beside them, two floors: the stack's, which every
`datapact run` pays (`bench.stack_floor`: Dagster started while the GX worker loads GX, one
trivial asset whose check the worker validates, as a whole process), and writing the file
into a DuckDB table (one statement, in this process), which every run that stages into DuckDB
pays. The sample domain (`datapact generate`, 100k orders) is then run on DuckDB and on a
throwaway PostgreSQL, `--repeat` calls each in turn, each on fresh state, the medians compared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from bench.data import ORDERS, build_database
from bench.pg import find_pg_bin, postgres_cluster

E2E_PROJECT = Path(__file__).resolve().parent / "e2e"
REPO = Path(__file__).resolve().parent.parent
_UV = (shutil.which("uv"),) if shutil.which("uv") else (sys.executable, "-m", "uv")  # as make
DATACONTRACT = (*_UV, "tool", "run", "--from", "datacontract-cli[duckdb]==1.2.8", "datacontract")
TARGETS = {1_000_000: 1.5, 10_000_000: 1.0}
"""Largest `datapact run` time as a multiple of `datacontract test`'s, per size."""
TARGET_SAMPLE_PG_TO_DUCKDB = 2.0
# DataPact check key -> datacontract-cli check keys whose failed rows add up to the same count
SAME_RULES = {
    "e2e_orders__order_id__not_null": ("e2e_orders__order_id__field_required",),
    "e2e_orders__customer_id__not_null": ("e2e_orders__customer_id__field_required",),
    "e2e_orders__status__not_null": ("e2e_orders__status__field_required",),
    "e2e_orders__order_id__unique": ("e2e_orders__order_id__field_unique",),
    "e2e_orders__email__pattern": ("e2e_orders__email__field_regex",),
    "e2e_orders__status__status_values": ("e2e_orders__status__field_invalid_values",),
    "e2e_orders__amount__between": (
        "e2e_orders__amount__field_minimum",
        "e2e_orders__amount__field_maximum",
    ),
}


def _tree_peak_rss(pid: int) -> int:
    """The largest peak RSS (VmHWM) among `pid` and its descendants now alive."""
    peak, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:  # ended meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) * 1024)
    return peak


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, int]:
    """Run `command` to its end: wall seconds, peak RSS (bytes, its largest process, sampled
    every 50 ms: ru_maxrss would count this parent's size), exit code."""
    with tempfile.TemporaryFile() as errors:
        t0 = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_peak_rss(process.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - t0
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{stderr[-3000:]}")
    return seconds, peak, process.returncode


def _project(folder: Path, landing: Path, pycache: Path) -> dict[str, str]:
    """The contenders' environment. Both run with their bytecode cached, as an installed tool
    has it (pip compiles at install, Python caches on first import): PYTHONDONTWRITEBYTECODE,
    set in many containers, would otherwise have each call compile its libraries again."""
    shutil.copytree(E2E_PROJECT, folder, dirs_exist_ok=True)
    env = {
        **os.environ,
        "DATAPACT_PROJECT_DIR": str(folder),
        "DATAPACT_LANDING_DIR": str(landing),
        "DATAPACT_LANDING_MAX_BYTES": str(64 << 30),
        "PYTHONPYCACHEPREFIX": str(pycache),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _datapact_counts(folder: Path, env: dict[str, str]) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-m", "datapact_dagster.cli", "report", "--format", "json"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    counts = {}
    for record in json.loads(done.stdout)["records"]:
        observed = record.get("observed") or {}
        if record.get("check_key") in SAME_RULES and observed.get("unexpected_count") is not None:
            counts[record["check_key"]] = int(observed["unexpected_count"])
    return counts


def _datacontract_counts(results: Path) -> dict[str, int]:
    found = {
        c["key"]: c.get("diagnostics") or {} for c in json.loads(results.read_text())["checks"]
    }
    counts = {}
    for ours, theirs in SAME_RULES.items():
        # a unique check reports duplicated values and the rows holding them: rows compare
        failed = [
            found[k].get("failed_rows", found[k].get("value", 0)) for k in theirs if k in found
        ]
        counts[ours] = sum(int(v or 0) for v in failed)
    return counts


def end_to_end(rows: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="datapact-e2e-") as tmp:
        base = Path(tmp)
        project = base / "project"
        landing = project / "landing"  # where the contract's server points datacontract-cli
        landing.mkdir(parents=True)
        build_database(base / "bench.duckdb", rows)
        with duckdb.connect(str(base / "bench.duckdb")) as con:
            target = landing / "e2e_orders.parquet"
            con.execute(f"COPY {ORDERS} TO '{target}' (FORMAT parquet)")
        (base / "bench.duckdb").unlink()
        print(f"\n== {rows:,} rows, one Parquet landing file", flush=True)
        env = _project(project, landing, base / "pycache")
        results = base / "datacontract.json"
        contract = project / "contracts" / "e2e_orders.yaml"
        datacontract = [
            *DATACONTRACT,
            "test",
            str(contract),
            "--output-format",
            "json",
            "--output",
            str(results),
        ]
        floor = [sys.executable, "-m", "bench.stack_floor", str(base / "floor_home")]
        theirs, ours, floors = [], [], []
        for _ in range(max(1, repeat) + 1):  # the first call of each, untimed, caches bytecode
            shutil.rmtree(project / ".datapact", ignore_errors=True)
            ours.append(_timed([sys.executable, "-m", "datapact_dagster.cli", "run"], project, env))
            theirs.append(_timed(datacontract, project, env))
            floors.append(_timed(floor, REPO, env))
            if floors[-1][2] != 0:
                raise RuntimeError(f"{' '.join(floor)} failed: the stack floor timed nothing")
        write_s = _duckdb_write_seconds(target, base / "write.duckdb")
        counts = {
            "datapact": _datapact_counts(project, env),
            "datacontract": _datacontract_counts(results),
        }
    ours, theirs, floors = ours[1:], theirs[1:], floors[1:]
    report = {
        "rows": rows,
        "datapact_s": statistics.median(t for t, _, _ in ours),
        "datacontract_s": statistics.median(t for t, _, _ in theirs),
        "stack_floor_s": statistics.median(t for t, _, _ in floors),
        "stack_floor_runs_s": [t for t, _, _ in floors],
        "duckdb_write_s": write_s,
        "datapact_runs_s": [t for t, _, _ in ours],
        "datacontract_runs_s": [t for t, _, _ in theirs],
        "datapact_rss_bytes": max(r for _, r, _ in ours),
        "datacontract_rss_bytes": max(r for _, r, _ in theirs),
        "counts": counts,
        "counts_agree": counts["datapact"] == counts["datacontract"],
    }
    report["ratio"] = report["datapact_s"] / report["datacontract_s"]
    for name in ("datapact", "datacontract"):
        runs = ", ".join(f"{t:.1f}" for t in report[f"{name}_runs_s"])
        print(
            f"{name:>13}: {report[f'{name}_s']:6.1f} s median of [{runs}]"
            f"  peak RSS {report[f'{name}_rss_bytes'] / (1 << 30):.2f} GiB",
            flush=True,
        )
    print(
        f"  stack floor: {report['stack_floor_s']:6.1f} s median (Dagster started, GX in its"
        f" worker, one trivial checked asset); writing the file into a DuckDB table:"
        f" {write_s:.1f} s",
        flush=True,
    )
    print(f"   counts agree: {'yes' if report['counts_agree'] else 'NO'} {counts}", flush=True)
    return report


def _duckdb_write_seconds(parquet: Path, database: Path) -> float:
    """One `CREATE TABLE AS` of the whole file into a new DuckDB file, as staging does."""
    with duckdb.connect(str(database)) as con:
        t0 = time.perf_counter()
        con.execute(f"CREATE TABLE staged AS SELECT * FROM read_parquet('{parquet}')")
        seconds = time.perf_counter() - t0
    database.unlink()
    return seconds


def sample_domain(pg_url: str | None, repeat: int) -> dict[str, Any]:
    """`datapact generate && datapact run` of the sample project, on DuckDB and PostgreSQL:
    `repeat` calls of each in turn (DuckDB, PostgreSQL, DuckDB, ...), each on fresh state (its
    own DuckDB file and Dagster storage, or a new PostgreSQL database) over the same landing
    files; the medians count. One call each varied by a third on this kind of machine."""
    report: dict[str, Any] = {}
    runs: dict[str, list[tuple[float, int, int]]] = {"duckdb": [], "postgresql": []}
    with tempfile.TemporaryDirectory(prefix="datapact-sample-") as tmp:
        project = Path(tmp)
        for part in ("contracts", "sql"):
            shutil.copytree(REPO / part, project / part)
        env = {**os.environ, "DATAPACT_PROJECT_DIR": str(project)}
        env.pop("DATAPACT_WAREHOUSE_URL", None)
        cli = [sys.executable, "-m", "datapact_dagster.cli"]
        subprocess.run([*cli, "generate"], cwd=project, env=env, check=True, capture_output=True)
        for call in range(max(1, repeat)):
            for name in runs:
                if name == "postgresql" and pg_url is None:
                    continue
                _fresh_state(project / ".datapact")
                url = _fresh_database(pg_url, f"sample_{call}") if name == "postgresql" else None
                run_env = {**env, **({"DATAPACT_WAREHOUSE_URL": url} if url else {})}
                runs[name].append(_timed([*cli, "run"], project, run_env))
                print(f"   sample domain on {name}: {runs[name][-1][0]:.1f} s", flush=True)
    for name, timed in runs.items():
        if timed:
            report[name] = {
                "seconds": statistics.median(t for t, _, _ in timed),
                "runs_s": [t for t, _, _ in timed],
                "rss_bytes": max(r for _, r, _ in timed),
            }
    return report


def _fresh_state(state: Path) -> None:
    """Everything `datapact run` keeps in the state folder goes, except the landing files."""
    for child in state.iterdir() if state.is_dir() else ():
        if child.name != "landing":
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def _fresh_database(server_url: str, name: str) -> str:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def print_summary(results: list[dict[str, Any]], sample: dict[str, Any]) -> bool:
    print(
        "\n| rows | datapact run | datacontract test | ratio | target | counts"
        " | stack floor | DuckDB write |"
    )
    print("|-----:|-------------:|------------------:|------:|-------:|--------|------:|------:|")
    met = True
    for r in results:
        target = TARGETS.get(r["rows"], 1.5)
        ok = r["ratio"] <= target
        met &= ok and r["counts_agree"]
        gib = 1 << 30
        print(
            f"| {r['rows']:,} | {r['datapact_s']:.1f} s, {r['datapact_rss_bytes'] / gib:.2f} GiB"
            f" | {r['datacontract_s']:.1f} s, {r['datacontract_rss_bytes'] / gib:.2f} GiB"
            f" | {r['ratio']:.2f}x | <= {target:g}x {'met' if ok else 'MISSED'}"
            f" | {'agree' if r['counts_agree'] else 'DIFFER'}"
            f" | {r['stack_floor_s']:.1f} s | {r['duckdb_write_s']:.1f} s |"
        )
    if "postgresql" in sample:
        ratio = sample["postgresql"]["seconds"] / sample["duckdb"]["seconds"]
        ok = ratio <= TARGET_SAMPLE_PG_TO_DUCKDB
        met &= ok
        pg, duck = sample["postgresql"]["seconds"], sample["duckdb"]["seconds"]
        print(
            f"\nSample domain (medians of {len(sample['duckdb']['runs_s'])} calls each):"
            f" PostgreSQL {pg:.1f} s, DuckDB {duck:.1f} s: {ratio:.2f}x,"
            f" <= {TARGET_SAMPLE_PG_TO_DUCKDB:g}x {'met' if ok else 'MISSED'}",
            flush=True,
        )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="calls per contender")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    subprocess.run([*DATACONTRACT, "--version"], check=True, capture_output=True)  # installs it
    results = [end_to_end(rows, args.repeat) for rows in args.rows]
    if find_pg_bin() is None:
        sample = sample_domain(None, args.repeat)
    else:
        with postgres_cluster() as pg_url:
            sample = sample_domain(pg_url, args.repeat)
    print_summary(results, sample)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"end_to_end": results, "sample": sample}, indent=2))
    return 0 if all(r["counts_agree"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

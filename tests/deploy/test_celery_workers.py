"""The sample pipeline with its steps on two Celery workers: Redis as the broker on 127.0.0.1,
Dagster's storage, the warehouse and the evidence store on one real PostgreSQL server, and
`datapact run` with DATAPACT_EXECUTOR=celery submitting each table step to whichever worker is
free. The run must succeed, publish every table, take steps on BOTH workers (read from the
engine event each worker records with its own hostname) and leave an intact evidence chain.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from dagster import DagsterEventType, EventLogEntry
from dagster_shared.serdes import deserialize_value

from tests.pg_server import create_databases, find_pg_bin
from tests.processes import stop_process_group

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = [
    pytest.mark.skipif(find_pg_bin() is None, reason="PostgreSQL server binaries not installed"),
    pytest.mark.skipif(
        not Path(REDIS_SERVER).exists(), reason="redis-server not installed (apt-get install redis)"
    ),
]

WORKERS = ("datapact-w1", "datapact-w2")
POOL = "datapact_warehouse"
TABLES = (
    "bronze/raw_customer_events",
    "bronze/raw_customers",
    "bronze/raw_orders",
    "silver/customer_events",
    "silver/customers",
    "silver/orders",
    "gold/customer_profile",
    "gold/daily_revenue",
)
TIMEOUT = 600


@dataclass
class RunSteps:
    status: str
    workers_by_step: dict[str, str] = field(default_factory=dict)
    """Each step's Celery worker, from the engine event a worker records before it runs one."""
    step_times: dict[str, list[float]] = field(default_factory=dict)
    """Each step's start and end."""


@dataclass
class CeleryRun:
    env: dict[str, str]
    project: Path
    logs: Path
    urls: dict[str, str]
    results: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    steps: dict[str, RunSteps] = field(default_factory=dict)
    """What Dagster's storage holds of each run, by the name this test gave the run."""
    wall_seconds: float = 0.0

    def call(self, name: str, *command: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            list(command),
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        self.results[name] = result
        return result

    def datapact(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        return self.call(name, sys.executable, "-m", "datapact_dagster.cli", *args)

    def said(self) -> str:
        parts = [
            f"--- {name}: exit {r.returncode}\n{r.stdout[-3000:]}{r.stderr[-3000:]}"
            for name, r in self.results.items()
        ]
        for log in sorted(self.logs.glob("*.log")):
            parts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(
    command: list[str], log: Path, env: dict[str, str], cwd: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_for_text(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:]
    raise AssertionError(f"{log.name}: no {text!r} within {timeout}s\n{tail}")


def _project(root: Path, target: Path) -> Path:
    target.mkdir()
    shutil.copytree(root / "contracts", target / "contracts")
    shutil.copytree(root / "sql", target / "sql")
    shutil.copy(root / "workspace.yaml", target / "workspace.yaml")
    return target


def _read_run(run: CeleryRun, name: str) -> None:
    """What Dagster's storage holds of the newest run, kept under `name`."""
    engine = sa.create_engine(run.urls["dagster"])
    with engine.connect() as conn:
        run_id, status = conn.execute(
            sa.text("SELECT run_id, status FROM runs ORDER BY create_timestamp DESC LIMIT 1")
        ).one()
        rows = conn.execute(
            sa.text(
                "SELECT event FROM event_logs WHERE run_id = :run_id AND dagster_event_type IN "
                "('ENGINE_EVENT', 'STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE')"
            ),
            {"run_id": run_id},
        ).scalars()
        steps = RunSteps(status)
        for body in rows:
            entry = deserialize_value(body, EventLogEntry)
            event = entry.dagster_event
            if event is None or not event.step_key:
                continue
            if event.event_type is DagsterEventType.ENGINE_EVENT:
                metadata = event.engine_event_data.metadata
                if "Celery worker" in metadata:
                    steps.workers_by_step[event.step_key] = str(metadata["Celery worker"].value)
            else:
                steps.step_times.setdefault(event.step_key, []).append(entry.timestamp)
    engine.dispose()
    run.steps[name] = steps


def _most_steps_at_once(step_times: dict[str, list[float]]) -> int:
    edges = sorted(
        (at, change)
        for times in step_times.values()
        for at, change in ((min(times), 1), (max(times), -1))
    )
    running = most = 0
    for _, change in edges:
        running += change
        most = max(most, running)
    return most


def _set_pool_limit(run: CeleryRun, limit: int) -> None:
    command = ("-m", "dagster", "instance", "concurrency", "set", POOL, str(limit))
    assert run.call(f"pool {limit}", sys.executable, *command).returncode == 0, run.said()


def _run_on_two_workers(run: CeleryRun) -> None:
    started = time.monotonic()
    assert run.datapact("generate", "generate", "--rows", "300").returncode == 0, run.said()
    run.datapact("doctor", "doctor")
    # Two steps hold the warehouse pool at once, so both workers have work at the same time.
    _set_pool_limit(run, 2)
    run.datapact("run", "run")
    _read_run(run, "run")
    run.datapact("verify", "evidence", "verify")
    run.wall_seconds = time.monotonic() - started
    # The pool at one step: the three bronze steps, all ready at once, run one after another
    # though two workers are free.
    _set_pool_limit(run, 1)
    run.datapact("bronze", "run", "--select", "group:bronze")
    _read_run(run, "bronze")


@pytest.fixture(scope="module")
def celery_run(
    pg_url: str, project_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryRun]:
    tmp = tmp_path_factory.mktemp("celery")
    logs = tmp / "logs"
    logs.mkdir()
    names = {store: f"celery_{store}" for store in ("dagster", "warehouse", "evidence")}
    create_databases(pg_url, list(names.values()))
    server = pg_url.rsplit("/", 1)[0].split("://", 1)[1]
    urls = {store: f"postgresql+psycopg2://{server}/{db}" for store, db in names.items()}
    redis_port = _free_port()
    state = tmp / "state"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATAPACT_", "DAGSTER_"))},
        "DATAPACT_PROJECT_DIR": str(_project(project_root, tmp / "project")),
        "DATAPACT_STATE_DIR": str(state),
        "DAGSTER_HOME": str(state / "dagster_home"),
        "DAGSTER_PG_URL": urls["dagster"],
        "DATAPACT_WAREHOUSE_URL": urls["warehouse"],
        "DATAPACT_EVIDENCE_URL": urls["evidence"],
        "DATAPACT_EXECUTOR": "celery",
        "DATAPACT_CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
    }
    run = CeleryRun(env, tmp / "project", logs, urls)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        redis_dir = tmp / "redis"
        redis_dir.mkdir()
        redis = _start(
            [
                REDIS_SERVER,
                *("--bind", "127.0.0.1", "--port", str(redis_port), "--dir", str(redis_dir)),
                *("--save", "", "--appendonly", "no"),
            ],
            logs / "redis.log",
            env,
            redis_dir,
        )
        processes.append(redis)
        _wait_for_text(logs / "redis.log", "Ready to accept connections", redis, timeout=30)
        for hostname in WORKERS:
            log = logs / f"{hostname}.log"
            worker = _start(
                [
                    *(sys.executable, "-m", "celery"),
                    *("-A", "datapact_dagster.pipeline.celery_worker", "worker"),
                    *("--hostname", f"{hostname}@%h", "-Q", "dagster", "--concurrency", "1"),
                    *("--without-gossip", "--without-mingle", "--loglevel", "INFO"),
                ],
                log,
                env,
                run.project,
            )
            processes.append(worker)
        for hostname, worker in zip(WORKERS, processes[1:], strict=True):
            _wait_for_text(logs / f"{hostname}.log", "ready.", worker, timeout=60)
        _run_on_two_workers(run)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{run.said()}") from exc
    finally:
        for process in reversed(processes):
            stop_process_group(process)
    steps = run.steps.get("run", RunSteps("none"))
    print(
        f"\nrun on two Celery workers took {run.wall_seconds:.0f}s; steps per worker: "
        f"{Counter(steps.workers_by_step.values())}; at most "
        f"{_most_steps_at_once(steps.step_times)} steps at once",
        file=sys.stderr,
    )
    yield run


def test_the_run_succeeds_and_publishes_every_table(celery_run: CeleryRun) -> None:
    result = celery_run.results["run"]
    assert result.returncode == 0, celery_run.said()
    assert celery_run.steps["run"].status == "SUCCESS"
    for table in TABLES:
        lines = [line for line in result.stdout.splitlines() if line.strip().startswith(table)]
        assert lines and "published" in lines[0], f"{table}:\n{result.stdout}"
    warehouse = sa.create_engine(celery_run.urls["warehouse"])
    with warehouse.connect() as conn:
        published = conn.execute(sa.text("SELECT count(*) FROM gold.daily_revenue")).scalar()
    warehouse.dispose()
    assert published and published > 0


def test_steps_ran_on_both_workers(celery_run: CeleryRun) -> None:
    steps = celery_run.steps["run"]
    assert len(steps.workers_by_step) == len(TABLES), steps.workers_by_step
    assert set(steps.step_times) == set(steps.workers_by_step)
    per_worker = Counter(worker.split("@", 1)[0] for worker in steps.workers_by_step.values())
    assert set(per_worker) == set(WORKERS), per_worker
    assert _most_steps_at_once(steps.step_times) == 2
    for hostname in WORKERS:
        log = (celery_run.logs / f"{hostname}.log").read_text(errors="replace")
        assert "Task execute_plan" in log and "succeeded" in log, log[-2000:]


def test_the_warehouse_pool_holds_across_workers(celery_run: CeleryRun) -> None:
    """The run's process claims a slot of the warehouse pool before it hands a step to the
    broker: at a limit of one, the three bronze steps run one at a time on two free workers."""
    bronze = celery_run.steps["bronze"]
    assert celery_run.results["bronze"].returncode == 0, celery_run.said()
    assert bronze.status == "SUCCESS"
    assert len(bronze.step_times) == 3 and len(bronze.workers_by_step) == 3
    assert _most_steps_at_once(bronze.step_times) == 1


def test_the_evidence_chain_verifies(celery_run: CeleryRun) -> None:
    verify = celery_run.results["verify"]
    assert verify.returncode == 0, celery_run.said()
    assert "Evidence chain intact" in verify.stdout

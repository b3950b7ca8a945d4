"""A shared deployment on one real PostgreSQL server: Dagster's storage, the warehouse and the
evidence store each in a database of their own, driven through `datapact` and Dagster's daemon.

One story, run once per module: an upstream error is reported as an error (never as a breach),
a clean build, the daemon's breaker sensor and a schedule holding downstream after a breach, a
refused held launch, recovery, and the evidence chain verified, with every run recorded in
PostgreSQL rather than in files under DAGSTER_HOME.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from tests.pg_server import create_databases, find_pg_bin
from tests.processes import stop_process_group

pytestmark = pytest.mark.skipif(
    find_pg_bin() is None, reason="PostgreSQL server binaries not installed"
)

SCHEDULE_CRON = "* * * * *"
SCHEDULE = "contract_pipeline_schedule_x_x_x_x_x"
"""The build schedule of gold/customer_profile, whose contract this test puts on SCHEDULE_CRON."""
SENSOR = "contract_breaker_sensor"
HELD = ("silver/orders", "gold/customer_profile", "gold/daily_revenue")
CLI_TIMEOUT = 300
DOWNSTREAM_OF_ORDERS = "key:bronze/raw_orders+"
ROWS = "500"


@dataclass
class Deployment:
    project: Path
    state: Path
    urls: dict[str, str]
    """The server URL of each store: dagster, warehouse, evidence (psycopg2 spelling)."""
    env: dict[str, str]
    results: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    ticks: dict[str, str] = field(default_factory=dict)
    runs_in_pg: list[tuple[str, str]] = field(default_factory=list)
    wall_seconds: float = 0.0
    daemon: subprocess.Popen[bytes] | None = None

    def cli(self, name: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "datapact_dagster.cli", *args],
            cwd=self.project,
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
        )
        self.results[name] = result
        return result

    def dagster(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dagster", *args, "-w", "workspace.yaml"],
            cwd=self.project,
            env=self.daemon_env(),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
        )

    def daemon_env(self) -> dict[str, str]:
        """Dagster's own processes read DAGSTER_PG_URL as written: the installed driver's
        spelling, as docs/deployment.md says."""
        return {**self.env, "DAGSTER_PG_URL": self.urls["dagster"]}

    def dagster_db(self) -> sa.Engine:
        return sa.create_engine(self.urls["dagster"])


def _project(root: Path, target: Path) -> Path:
    """The sample project with gold/customer_profile built every minute, so the daemon's
    schedule ticks while the test runs."""
    target.mkdir()
    shutil.copytree(root / "contracts", target / "contracts")
    shutil.copytree(root / "sql", target / "sql")
    shutil.copy(root / "workspace.yaml", target / "workspace.yaml")
    contract = target / "contracts" / "customer_profile.yaml"
    text = contract.read_text()
    assert 'value: "0 6 * * *"' in text
    contract.write_text(text.replace('value: "0 6 * * *"', f'value: "{SCHEDULE_CRON}"'))
    return target


def _wait_for(what: str, found: Callable[[], str | None], timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value is not None:
            return value
        time.sleep(1)
    raise AssertionError(f"no {what} within {timeout}s")


def _tick(engine: sa.Engine, instigator: str, text: str, after: int) -> Callable[[], str | None]:
    """A tick of `instigator`, newer than tick id `after`, whose record contains `text`."""

    def find() -> str | None:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT id, tick_body FROM job_ticks WHERE id > :after ORDER BY id"),
                {"after": after},
            ).all()
        for _, body in rows:
            tick = json.loads(body)
            if tick.get("job_name") == instigator and text in body:
                return body
        return None

    return find


def _last_tick_id(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM job_ticks")).scalar())


@pytest.fixture(scope="module")
def deployment(
    pg_url: str, project_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    started = time.monotonic()
    tmp = tmp_path_factory.mktemp("deploy")
    names = {store: f"deploy_{store}" for store in ("dagster", "warehouse", "evidence")}
    create_databases(pg_url, list(names.values()))
    server = pg_url.rsplit("/", 1)[0].split("://", 1)[1]
    urls = {store: f"postgresql+psycopg2://{server}/{db}" for store, db in names.items()}
    state = tmp / "state"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATAPACT_", "DAGSTER_"))},
        "DATAPACT_PROJECT_DIR": str(_project(project_root, tmp / "project")),
        "DATAPACT_STATE_DIR": str(state),
        "DAGSTER_HOME": str(state / "dagster_home"),
        # every spelling a user may copy from elsewhere: psycopg 3, libpq, plain
        "DAGSTER_PG_URL": f"postgresql+psycopg://{server}/{names['dagster']}",
        "DATAPACT_WAREHOUSE_URL": f"postgres://{server}/{names['warehouse']}",
        "DATAPACT_EVIDENCE_URL": f"postgresql+psycopg://{server}/{names['evidence']}",
    }
    deployment = Deployment(tmp / "project", state, urls, env)
    try:
        _tell_story(deployment)
    except AssertionError as exc:
        said = "\n".join(
            f"--- datapact {name}: exit {r.returncode}\n{r.stdout}{r.stderr[-3000:]}"
            for name, r in deployment.results.items()
        )
        daemon_log = (deployment.state / "daemon.log").read_text(errors="replace")[-6000:]
        raise AssertionError(f"{exc}\n{said}\n--- daemon log\n{daemon_log}") from exc
    finally:
        daemon = deployment.daemon
        if daemon is not None:
            stop_process_group(daemon)
    deployment.wall_seconds = time.monotonic() - started
    print(f"\nshared deployment story took {deployment.wall_seconds:.0f}s", file=sys.stderr)
    yield deployment


def _start_daemon(deployment: Deployment) -> None:
    log = (deployment.state / "daemon.log").open("wb")
    daemon = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", "workspace.yaml"],
        cwd=deployment.project,
        env=deployment.daemon_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deployment.daemon = daemon


def _tell_story(d: Deployment) -> None:
    assert d.cli("generate", "generate", "--rows", ROWS).returncode == 0

    # an upstream step that errors: a view where bronze/raw_orders builds its staging copy
    warehouse = sa.create_engine(d.urls["warehouse"])
    with warehouse.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA bronze"))
        conn.execute(sa.text("CREATE VIEW bronze.raw_orders__dp_staging AS SELECT 1 AS x"))
    d.cli("errored", "run", "--select", DOWNSTREAM_OF_ORDERS)
    with warehouse.begin() as conn:
        conn.execute(sa.text("DROP VIEW bronze.raw_orders__dp_staging"))
    warehouse.dispose()

    d.cli("baseline", "run")
    d.cli("status healthy", "status", "--format", "json")
    engine = d.dagster_db()
    with engine.connect() as conn:
        d.runs_in_pg = [tuple(r) for r in conn.execute(sa.text("SELECT run_id, status FROM runs"))]

    _start_daemon(d)
    d.ticks["healthy"] = _wait_for("a first breaker sensor tick", _tick(engine, SENSOR, "", 0))

    breach = d.cli("generate breach", "generate", "--rows", ROWS, "--breach", "duplicate_key")
    assert breach.returncode == 0, _output(breach)
    d.cli("breach", "run", "--select", DOWNSTREAM_OF_ORDERS)
    d.cli("status breached", "status", "--format", "json")
    d.cli("refused", "run", "--select", "key:silver/orders")

    since = _last_tick_id(engine)
    started = d.dagster("schedule", "start", SCHEDULE)
    assert started.returncode == 0, started.stdout + started.stderr
    d.ticks["sensor holding"] = _wait_for(
        "a sensor tick holding downstream", _tick(engine, SENSOR, "holding silver/orders", since)
    )
    d.ticks["schedule held"] = _wait_for(
        "a schedule tick skipping held tables",
        _tick(engine, SCHEDULE, "every table of this schedule is held", since),
        timeout=150,
    )
    stopped = d.dagster("schedule", "stop", SCHEDULE)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr

    assert d.cli("generate fixed", "generate", "--rows", ROWS).returncode == 0
    # chosen in DATAPACT_EXECUTOR: the recovery run's steps get processes of their own
    d.cli("recovery", "run", "--select", DOWNSTREAM_OF_ORDERS, DATAPACT_EXECUTOR="multiprocess")
    d.cli("status recovered", "status", "--format", "json")
    d.cli("verify", "evidence", "verify")
    engine.dispose()


def _result_of(stdout: str, asset: str) -> str:
    match = re.search(rf"^\s*{re.escape(asset)}\s.*$", stdout, re.MULTILINE)
    assert match, f"{asset} not in the run summary:\n{stdout}"
    return match.group(0)


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def test_an_upstream_error_is_reported_as_an_error_never_as_a_breach(d: Deployment) -> None:
    errored = d.results["errored"]
    assert errored.returncode == 3, _output(errored)
    assert re.search(r"\serror\s", _result_of(errored.stdout, "bronze/raw_orders"))
    for table in ("silver/orders", "gold/customer_profile", "gold/daily_revenue"):
        line = _result_of(errored.stdout, table)
        assert "not run (upstream error)" in line, line
    assert "held" not in errored.stdout and "refused" not in errored.stdout


def test_runs_are_in_postgresql_not_in_files(d: Deployment) -> None:
    baseline = d.results["baseline"]
    assert baseline.returncode == 0, _output(baseline)
    assert len(d.runs_in_pg) == 2 and {s for _, s in d.runs_in_pg} == {"FAILURE", "SUCCESS"}
    assert re.search(r"run ([0-9a-f-]{36}) finished", baseline.stdout).group(1) in {  # type: ignore[union-attr]
        run_id for run_id, _ in d.runs_in_pg
    }
    home = d.state / "dagster_home"
    sqlite_files = [p for p in home.rglob("*") if p.suffix == ".db"]
    assert sqlite_files == [], "runs, event log and schedules belong in PostgreSQL"
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config["storage"] == {"postgres": {"postgres_url": {"env": "DAGSTER_PG_URL"}}}


def _run_record(d: Deployment, result: str) -> tuple[dict[str, Any], int, int]:
    """The run config of the run a CLI call reported, its step-process starts and its steps
    blocked by the pool."""
    said = re.search(r"run ([0-9a-f-]{36}) finished", d.results[result].stdout)
    assert said, _output(d.results[result])
    run_id = said.group(1)
    engine = d.dagster_db()
    with engine.connect() as conn:
        body = conn.execute(
            sa.text("SELECT run_body FROM runs WHERE run_id = :run"), {"run": run_id}
        ).scalar_one()
        counts = [
            conn.execute(
                sa.text("SELECT COUNT(*) FROM event_logs WHERE run_id = :run AND event LIKE :e"),
                {"run": run_id, "e": f"%{said}%"},
            ).scalar_one()
            for said in ("STEP_WORKER_STARTED", "blocked by limit for pool")
        ]
    engine.dispose()
    return json.loads(body)["run_config"], counts[0], counts[1]


def test_datapact_run_starts_no_step_only_to_wait_for_the_warehouse_pool(d: Deployment) -> None:
    # the pool admits one step at a time: the steps run in the run's process, none forked
    config, forked, blocked = _run_record(d, "baseline")
    assert "execution" not in config and forked == 0 and blocked == 0
    # multiprocess chosen: it starts as many step processes as the pool admits, none to wait
    config, forked, blocked = _run_record(d, "recovery")
    assert config["execution"] == {"config": {"max_concurrent": 1}}
    assert forked > 0 and blocked == 0


def test_status_reads_the_same_postgresql_instance(d: Deployment) -> None:
    healthy = d.results["status healthy"]
    assert healthy.returncode == 0, _output(healthy)
    assert {row["state"] for row in json.loads(healthy.stdout)} == {"healthy"}
    breached = d.results["status breached"]
    assert breached.returncode == 1, _output(breached)
    by_table = {row["table"]: row for row in json.loads(breached.stdout)}
    assert by_table["bronze/raw_orders"]["breaker"] == "open"
    assert tuple(by_table["bronze/raw_orders"]["holding"]) == HELD
    recovered = d.results["status recovered"]
    assert recovered.returncode == 0, _output(recovered)
    assert {row["state"] for row in json.loads(recovered.stdout)} == {"healthy"}


def test_the_daemon_holds_downstream_of_the_breach(d: Deployment) -> None:
    breach = d.results["breach"]
    assert breach.returncode == 1, _output(breach)
    assert "quarantined" in _result_of(breach.stdout, "bronze/raw_orders")
    assert (
        "holding silver/orders, gold/customer_profile, gold/daily_revenue"
        in (d.ticks["sensor holding"])
    )
    assert "gold/customer_profile" in d.ticks["schedule held"]


def test_a_held_launch_is_refused(d: Deployment) -> None:
    refused = d.results["refused"]
    assert refused.returncode == 1, _output(refused)
    assert "refused (upstream breach)" in _result_of(refused.stdout, "silver/orders")
    assert "Refusing to build silver/orders" in refused.stdout
    assert "raw_orders__order_id__unique" in refused.stdout


def test_recovery_and_the_evidence_chain(d: Deployment) -> None:
    recovery = d.results["recovery"]
    assert recovery.returncode == 0, _output(recovery)
    for table in ("bronze/raw_orders", *HELD):
        assert "published" in _result_of(recovery.stdout, table)
    verify = d.results["verify"]
    assert verify.returncode == 0, _output(verify)
    assert "Evidence chain intact" in verify.stdout
    evidence = sa.create_engine(d.urls["evidence"])
    with evidence.connect() as conn:
        records = conn.execute(sa.text("SELECT COUNT(*) FROM datapact_evidence_records")).scalar()
    evidence.dispose()
    assert records, "the evidence chain lives in the evidence database"


@pytest.fixture
def d(deployment: Deployment) -> Deployment:
    return deployment

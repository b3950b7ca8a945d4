"""A DataPact project in a temporary state folder, driven through the `datapact` command.

Every fault case uses the same yardsticks: the fingerprints of the published tables before and
after, the evidence chain (`datapact evidence verify`), the exit code and a one-line cause.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from datapact_dagster.warehouse import wap
from datapact_dagster.warehouse.dialects.duckdb import QUARANTINE_KEPT_SUFFIX
from datapact_dagster.warehouse.names import STAGING_SUFFIX, VERSION_SUFFIX
from datapact_dagster.warehouse.partitions import KEYS_SUFFIX

# what DataPact keeps beside a published table: staging, kept versions, keys, DuckDB quarantines
_KEPT_BESIDE = (STAGING_SUFFIX, VERSION_SUFFIX, KEYS_SUFFIX, QUARANTINE_KEPT_SUFFIX)

ONE_TABLE = "key:bronze/raw_customers"
RUN_ONE = ("run", "--select", ONE_TABLE)
PUBLISHED_SCHEMAS = ("bronze", "silver", "gold")
CLI_TIMEOUT = 240

Fingerprints = dict[str, tuple[int, str]]


@dataclass
class Project:
    """One project's state: landing files, warehouse, evidence store and Dagster home."""

    root: Path
    state: Path
    warehouse_url: str
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def landing(self) -> Path:
        return self.state / "landing"

    @property
    def dagster_home(self) -> Path:
        return self.state / "dagster_home"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DATAPACT_STATE_DIR": str(self.state),
            "DAGSTER_HOME": str(self.dagster_home),
            "DATAPACT_WAREHOUSE_URL": self.warehouse_url,
            "DATAPACT_LANDING_DIR": str(self.landing),
            **self.extra_env,
            **extra,
        }
        if "DATAPACT_EVIDENCE_URL" not in {**self.extra_env, **extra}:
            env.pop("DATAPACT_EVIDENCE_URL", None)
        return env

    def cli(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "datapact_dagster.cli", *args],
            cwd=self.root,
            env=self.env(**extra_env),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
        )

    def start(self, name: str, *args: str, **extra_env: str) -> Started:
        """Start `datapact <args>` in the background; its output goes to files in the state."""
        out, err = self.state / f"{name}.out", self.state / f"{name}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "datapact_dagster.cli", *args],
                cwd=self.root,
                env=self.env(**extra_env),
                stdout=stdout,
                stderr=stderr,
                text=True,
            )
        return Started(process, out, err)

    def published(self) -> Fingerprints:
        """Row count and content hash of every published table (what DataPact keeps beside
        them excluded)."""
        engine = sa.create_engine(self.warehouse_url)
        try:
            with engine.connect() as conn:
                names = [
                    f"{schema}.{table}"
                    for schema in PUBLISHED_SCHEMAS
                    for table in sa.inspect(conn).get_table_names(schema=schema)
                    if not any(suffix in table for suffix in _KEPT_BESIDE)
                ]
            return {name: wap.fingerprint(engine, name) for name in sorted(names)}
        finally:
            engine.dispose()

    def assert_evidence_verifies(self) -> None:
        verified = self.cli("evidence", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "Evidence chain intact" in verified.stdout

    def assert_next_run_succeeds(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.cli(*(args or RUN_ONE))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "published" in result.stdout
        return result


@dataclass
class Started:
    process: subprocess.Popen[str]
    out: Path
    err: Path

    def wait_for(self, text: str, timeout: float = 120) -> None:
        """Block until `text` appears on the command's stderr (its progress lines)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.err.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                raise AssertionError(f"exited before {text!r}:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} within {timeout}s:\n{self.output()}")

    def finish(self, timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess[str]:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        return subprocess.CompletedProcess(
            self.process.args, code, self.out.read_text(), self.err.read_text()
        )

    def output(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")


def copy_project(template: Project, state: Path, warehouse_url: str | None = None) -> Project:
    """A copy of `template`'s whole state folder (warehouse file, evidence, Dagster home)."""
    shutil.copytree(template.state, state, dirs_exist_ok=True)
    url = warehouse_url or template.warehouse_url.replace(str(template.state), str(state))
    return Project(template.root, state, url, dict(template.extra_env))


class UncleanFailure(AssertionError):
    """The failure was right but not shown as one clear line (a traceback, a missing cause)."""


def assert_fails_cleanly(
    result: subprocess.CompletedProcess[str], exit_code: int, *causes: str
) -> None:
    """The exit code, no traceback, and each cause named in what the user sees."""
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert_clean_cause(result, *causes)


def assert_clean_cause(result: subprocess.CompletedProcess[str], *causes: str) -> None:
    shown = result.stdout + result.stderr
    if "Traceback" in shown:
        raise UncleanFailure(f"a traceback instead of a one-line cause:\n{shown}")
    for cause in causes:
        if cause.lower() not in shown.lower():
            raise UncleanFailure(f"{cause!r} not in:\n{shown}")

"""`datapact diff --check-data`: a tightened rule that today's published data fails is reported
before merge, on DuckDB and PostgreSQL, and nothing published or judged changes."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.changes.test_diff_git import commit, edit, git
from tests.pg_server import create_databases
from tests.processes import project_env, run_datapact

Cli = Callable[..., subprocess.CompletedProcess[str]]
SIGNUP_MINIMUM = 'minimum: "2015-01-01"'


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def built(
    request: pytest.FixtureRequest, project_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Cli, str]:
    """The sample's customers built once per warehouse; each test edits and restores it."""
    tmp_path = tmp_path_factory.mktemp(f"check-data-{request.param}")
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(project_root / "contracts", root / "contracts")
    shutil.copytree(project_root / "sql", root / "sql")
    (root / ".gitignore").write_text(".datapact/\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Contracts in force")
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    else:
        server = request.getfixturevalue("pg_url")
        create_databases(server, ["check_data"])
        url = f"{server.rsplit('/', 1)[0]}/check_data"
    env = project_env(DATAPACT_STATE_DIR=str(root / ".datapact"), DATAPACT_WAREHOUSE_URL=url)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_datapact(root, env, *args)

    assert cli("generate", "--rows", "2000").returncode == 0
    built = cli("run", "--select", "+key:silver/customers")
    assert built.returncode == 0, built.stdout + built.stderr
    return root, cli, url


@pytest.fixture
def project(built: tuple[Path, Cli, str]) -> Iterator[tuple[Path, Cli, str]]:
    yield built
    git(built[0], "checkout", "--", ".")


def _published(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = "SELECT * FROM silver.customers ORDER BY customer_id"
            return [tuple(row) for row in conn.execute(sa.text(query))]
    finally:
        engine.dispose()


def _breakers(cli: Cli) -> list[dict]:
    """Each table's state and breaker (the version shown is the working tree's contract)."""
    rows = json.loads(cli("status", "--format", "json").stdout)
    return [{k: v for k, v in row.items() if k != "version"} for row in rows]


def test_a_tightened_range_the_published_data_fails_is_an_error_and_changes_nothing(
    project: tuple[Path, Cli, str],
) -> None:
    root, cli, url = project
    before = _published(url)
    status_before = _breakers(cli)
    edit(root, "contracts/customers.yaml", SIGNUP_MINIMUM, 'minimum: "2100-01-01"')
    edit(root, "contracts/customers.yaml", "version: 1.1.0", "version: 1.2.0")

    found = cli("diff", "--base", "HEAD", "--check-data")

    assert found.returncode == 1, found.stdout + found.stderr
    line = (
        (root / "contracts/customers.yaml")
        .read_text()
        .splitlines()
        .index('          minimum: "2100-01-01"')
    )
    assert f"error     contracts/customers.yaml:{line}: migration-check" in found.stdout
    assert (
        f"customers__signup_date__between would fail on the published data ({len(before)} of"
        in (found.stdout)
    )
    assert "samples: 20" in found.stdout
    assert _published(url) == before
    assert _breakers(cli) == status_before
    records = cli("evidence", "list", "--limit", "1")
    assert "decision migration_check" in records.stdout
    assert cli("evidence", "verify").returncode == 0


def test_a_tightening_the_published_data_meets_passes(project: tuple[Path, Cli, str]) -> None:
    root, cli, _ = project
    edit(root, "contracts/customers.yaml", SIGNUP_MINIMUM, 'minimum: "2020-01-01"')
    edit(root, "contracts/customers.yaml", "version: 1.1.0", "version: 1.2.0")

    found = cli("diff", "--base", "HEAD", "--check-data", "--format", "json")

    assert found.returncode == 0, found.stdout + found.stderr
    [diff] = json.loads(found.stdout)["contracts"]
    checked = [f for f in diff["findings"] if f["code"] == "migration-check"]
    assert [f["severity"] for f in checked] == ["info"]
    assert "passes all 9 checks" in checked[0]["message"]

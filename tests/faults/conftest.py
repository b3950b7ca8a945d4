from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.harness import RUN_ONE, Project, copy_project
from tests.faults.pg_control import PgServer
from tests.pg_server import postgres_cluster


@pytest.fixture(scope="session")
def duckdb_template(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Sample landing files and one published table (bronze/raw_customers), built once."""
    state = tmp_path_factory.mktemp("fault-template")
    template = Project(project_root, state, f"duckdb:///{state / 'warehouse.duckdb'}")
    generated = template.cli("generate", "--rows", "2000")
    assert generated.returncode == 0, generated.stderr
    built = template.cli(*RUN_ONE)
    assert built.returncode == 0, built.stdout + built.stderr
    return template


@pytest.fixture
def project(duckdb_template: Project, tmp_path: Path) -> Project:
    """A DuckDB project of its own, copied from the template."""
    return copy_project(duckdb_template, tmp_path / "state")


@pytest.fixture(scope="session")
def fault_pg() -> Iterator[PgServer]:
    """A PostgreSQL server of the fault tests' own: they stop and start it."""
    with postgres_cluster() as url:
        yield PgServer.of(url)


@pytest.fixture
def pg_project(duckdb_template: Project, fault_pg: PgServer, tmp_path: Path) -> Project:
    """A project whose warehouse is a fresh PostgreSQL database (same landing files)."""
    state = tmp_path / "state"
    shutil.copytree(duckdb_template.landing, state / "landing")
    return Project(duckdb_template.root, state, fault_pg.new_database("faults"))

"""`datapact init DIR`: a new project that validates and runs at once, and bad input refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.processes import stop_process_group
from tests.project.conftest import (
    clean_env,
    free_port,
    run_command,
    wait_for_loaded_location,
)

DATAPACT = [sys.executable, "-m", "datapact_dagster.cli"]
EXAMPLE_TABLES = ("bronze/raw_orders", "silver/orders", "gold/daily_orders")


def datapact(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_command([*DATAPACT, *args], cwd=cwd, **env)


def init(parent: Path, name: str = "myproj", *extra: str) -> Path:
    created = datapact("init", name, *extra, cwd=parent)
    assert created.returncode == 0, created.stderr
    assert f"cd {name}" in created.stdout
    return parent / name


def test_init_writes_a_project_that_validates_and_runs_on_the_embedded_warehouse(
    tmp_path: Path,
) -> None:
    project = init(tmp_path)

    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert {
        "contracts/raw_orders.yaml",
        "contracts/orders.yaml",
        "contracts/daily_orders.yaml",
        "sql/bronze/raw_orders.sql",
        "sql/silver/orders.sql",
        "sql/gold/daily_orders.sql",
        "workspace.yaml",
        "pyproject.toml",
        ".gitignore",
        "README.md",
        ".datapact/landing/orders.parquet",
    } <= files
    assert ".datapact/" in (project / ".gitignore").read_text()
    assert 'name = "myproj"' in (project / "pyproject.toml").read_text()
    assert ".datapact/landing/orders.parquet" in (project / "README.md").read_text()
    assert "{{" not in "".join((project / f).read_text() for f in files if "landing" not in f)

    validated = datapact("validate", cwd=project)
    assert validated.returncode == 0, validated.stderr
    ran = datapact("run", cwd=project)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for table in EXAMPLE_TABLES:
        row = next(line for line in ran.stdout.splitlines() if line.startswith(table))
        assert "published" in row, ran.stdout
    warehouse = duckdb.connect(str(project / ".datapact" / "warehouse.duckdb"), read_only=True)
    try:
        assert warehouse.execute("SELECT COUNT(*) FROM silver.orders").fetchone() == (5,)
        revenue = warehouse.execute("SELECT SUM(revenue) FROM gold.daily_orders").fetchone()[0]
    finally:
        warehouse.close()
    assert float(revenue) == pytest.approx(253.84)


def test_run_without_the_landing_file_names_where_it_goes(tmp_path: Path) -> None:
    project = init(tmp_path)
    (project / ".datapact" / "landing" / "orders.parquet").unlink()

    ran = datapact("run", cwd=project)

    assert ran.returncode == 2, ran.stderr
    assert str(project / ".datapact" / "landing" / "orders.parquet") in ran.stderr


def test_postgres_project_documents_its_url_and_runs_there(tmp_path: Path, pg_url: str) -> None:
    project = init(tmp_path, "pgproj", "--warehouse", "postgres")

    example = (project / ".env.example").read_text()
    assert "DATAPACT_WAREHOUSE_URL=postgresql://" in example
    assert "DATAPACT_WAREHOUSE_URL" in (project / "README.md").read_text()
    assert ".env" in (project / ".gitignore").read_text().split()
    assert (
        "cp .env.example .env"
        in datapact("init", "second", "--warehouse", "postgres", cwd=tmp_path).stdout
    )

    ran = datapact("run", cwd=project, DATAPACT_WAREHOUSE_URL=pg_url)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for table in EXAMPLE_TABLES:
        row = next(line for line in ran.stdout.splitlines() if line.startswith(table))
        assert "published" in row, ran.stdout


def test_init_into_an_existing_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    project = init(tmp_path, "empty")

    assert (project / "contracts" / "orders.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("mine")

    refused = datapact("init", "taken", cwd=tmp_path)

    assert refused.returncode == 2
    assert str(target) in refused.stderr and "not empty" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_init_refuses_a_file_as_the_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")

    refused = datapact("init", "file", cwd=tmp_path)

    assert refused.returncode == 2
    assert str(tmp_path / "file") in refused.stderr


def test_init_refuses_an_unknown_warehouse(tmp_path: Path) -> None:
    refused = datapact("init", "p", "--warehouse", "oracle", cwd=tmp_path)

    assert refused.returncode == 2
    assert "--warehouse" in refused.stderr and "oracle" in refused.stderr
    assert list(tmp_path.iterdir()) == []


def test_ui_starts_in_a_folder_with_only_contracts_and_sql(tmp_path: Path) -> None:
    project = init(tmp_path)
    for extra in ("workspace.yaml", "pyproject.toml", "README.md", ".gitignore"):
        (project / extra).unlink()
    before = sorted(p.name for p in project.iterdir())
    port = free_port()

    process = subprocess.Popen(
        [*DATAPACT, "ui", "--port", str(port)],
        cwd=project,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        answer = wait_for_loaded_location(port, process, deadline_s=180)
    finally:
        stop_process_group(process)

    entries = answer["data"]["workspaceOrError"]["locationEntries"]
    assert [e["locationOrLoadError"]["__typename"] for e in entries] == ["RepositoryLocation"]
    assert sorted(p.name for p in project.iterdir()) == before
    assert (project / ".datapact" / "workspace.yaml").is_file()

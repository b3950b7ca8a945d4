"""The built wheel: the engine and the scaffold without the sample domain, installed into a
fresh environment per supported Python found here, where `datapact init` gives a project that
validates, runs and opens in the UI."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.processes import stop_process_group
from tests.project.conftest import (
    clean_env,
    free_port,
    run_command,
    wait_for_loaded_location,
)

PYTHONS = ("3.12", "3.13")
"""Supported versions besides the one the repository's environment runs (tested everywhere)."""
SCAFFOLD = "datapact_dagster/scaffold/"
EXAMPLE_TABLES = ("bronze/raw_orders", "silver/orders", "gold/daily_orders")


def _uv() -> str:
    found = shutil.which("uv")
    if found is None:
        pytest.skip("uv is not installed: it builds the wheel and the test environments")
    return found


def _interpreter(version: str) -> Path | None:
    """A working `python<version>` on PATH or under pyenv (whose shims uv cannot query)."""
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}"))
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return Path(candidate)
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = run_command(
        [_uv(), "build", "--wheel", "--out-dir", str(out)], cwd=PROJECT_ROOT, timeout=300
    )
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("datapact_dagster-*.whl")
    return found


@pytest.fixture(scope="module", params=PYTHONS)
def installed(
    request: pytest.FixtureRequest, wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The bin folder of a fresh environment with only the wheel (and its dependencies)."""
    version = request.param
    interpreter = _interpreter(version)
    if interpreter is None:
        pytest.skip(f"no Python {version} interpreter on PATH or under pyenv")
    venv = tmp_path_factory.mktemp(f"venv{version}")
    uv = _uv()
    created = run_command([uv, "venv", "--python", str(interpreter), str(venv)], cwd=venv)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    added = run_command(
        [uv, "pip", "install", "--python", str(python), str(wheel)], cwd=venv, timeout=900
    )
    assert added.returncode == 0, added.stderr
    yield venv / "bin"


def test_wheel_carries_the_scaffold_and_not_the_sample_domain(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()

    assert not [n for n in names if n.startswith(("contracts/", "sql/", "workspace.yaml"))]
    assert not [n for n in names if n.startswith("datapact_dagster/") and "/commerce" in n]
    for template in (
        "project/contracts/raw_orders.yaml",
        "project/sql/bronze/raw_orders.sql",
        "project/sql/silver/orders.sql",
        "project/sql/gold/daily_orders.sql",
        "project/workspace.yaml",
        "project/pyproject.toml",
        "project/dot.gitignore",
        "project/README.md",
        "warehouses/postgres/dot.env.example",
        "landing/orders.csv",
    ):
        assert SCAFFOLD + template in names


def test_installed_package_inits_validates_and_runs_a_project(
    installed: Path, tmp_path: Path
) -> None:
    datapact = str(installed / "datapact")
    assert run_command([datapact, "init", "p"], cwd=tmp_path).returncode == 0
    project = tmp_path / "p"

    validated = run_command([datapact, "validate"], cwd=project)
    assert validated.returncode == 0, validated.stderr
    ran = run_command([datapact, "run"], cwd=project)

    assert ran.returncode == 0, ran.stdout + ran.stderr
    for table in EXAMPLE_TABLES:
        row = next(line for line in ran.stdout.splitlines() if line.startswith(table))
        assert "published" in row, ran.stdout


def test_installed_package_ui_loads_the_project(installed: Path, tmp_path: Path) -> None:
    datapact = str(installed / "datapact")
    assert run_command([datapact, "init", "p"], cwd=tmp_path).returncode == 0
    port = free_port()

    process = subprocess.Popen(
        [datapact, "ui", "--port", str(port)],
        cwd=tmp_path / "p",
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        answer = wait_for_loaded_location(port, process, deadline_s=180)
    finally:
        stop_process_group(process)

    (entry,) = answer["data"]["workspaceOrError"]["locationEntries"]
    assert entry["name"] == "p"
    assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry

"""DataPact's dagster.yaml: what it holds, when it is rewritten, and when it is left alone."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest
import yaml

from datapact_dagster.errors import EXIT_INVALID, EXIT_SYSTEM_ERROR, UserError
from datapact_dagster.pipeline.dagster_home import (
    OWNER_MARK,
    dagster_storage_errors,
    instance_config_notes,
    prepare_dagster_home,
)
from datapact_dagster.settings import Settings
from datapact_dagster.warehouse.urls import installed_driver_url

STORAGE_VARS = (
    "DAGSTER_PG_URL",
    "DAGSTER_PG_HOST",
    "DAGSTER_PG_USERNAME",
    "DAGSTER_PG_DB",
    "DAGSTER_PG_PASSWORD",
    "DAGSTER_PG_PORT",
)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in STORAGE_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return Settings.from_env(tmp_path)


def _config(home: Path) -> dict:
    return yaml.safe_load((home / "dagster.yaml").read_text())


def test_local_config_keeps_datapact_settings_and_loads(settings: Settings) -> None:
    home = prepare_dagster_home(settings)
    config = _config(home)
    assert config["telemetry"] == {"enabled": False}
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert "storage" not in config, "local SQLite files are Dagster's default"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"


def test_url_goes_in_by_reference_and_no_password_is_written(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_PG_URL", "postgresql://dagster:s3cret@db.example:5432/dagster")
    home = prepare_dagster_home(settings)
    text = (home / "dagster.yaml").read_text()
    assert "s3cret" not in text and "db.example" not in text
    assert _config(home)["storage"] == {"postgres": {"postgres_url": {"env": "DAGSTER_PG_URL"}}}


def test_a_driver_not_installed_is_rewritten_for_this_process(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_PG_URL", "postgresql+psycopg://dagster@db/dagster")
    prepare_dagster_home(settings)
    assert os.environ["DAGSTER_PG_URL"] == "postgresql+psycopg2://dagster@db/dagster"
    [note] = instance_config_notes(settings.dagster_home)
    assert "starts with postgresql+psycopg://" in note and "use postgresql+psycopg2://" in note


@pytest.mark.parametrize(
    ("given", "usable"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg2://u:p@h:5432/d"),
        (
            "postgresql+psycopg://u:p@h/d?sslmode=require",
            "postgresql+psycopg2://u:p@h/d?sslmode=require",
        ),
        ("postgresql+asyncpg://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("duckdb:////tmp/w.duckdb", "duckdb:////tmp/w.duckdb"),
        ("sqlite:///e.db", "sqlite:///e.db"),
    ],
)
def test_installed_driver_url(given: str, usable: str) -> None:
    assert installed_driver_url(given) == usable


def test_parts_from_dagsters_documented_variables(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_PG_HOST", "db")
    monkeypatch.setenv("DAGSTER_PG_USERNAME", "dagster")
    monkeypatch.setenv("DAGSTER_PG_DB", "dagster")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "s3cret")
    home = prepare_dagster_home(settings)
    parts = _config(home)["storage"]["postgres"]["postgres_db"]
    assert parts == {
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "username": {"env": "DAGSTER_PG_USERNAME"},
        "db_name": {"env": "DAGSTER_PG_DB"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
    }
    assert "s3cret" not in (home / "dagster.yaml").read_text()


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DAGSTER_PG_URL": "mysql://u@h/d"}, "'mysql'"),
        ({"DAGSTER_PG_HOST": "db"}, "missing: DAGSTER_PG_USERNAME, DAGSTER_PG_DB"),
    ],
)
def test_bad_storage_settings_are_invalid_input(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], named: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(UserError) as raised:
        prepare_dagster_home(settings)
    assert raised.value.exit_code == EXIT_INVALID
    assert named in str(raised.value)


def test_datapacts_file_follows_its_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = prepare_dagster_home(settings)
    assert "storage" not in _config(home)
    monkeypatch.setenv("DAGSTER_PG_URL", "postgresql://dagster@db/dagster")
    prepare_dagster_home(settings)
    assert "storage" in _config(home)
    monkeypatch.delenv("DAGSTER_PG_URL")
    prepare_dagster_home(settings)
    assert "storage" not in _config(home)


def test_an_older_datapact_file_is_upgraded(settings: Settings) -> None:
    settings.dagster_home.mkdir(parents=True)
    (settings.dagster_home / "dagster.yaml").write_text(
        "# Written by DataPact. SQLite storage in this folder; see README for server storage.\n"
        "telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\n"
    )
    home = prepare_dagster_home(settings)
    assert _config(home)["run_coordinator"]["class"] == "QueuedRunCoordinator"


def test_an_operators_own_file_is_left_alone_and_doctor_can_say_so(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = "telemetry:\n  enabled: true\n"
    settings.dagster_home.mkdir(parents=True)
    (settings.dagster_home / "dagster.yaml").write_text(own)
    monkeypatch.setenv("DAGSTER_PG_URL", "postgresql+psycopg2://dagster@db/dagster")
    home = prepare_dagster_home(settings)
    assert (home / "dagster.yaml").read_text() == own
    [note] = instance_config_notes(home)
    assert "DAGSTER_PG_URL not applied" in note and OWNER_MARK in note
    (home / "dagster.yaml").unlink()
    prepare_dagster_home(settings)
    assert instance_config_notes(home) == []


def test_an_unreachable_storage_server_is_one_line_and_exit_3(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DAGSTER_PG_URL", f"postgresql://nobody@127.0.0.1:{port}/dagster")
    home = prepare_dagster_home(settings)
    with pytest.raises(UserError) as raised, dagster_storage_errors(home):
        dg.DagsterInstance.get()
    assert raised.value.exit_code == EXIT_SYSTEM_ERROR
    message = str(raised.value)
    assert "from DAGSTER_PG_URL" in message and str(port) in message
    assert "\n" not in message

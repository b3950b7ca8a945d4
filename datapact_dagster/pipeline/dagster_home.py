"""The Dagster instance DataPact runs against: its home folder and the config written there.

DataPact owns the `dagster.yaml` it writes: the file starts with `OWNER_MARK`, and DataPact
rewrites it whenever what it would write changes (Dagster's storage moved to a server, a new
DataPact setting). A `dagster.yaml` without the mark is the operator's own and is left alone;
`instance_config_notes` says so, and what DataPact's settings would have changed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from datapact_dagster.errors import EXIT_INVALID, EXIT_SYSTEM_ERROR, UserError
from datapact_dagster.settings import Settings
from datapact_dagster.warehouse.dagster_storage import (
    STORAGE_ENVS,
    ServerStorage,
    StorageSettingError,
    server_storage,
)

CONFIG_FILE = "dagster.yaml"
OWNER_MARK = "# Written by DataPact"
_HEADER = (
    f"{OWNER_MARK} from its settings; it rewrites this file when they change.\n"
    "# To keep your own edits, delete these comment lines: DataPact then leaves the file alone.\n"
    "# Storage: {storage}.\n"
)
_REWRITTEN: dict[str, tuple[str, str]] = {}
"""Storage variables the last `prepare_dagster_home` rewrote: name -> (as given, as used)."""
WAREHOUSE_POOL_LIMIT = 1
"""Steps that hold the warehouse pool at once (`default_limit` of every pool, of which
`job_runner.WAREHOUSE_POOL` is the one DataPact's steps take)."""


def instance_config(env: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """DataPact's instance config for this environment, and where it puts Dagster's storage."""
    storage = _server_storage(env)
    config: dict[str, Any] = {
        "telemetry": {"enabled": False},
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
        },
        "concurrency": {"pools": {"default_limit": WAREHOUSE_POOL_LIMIT}},
    }
    if storage is None:
        return config, "SQLite files in this folder (set DAGSTER_PG_URL for a server)"
    config["storage"] = storage.config
    return config, storage.description


def render_instance_config(env: Mapping[str, str]) -> str:
    config, storage = instance_config(env)
    body = yaml.safe_dump(config, sort_keys=False, default_flow_style=False)
    return _HEADER.format(storage=storage) + body


def prepare_dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME with DataPact's instance config, so runs survive and show in the UI.

    Also rewrites, for this process and the Dagster processes it starts, a storage URL whose
    driver is not installed here (see `warehouse.urls.installed_driver_url`).
    """
    home = settings.dagster_home
    storage = _server_storage(os.environ)
    _REWRITTEN.clear()
    if storage is not None:
        for name, usable in storage.env_updates.items():
            _REWRITTEN[name] = (os.environ[name], usable)
            os.environ[name] = usable
    with dagster_storage_errors(home):
        home.mkdir(parents=True, exist_ok=True)
        config = home / CONFIG_FILE
        wanted = render_instance_config(os.environ)
        if owned_by_datapact(config) and _read(config) != wanted:
            _write_atomically(config, wanted)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def owned_by_datapact(config: Path) -> bool:
    """True when DataPact may (re)write `config`: it is missing or starts with OWNER_MARK."""
    text = _read(config)
    return text is None or text.startswith(OWNER_MARK)


def instance_config_notes(home: Path, env: Mapping[str, str] | None = None) -> list[str]:
    """What `datapact doctor` should tell the operator about the instance config: an own
    dagster.yaml in use, a storage URL that Dagster's own commands cannot load as written."""
    env = os.environ if env is None else env
    notes = []
    config = home / CONFIG_FILE
    if not owned_by_datapact(config):
        ignored = [name for name in STORAGE_ENVS if env.get(name)]
        unused = f"; {', '.join(ignored)} not applied by DataPact" if ignored else ""
        notes.append(
            f"{config} is your own (no '{OWNER_MARK}' first line): DataPact leaves it as it is"
            f"{unused}. Delete it to have DataPact write its own."
        )
    for name, (given, usable) in _REWRITTEN.items():
        if env.get(name) != usable:
            continue
        notes.append(
            f"{name} starts with {given.partition('://')[0]}://, a driver this installation "
            f"does not have; DataPact's commands use {usable.partition('://')[0]}://, but "
            "dagster-webserver and dagster-daemon started on their own read it as written: "
            "spell it that way in their environment."
        )
    return notes


def _server_storage(env: Mapping[str, str]) -> ServerStorage | None:
    try:
        return server_storage(env)
    except StorageSettingError as exc:
        raise UserError(f"{exc}.", EXIT_INVALID) from exc


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, text: str) -> None:
    """Write beside, then rename: a reader (or a second launch) never sees half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


_STORAGE_FAULTS = (OSError, sqlite3.Error, sa.exc.OperationalError)


@contextmanager
def dagster_storage_errors(home: Path) -> Iterator[None]:
    """Dagster's storage that cannot be used is a system fault: one line naming where it is
    and the cause, exit 3. Locally: a Dagster home that cannot be created or written
    (permissions, a full disk, a file in the way); on a server: one that cannot be reached
    (Dagster retries the connection, then raises its own error from the driver's)."""
    try:
        yield
    except Exception as exc:
        fault = exc if isinstance(exc, _STORAGE_FAULTS) else exc.__cause__
        if not isinstance(fault, _STORAGE_FAULTS):
            raise
        cause = str(getattr(fault, "orig", None) or fault).strip().splitlines()[0][:300]
        storage = server_storage(os.environ) if isinstance(fault, sa.exc.DBAPIError) else None
        if storage is not None:
            message = (
                f"Dagster's storage ({storage.description}) cannot be used: {cause}. Check "
                "that the server is up and that the variable names a database you can use."
            )
        else:
            message = (
                f"Dagster's storage in {home} cannot be used: {cause}. Check that the folder "
                "is writable and its disk has space (DAGSTER_HOME sets another folder)."
            )
        raise UserError(message, EXIT_SYSTEM_ERROR) from exc

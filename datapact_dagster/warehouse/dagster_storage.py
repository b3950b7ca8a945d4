"""Where Dagster keeps its runs, event log and schedules when they live on a database server.

Dagster's instance config (`dagster.yaml`) names its server storage by database, so the block
is built here, beside the other database-specific knowledge; the rest of the instance config is
written by `pipeline/dagster_home.py`. The block refers to environment variables (`env:`), so no
password is ever written to disk: the variables the operator sets are read by every Dagster
process (webserver, daemon, run workers) when it loads the instance.

Two ways to name the server, as Dagster's own documentation does:

- `DAGSTER_PG_URL`: one URL, any usual spelling (`postgresql://`, `postgres://`,
  `postgresql+psycopg://`);
- `DAGSTER_PG_HOST`, `DAGSTER_PG_USERNAME`, `DAGSTER_PG_DB`, and optionally
  `DAGSTER_PG_PASSWORD` and `DAGSTER_PG_PORT`.

The URL wins when both are set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from datapact_dagster.warehouse.urls import installed_driver_url, is_backend_url

URL_ENV = "DAGSTER_PG_URL"
REQUIRED_PART_ENVS = {
    "hostname": "DAGSTER_PG_HOST",
    "username": "DAGSTER_PG_USERNAME",
    "db_name": "DAGSTER_PG_DB",
}
OPTIONAL_PART_ENVS = {"password": "DAGSTER_PG_PASSWORD", "port": "DAGSTER_PG_PORT"}
STORAGE_ENVS = (URL_ENV, *REQUIRED_PART_ENVS.values(), *OPTIONAL_PART_ENVS.values())
"""Every variable that can move Dagster's storage to the server."""


class StorageSettingError(ValueError):
    """The variables naming Dagster's server storage are incomplete or not a server URL."""


@dataclass(frozen=True)
class ServerStorage:
    """The `storage:` block of dagster.yaml, and the variables to set in this process first."""

    config: dict[str, Any]
    description: str
    env_updates: dict[str, str] = field(default_factory=dict)
    """Variables rewritten for this process and the Dagster processes it starts (a URL whose
    driver is not installed here, spelled with the installed one)."""


def server_storage(env: Mapping[str, str]) -> ServerStorage | None:
    """The server storage the environment names, or None for Dagster's local SQLite files."""
    url = env.get(URL_ENV, "").strip()
    if url:
        return _from_url(env[URL_ENV], url)
    if any(env.get(name) for name in REQUIRED_PART_ENVS.values()):
        return _from_parts(env)
    return None


def _from_url(raw: str, url: str) -> ServerStorage:
    if not is_backend_url(url, "postgresql"):
        scheme = url.partition("://")[0] if "://" in url else "no scheme"
        raise StorageSettingError(
            f"{URL_ENV} must be a PostgreSQL URL such as "
            f"postgresql://user:password@host:5432/dagster (it has {scheme!r}); "
            "unset it to keep Dagster's storage in SQLite files under DAGSTER_HOME"
        )
    usable = installed_driver_url(url)
    return ServerStorage(
        config={"postgres": {"postgres_url": {"env": URL_ENV}}},
        description=f"PostgreSQL from {URL_ENV}",
        env_updates={URL_ENV: usable} if usable != raw else {},
    )


def _from_parts(env: Mapping[str, str]) -> ServerStorage:
    missing = [name for name in REQUIRED_PART_ENVS.values() if not env.get(name)]
    if missing:
        raise StorageSettingError(
            f"Dagster's PostgreSQL storage needs {', '.join(REQUIRED_PART_ENVS.values())} "
            f"together (or one {URL_ENV}); missing: {', '.join(missing)}"
        )
    port = env.get(OPTIONAL_PART_ENVS["port"])
    if port and not port.isdigit():
        raise StorageSettingError(f"DAGSTER_PG_PORT must be a port number, not {port!r}")
    parts = {key: {"env": name} for key, name in REQUIRED_PART_ENVS.items()}
    parts |= {key: {"env": name} for key, name in OPTIONAL_PART_ENVS.items() if env.get(name)}
    return ServerStorage(
        config={"postgres": {"postgres_db": parts}},
        description="PostgreSQL from DAGSTER_PG_HOST/DAGSTER_PG_USERNAME/DAGSTER_PG_DB",
    )

"""Database URLs spelled any usual way, rewritten to a driver this installation has.

`postgres://…` (the libpq and Heroku spelling), `postgresql://…` and `postgresql+psycopg://…`
name the same server, but SQLAlchemy would look for a dialect called `postgres`, or for its
default PostgreSQL driver (psycopg 3 since SQLAlchemy 2.1), which is not installed. DataPact
depends on one driver per backend, so every URL it takes (warehouse, evidence, Dagster's
storage) goes through `installed_driver_url` before an engine is made from it.
"""

from __future__ import annotations

from importlib.util import find_spec

_BACKEND_ALIASES = {"postgres": "postgresql"}
_INSTALLED_DRIVER = {"postgresql": "psycopg2"}
"""Per backend, the driver (DBAPI module) DataPact depends on."""
_ASYNC_DRIVERS = frozenset({"asyncpg", "psycopg_async"})


def installed_driver_url(url: str) -> str:
    """`url` with its scheme rewritten so SQLAlchemy can load it here; other URLs unchanged.

    A driver named in the URL is kept when its module is installed and it is not an asyncio
    driver (DataPact's engines are synchronous); otherwise, and when the URL names no driver,
    the backend's installed driver is named. The rest of the URL (credentials, host, query) is
    left exactly as written.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    backend, _, driver = scheme.lower().partition("+")
    backend = _BACKEND_ALIASES.get(backend, backend)
    installed = _INSTALLED_DRIVER.get(backend)
    if installed is None:
        return url
    if driver and driver != installed and driver not in _ASYNC_DRIVERS and find_spec(driver):
        new_scheme = f"{backend}+{driver}"
    else:
        new_scheme = f"{backend}+{installed}"
    return f"{new_scheme}://{rest}"


def is_backend_url(url: str, backend: str) -> bool:
    """Whether `url` (any spelling `installed_driver_url` accepts) is a URL of `backend`."""
    scheme, separator, _ = installed_driver_url(url).partition("://")
    return bool(separator) and scheme.partition("+")[0] == backend

"""Lazy, once-per-process access to Great Expectations (its import alone takes seconds)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from datapact_dagster.checks import gx_fast_paths
from datapact_dagster.checks.gx_import import import_gx
from datapact_dagster.checks.gx_worker import current_gx_worker
from datapact_dagster.warehouse.dialects import DIALECTS, for_engine

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

_lock = threading.RLock()


def gx() -> Any:
    """The great_expectations module, imported on first use, with every warehouse's extensions
    (data source types, metrics) registered."""
    with _lock:
        return _gx()


@cache
def _gx() -> Any:
    great_expectations = import_gx()
    gx_fast_paths.install()
    for dialect in DIALECTS:
        dialect.register_gx()
    return great_expectations


def ephemeral_context() -> AbstractDataContext:
    """One in-memory GX context per process: nothing is written to disk, no progress bars."""
    with _lock:
        return _ephemeral_context()


@cache
def _ephemeral_context() -> AbstractDataContext:
    great_expectations = gx()  # first: it defers what GX would import and never use
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = great_expectations.get_context(mode="ephemeral")
    # GX draws a "Calculating Metrics" tqdm bar per validation unless the context says not to
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


@contextmanager
def gx_loading_meanwhile() -> Iterator[None]:
    """Load GX (its import, extensions and context: seconds) on another thread while the block
    runs, and wait for it when the block ends, so that a block that waits on the warehouse
    (staging a table) hides that time instead of being followed by it. Not while a GX worker
    validates this process's suites (gx_worker.py): it loads GX itself.

    The block must import nothing new: Python hands a half-initialised module to one of two
    threads importing the same circular group of modules at once. A failed load is not raised
    here: the first check loads again and meets the error itself.
    """
    if _ephemeral_context.cache_info().currsize or current_gx_worker() is not None:
        yield
        return
    loader = threading.Thread(target=_load_quietly, name="datapact-gx-load", daemon=True)
    loader.start()
    try:
        yield
    finally:
        loader.join()


def _load_quietly() -> None:
    try:
        ephemeral_context()
    except Exception:  # not cached: the first check loads again and reports it
        return


def table_batch(engine: sa.Engine, relation: str) -> Any:
    """A GX batch over the whole of `relation` (`schema.table`), pushed down to `engine`."""
    with _lock:
        datasource = _datasource(engine)
        schema, _, table = relation.rpartition(".")
        asset_name = relation
        try:
            asset = datasource.get_asset(asset_name)
        except LookupError:
            asset = datasource.add_table_asset(
                name=asset_name, table_name=table, schema_name=schema or None
            )
        try:
            definition = asset.get_batch_definition("whole_table")
        except (KeyError, LookupError):
            definition = asset.add_batch_definition_whole_table("whole_table")
        return definition.get_batch()


def _datasource(engine: sa.Engine) -> Any:
    gx()
    context = ephemeral_context()
    dialect = for_engine(engine)
    url = dialect.gx_connection_string(engine)
    # one data source per engine object, so GX always runs on the engine it was handed
    name = f"warehouse_{hashlib.sha256(url.encode()).hexdigest()[:12]}_{id(engine):x}"
    try:
        return context.data_sources.get(name)
    except (KeyError, LookupError, ValueError):
        pass
    return dialect.add_gx_datasource(context, name, url)

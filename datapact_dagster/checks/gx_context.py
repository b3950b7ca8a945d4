"""Lazy, once-per-process access to Great Expectations (its import alone takes seconds)."""

from __future__ import annotations

import hashlib
import threading
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from datapact_dagster.checks import gx_fast_paths
from datapact_dagster.checks.gx_import import import_gx
from datapact_dagster.warehouse.dialects import DIALECTS, for_engine

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

_lock = threading.RLock()


@cache
def gx() -> Any:
    """The great_expectations module, imported on first use, with every warehouse's extensions
    (data source types, metrics) registered."""
    great_expectations = import_gx()
    gx_fast_paths.install()
    for dialect in DIALECTS:
        dialect.register_gx()
    return great_expectations


@cache
def ephemeral_context() -> AbstractDataContext:
    """One in-memory GX context per process: nothing is written to disk, no progress bars."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx().get_context(mode="ephemeral")
    # GX draws a "Calculating Metrics" tqdm bar per validation unless the context says not to
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


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

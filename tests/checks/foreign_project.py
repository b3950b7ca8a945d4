"""The foreign-style contract corpus (tests/fixtures/foreign/): its root and its landing data.

Contracts in the style other tools write: ODCS v3.0.0-v3.0.2, tables under their real physical
names (`tbl_1`, `raw.site_list`, `analytics.*`), CamelCase and spaced column names.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datapact_dagster.plan.project import load_project
from tests.definitions_support import forget_definitions

FOREIGN_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "foreign"
SITES = {"NORTH": "North ridge", "SOUTH": "South bay", "EAST": "East field"}


def write_landing(folder: Path, *, negative_value: bool = False) -> Path:
    """Landing files for the corpus: 30 readings of the last hours over three sites."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    codes = list(SITES)
    values = [float(10 + i) for i in range(30)]
    if negative_value:
        values[3] = -5.0
    readings = pa.table(
        {
            "UniqueID": [f"R{i:05d}" for i in range(30)],
            "SiteCode": [codes[i % 3] for i in range(30)],
            "DataValue": values,
            "Reading Time": [now - timedelta(hours=i) for i in range(30)],
        }
    )
    pq.write_table(readings, folder / "readings.parquet")
    sites = pa.table({"SiteCode": list(SITES), "Site Name": list(SITES.values())})
    pq.write_table(sites, folder / "sites.parquet")
    return folder


@contextmanager
def foreign_project(monkeypatch: pytest.MonkeyPatch, state: Path) -> Iterator[None]:
    """The corpus as the process's project (the plan and the Dagster objects are rebuilt for
    it, and again after)."""
    monkeypatch.setenv("DATAPACT_PROJECT_DIR", str(FOREIGN_ROOT))
    monkeypatch.setenv("DATAPACT_STATE_DIR", str(state))
    load_project.cache_clear()
    forget_definitions()
    try:
        yield
    finally:
        load_project.cache_clear()
        forget_definitions()

"""Evidence is a precondition of publishing: no evidence store, no publish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from datapact_dagster.defs.resources import DataPactResource
from tests.pipeline.conftest import materialize_tables


def test_unwritable_evidence_store_blocks_publish(
    definitions: dg.Definitions,
    landing_factory: Callable[..., Path],
    instance: dg.DagsterInstance,
    tmp_path: Path,
) -> None:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the evidence folder should be")
    resource = DataPactResource(
        warehouse_url=url,
        landing_dir=str(landing_factory()),
        evidence_url=f"sqlite:///{blocked / 'evidence.db'}",
    )

    result = materialize_tables(definitions, resource, instance, "key:bronze/raw_customers")

    assert not result.success
    assert result.get_asset_materialization_events() == []
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        published = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'bronze' "
                "AND table_name LIKE 'raw_customers%'"
            )
        ).scalar_one()
    engine.dispose()
    assert published == 0, "neither the table nor its staging copy may be left behind"

"""The one resource DataPact's assets need: where the warehouse, landing files and evidence are."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from datapact_dagster.settings import DEFAULT_KEEP_VERSIONS, Settings
from datapact_dagster.warehouse.engine import warehouse_engine


class DataPactResource(dg.ConfigurableResource):
    """Connection settings; defaults come from DATAPACT_* environment variables."""

    warehouse_url: str
    landing_dir: str
    evidence_url: str | None = None
    quarantine_days: int = 7
    keep_versions: int = DEFAULT_KEEP_VERSIONS

    @classmethod
    def from_settings(cls, settings: Settings) -> DataPactResource:
        from datapact_dagster.evidence.store import evidence_url

        return cls(
            warehouse_url=settings.warehouse_url,
            landing_dir=str(settings.landing_dir),
            evidence_url=evidence_url(settings.project_dir),
            quarantine_days=settings.quarantine_days,
            keep_versions=settings.keep_versions,
        )

    def engine(self) -> sa.Engine:
        return warehouse_engine(self.warehouse_url)

    @property
    def landing_path(self) -> Path:
        return Path(self.landing_dir)

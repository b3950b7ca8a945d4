"""The columns one run's table metrics share wherever they are stored: the evidence database's
metrics table and the warehouse's `monitoring.table_runs`."""

from __future__ import annotations

import sqlalchemy as sa


def run_columns() -> list[sa.Column]:
    """Fresh column objects (a column belongs to one table), from the asset to `accepted`."""
    return [
        sa.Column("asset", sa.String(512), nullable=False),
        sa.Column("physical_name", sa.String(512), nullable=False),
        sa.Column("contract_id", sa.String(255), nullable=False),
        sa.Column("contract_version", sa.String(64), nullable=False),
        sa.Column("run_id", sa.String(128), nullable=False),
        sa.Column("run_kind", sa.String(16), nullable=False),
        sa.Column("row_count", sa.BigInteger, nullable=False),
        sa.Column("row_delta", sa.BigInteger),
        sa.Column("build_seconds", sa.Double),
        sa.Column("check_seconds", sa.Double, nullable=False),
        sa.Column("freshness_lag_seconds", sa.Double),
        sa.Column("checks_passed", sa.Integer, nullable=False),
        sa.Column("checks_failed", sa.Integer, nullable=False),
        sa.Column("checks_errored", sa.Integer, nullable=False),
        sa.Column("breaker", sa.String(16), nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
    ]

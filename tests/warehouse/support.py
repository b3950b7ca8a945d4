"""What the write-audit-publish and kept-version tests share."""

from __future__ import annotations

import sqlalchemy as sa


def relation_rows(engine: sa.Engine, relation: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {relation} ORDER BY 1"))]

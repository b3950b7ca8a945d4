"""Which held tables to rebuild once a breaker closes: each once, never in a loop."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime

from datapact_dagster.breaker.graph import layer_order
from datapact_dagster.breaker.read import Breakers
from datapact_dagster.breaker.state import AssetPath, TableBreaker

RECOVERY_TAG = "datapact/recovery-of"


def tables_to_rebuild(
    breakers: Breakers,
    recovered: Iterable[TableBreaker],
    materialised_at: Mapping[AssetPath, datetime | None],
) -> list[AssetPath]:
    """Downstream of the recovered tables, still held by no other open breaker, and not rebuilt
    since the recovery (a full pipeline run that recovered rebuilt them already)."""
    still_held = breakers.held
    chosen: set[AssetPath] = set()
    for breaker in recovered:
        recovered_at = breaker.last_evaluated_at
        for key in breakers.held_by(breaker):
            if key in still_held:
                continue
            built = materialised_at.get(key)
            if built is None or recovered_at is None or built < recovered_at:
                chosen.add(key)
    return sorted(chosen, key=layer_order)


def recovery_run_key(episodes: Iterable[str]) -> str:
    """One run key per set of closed episodes: Dagster launches a run key only once."""
    joined = "|".join(sorted(episodes))
    return f"datapact-recovery-{hashlib.sha256(joined.encode()).hexdigest()[:16]}"

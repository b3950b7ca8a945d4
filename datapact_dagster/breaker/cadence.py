"""Which tables build and which checks run on which cron, from the contracts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from datapact_dagster.breaker.graph import layer_order
from datapact_dagster.breaker.state import AssetPath
from datapact_dagster.contract.model import Contract

DEFAULT_BUILD_CRON = "0 6 * * *"
"""Daily at 06:00, when a contract names no `schedule`."""
DEFAULT_CHECK_CRON = "0 * * * *"
"""Hourly, when a contract names no `checkSchedule`."""


@dataclass(frozen=True)
class Cadence:
    cron: str
    tables: tuple[AssetPath, ...]


def build_cadences(contracts: Iterable[Contract]) -> list[Cadence]:
    """Active and deprecated contracts only: a draft is built on request, a retired one never."""
    unattended = [c for c in contracts if c.built_unattended]
    return _group(unattended, lambda c: c.schedule or DEFAULT_BUILD_CRON)


def check_cadences(contracts: Iterable[Contract]) -> list[Cadence]:
    """Active and deprecated contracts only, as for builds."""
    unattended = [c for c in contracts if c.built_unattended]
    return _group(unattended, lambda c: c.check_schedule or DEFAULT_CHECK_CRON)


def _group(contracts: Iterable[Contract], cron_of: Callable[[Contract], str]) -> list[Cadence]:
    by_cron: dict[str, list[AssetPath]] = {}
    for contract in contracts:
        cron = cron_of(contract)
        by_cron.setdefault(cron, []).extend(t.asset_key for t in contract.tables)
    return [
        Cadence(cron, tuple(sorted(keys, key=layer_order)))
        for cron, keys in sorted(by_cron.items())
    ]


def schedule_name(base: str, cadence: Cadence, cadences: list[Cadence]) -> str:
    """`<base>` when every contract shares one cron, else `<base>_<cron as a name>`."""
    if len(cadences) == 1:
        return base
    slug = (
        cadence.cron.replace("*", "x")
        .replace("/", "every")
        .replace(",", "_")
        .replace("-", "to")
        .replace(" ", "_")
    )
    return f"{base}_{re.sub(r'[^A-Za-z0-9_]', '_', slug)}"

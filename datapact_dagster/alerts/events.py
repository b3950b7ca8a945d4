"""What happened to a contract that someone must hear about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum


class AlertKind(StrEnum):
    breach = "breach"
    recovery = "recovery"
    freshness_miss = "freshness_miss"
    schema_drift = "schema_drift"
    new_contract_version = "new_contract_version"
    deprecation = "deprecation"


@dataclass(frozen=True)
class CheckSummary:
    key: str
    """The stable check key, e.g. `orders__order_id__unique` (the Dagster check name)."""
    summary: str
    """One line for people, e.g. '3 duplicate order_id values, 0.003% of 100,000 rows'."""
    severity: str = "error"
    failing_rows: int | None = None


@dataclass(frozen=True)
class ConsumerScope:
    """A consumer an event concerns, and which of its declared columns the event touches."""

    team: str
    contact: str | None
    table: str
    """The physical table the consumer reads, e.g. `gold.customer_profile`."""
    columns: tuple[str, ...]
    whole_table: bool = False
    """The consumer declared no columns: it is taken to read the whole table."""

    def describe(self) -> str:
        reads = "the whole table" if self.whole_table else "its columns"
        return f"{self.table} ({reads}: {', '.join(self.columns)})"


@dataclass(frozen=True)
class AlertEvent:
    kind: AlertKind
    contract_id: str
    contract_version: str
    asset_key: tuple[str, ...]
    episode_id: str
    """Identifies one breach episode (first failing evaluation until the next pass); a breach
    and its recovery share it. Alerts are sent at most once per (contract, kind, episode)."""
    run_id: str | None = None
    checks: tuple[CheckSummary, ...] = ()
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    since: datetime | None = None
    """When the episode started (the first failing evaluation)."""
    downstream_held: tuple[tuple[str, ...], ...] = ()
    link: str | None = None
    previous_version: str | None = None
    details: tuple[str, ...] = ()
    """Extra lines, e.g. the changes in a new contract version or the drifted columns."""
    consumers: tuple[ConsumerScope, ...] | None = None
    """The consumers the event touches (through the column lineage), with their columns hit;
    None means every consumer of the contract."""
    retirement_date: date | None = None
    """For a deprecation: when the contract will be retired (None: not announced yet)."""
    replacement: str | None = None
    """For a deprecation: what to read instead, e.g. 'crm.contacts_v2 (silver.contacts_v2)'."""

    @property
    def asset_path(self) -> str:
        return format_asset_key(self.asset_key)


def format_asset_key(asset_key: tuple[str, ...]) -> str:
    return "/".join(asset_key)


def episode_id_for(contract_id: str, asset_key: tuple[str, ...], opened_by: str) -> str:
    """The episode id for a breach opened by `opened_by` (the run id of the first failing
    evaluation, or its timestamp). Recovery events must reuse the breach's episode id."""
    return f"{contract_id}:{format_asset_key(asset_key)}:{opened_by}"


def dagster_asset_url(ui_base_url: str, asset_key: tuple[str, ...]) -> str:
    return f"{ui_base_url.rstrip('/')}/assets/{format_asset_key(asset_key)}"


def dagster_run_url(ui_base_url: str, run_id: str) -> str:
    return f"{ui_base_url.rstrip('/')}/runs/{run_id}"

"""Planted contract violations: each one fails exactly one bronze check, by a known count."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from datapact_dagster.sample import vocabulary as v
from datapact_dagster.sample.manifest import PlantedBreach
from datapact_dagster.sample.render import BAD_EMAIL_VARIANTS, ORDER_STATUS_VOCABULARY
from datapact_dagster.sample.tables import (
    SECONDS_PER_DAY,
    Customers,
    Events,
    Orders,
    random_stream,
)

BREACH_KINDS: tuple[str, ...] = (
    "null_required",
    "duplicate_key",
    "out_of_range",
    "bad_enum",
    "bad_pattern",
    "stale",
    "schema_drift",
    "volume_drop",
    "bad_event_day",
)
HISTORY_BREACHES = ("volume_drop",)
"""Caught only against a history of clean runs (an anomaly monitor), not on first sight."""
DEFAULT_MISSING_PERCENT = 90
ROW_BREACHES = ("null_required", "duplicate_key", "out_of_range", "bad_enum", "bad_pattern")
SCHEMA_DRIFT_VARIANTS: tuple[str, ...] = ("rename", "drop", "retype")
DEFAULT_PLANTED_ROWS = 25
MAX_PLANTED_SHARE = 20  # plant at most one row in 20, so side effects (amount mean) stay small
DEFAULT_STALE_DAYS = 10
FRESHNESS_LIMIT_DAYS = 2  # contracts/raw_customer_events.yaml latency
AMOUNT_CHECKS = (
    "raw_orders__amount__not_null",
    "raw_orders__amount__between",
    "raw_orders__amount__amount_mean",
)

BREACH_USAGE = (
    f"valid breaches: {', '.join(BREACH_KINDS)}; row-based kinds take an optional :COUNT "
    f"(default {DEFAULT_PLANTED_ROWS}), stale an optional :DAYS (> {FRESHNESS_LIMIT_DAYS}, "
    f"default {DEFAULT_STALE_DAYS}), schema_drift an optional "
    f":{'|'.join(SCHEMA_DRIFT_VARIANTS)} (default rename), volume_drop an optional :PERCENT "
    f"of orders missing (1-99, default {DEFAULT_MISSING_PERCENT}), bad_event_day an optional "
    ":YYYY-MM-DD "
    "(default: the newest event's day, today)"
)


@dataclass(frozen=True)
class BreachSpec:
    text: str
    kind: str
    argument: str | None  # COUNT, DAYS or the schema_drift variant, as typed

    @property
    def number(self) -> int | None:
        return None if self.argument is None else int(self.argument)


def parse_breach(text: str) -> BreachSpec:
    kind, _, argument = text.strip().partition(":")
    spec = BreachSpec(text.strip(), kind, argument or None)
    if kind not in BREACH_KINDS:
        raise ValueError(f"unknown breach {text!r}; {BREACH_USAGE}")
    if spec.argument is None:
        return spec
    if kind == "bad_event_day":
        try:
            date.fromisoformat(spec.argument)
        except ValueError:
            raise ValueError(
                f"breach {text!r}: {spec.argument!r} is not a day; write it as YYYY-MM-DD"
            ) from None
    elif kind == "schema_drift":
        if spec.argument not in SCHEMA_DRIFT_VARIANTS:
            raise ValueError(f"unknown schema_drift variant {spec.argument!r}; {BREACH_USAGE}")
    elif kind == "volume_drop":
        if not spec.argument.isdecimal() or not 1 <= int(spec.argument) <= 99:
            raise ValueError(f"breach {text!r}: {spec.argument!r} is not a percent from 1 to 99")
    elif not spec.argument.isdecimal() or int(spec.argument) < 1:
        raise ValueError(f"breach {text!r}: {spec.argument!r} is not a positive whole number")
    elif kind == "stale" and int(spec.argument) <= FRESHNESS_LIMIT_DAYS:
        raise ValueError(
            f"breach {text!r}: events {spec.argument} days old are still fresh "
            f"(the contract allows {FRESHNESS_LIMIT_DAYS})"
        )
    return spec


def parse_breaches(texts: Sequence[str]) -> tuple[BreachSpec, ...]:
    specs = tuple(parse_breach(text) for text in texts)
    kinds = [s.kind for s in specs]
    repeated = sorted({k for k in kinds if kinds.count(k) > 1})
    if repeated:
        raise ValueError(f"breach given more than once: {', '.join(repeated)}")
    return specs


def _planted_rows(spec: BreachSpec, available: int, file: str) -> int:
    limit = available // MAX_PLANTED_SHARE
    if limit < 1:
        raise ValueError(
            f"breach {spec.text!r} needs at least {MAX_PLANTED_SHARE} rows in "
            f"{file} (it has {available})"
        )
    count = spec.number if spec.number is not None else min(DEFAULT_PLANTED_ROWS, limit)
    if count > limit:
        raise ValueError(
            f"breach {spec.text!r}: at most {limit} rows of {file} "
            f"(1 in {MAX_PLANTED_SHARE}) can be changed"
        )
    return count


def check_sizes(specs: Sequence[BreachSpec], rows_of: dict[type[Table], int]) -> None:
    """Refuse, before anything is written, a breach that would change too many rows."""
    for spec in specs:
        if spec.kind in ROW_BREACHES:
            table = TABLE_OF_BREACH[spec.kind]
            _planted_rows(spec, rows_of[table], FILE_OF_TABLE[table])


def _rows_to_change(
    spec: BreachSpec, seed: int, available: int, file: str, per_row: int = 1
) -> tuple[np.random.Generator, np.ndarray]:
    rng = random_stream(seed, f"breach:{spec.kind}")
    count = _planted_rows(spec, available, file)
    return rng, np.sort(rng.choice(available, size=count * per_row, replace=False))


def _null_required(spec: BreachSpec, orders: Orders, seed: int, _as_of_s: int) -> PlantedBreach:
    _, rows = _rows_to_change(spec, seed, len(orders), "orders.parquet")
    orders.customer[rows] = -1
    return PlantedBreach(
        spec.text,
        spec.kind,
        "orders.parquet",
        "raw_orders__customer_id__not_null",
        len(rows),
        len(rows),
        {"column": "customer_id"},
    )


def _duplicate_key(spec: BreachSpec, orders: Orders, seed: int, _as_of_s: int) -> PlantedBreach:
    rng, rows = _rows_to_change(spec, seed, len(orders), "orders.parquet", per_row=2)
    rng.shuffle(rows)
    copies, originals = np.split(rows, 2)
    orders.number[copies] = orders.number[originals]
    planted = len(copies)
    return PlantedBreach(
        spec.text,
        spec.kind,
        "orders.parquet",
        "raw_orders__order_id__unique",
        planted,
        2 * planted,
        {
            "column": "order_id",
            "rows_sharing_a_duplicated_id": 2 * planted,
            "distinct_order_ids": len(orders) - planted,
            "note": "GX counts every row whose value is duplicated",
        },
    )


def _out_of_range(spec: BreachSpec, orders: Orders, seed: int, _as_of_s: int) -> PlantedBreach:
    rng, rows = _rows_to_change(spec, seed, len(orders), "orders.parquet")
    orders.amount_cents[rows] = rng.integers(5_000_001, 6_000_001, size=len(rows))
    return PlantedBreach(
        spec.text,
        spec.kind,
        "orders.parquet",
        "raw_orders__amount__between",
        len(rows),
        len(rows),
        {
            "column": "amount",
            "maximum": 50000,
            "amount_mean": round(float(orders.amount_cents.mean()) / 100, 2),
        },
    )


def _bad_enum(spec: BreachSpec, orders: Orders, seed: int, _as_of_s: int) -> PlantedBreach:
    rng, rows = _rows_to_change(spec, seed, len(orders), "orders.parquet")
    invalid = rng.integers(len(v.ORDER_STATUSES), len(ORDER_STATUS_VOCABULARY), size=len(rows))
    orders.status[rows] = invalid
    used = sorted({ORDER_STATUS_VOCABULARY[i] for i in invalid.tolist()})
    return PlantedBreach(
        spec.text,
        spec.kind,
        "orders.parquet",
        "raw_orders__status__in_set",
        len(rows),
        len(rows),
        {"column": "status", "invalid_values": used},
    )


def _bad_pattern(spec: BreachSpec, customers: Customers, seed: int, _as_of_s: int) -> PlantedBreach:
    rng, rows = _rows_to_change(spec, seed, len(customers), "customers.parquet")
    customers.bad_email[rows] = rng.choice(np.asarray(BAD_EMAIL_VARIANTS, np.int8), len(rows))
    return PlantedBreach(
        spec.text,
        spec.kind,
        "customers.parquet",
        "raw_customers__email__pattern",
        len(rows),
        len(rows),
        {"column": "email", "defects": ["no @", "no top-level domain", "space in the name"]},
    )


def _stale(spec: BreachSpec, events: Events, _seed: int, as_of_s: int) -> PlantedBreach:
    days = spec.number or DEFAULT_STALE_DAYS
    newest_s = as_of_s - days * SECONDS_PER_DAY
    events.ts_s -= int(events.ts_s.max()) - newest_s
    newest = datetime.fromtimestamp(newest_s, UTC).replace(tzinfo=None)
    return PlantedBreach(
        spec.text,
        spec.kind,
        "customer_events.parquet",
        "raw_customer_events__event_ts__freshness",
        len(events),
        None,
        {
            "column": "event_ts",
            "newest_event_ts": newest.isoformat(),
            "age_seconds": days * SECONDS_PER_DAY,
            "max_age_seconds": FRESHNESS_LIMIT_DAYS * SECONDS_PER_DAY,
        },
    )


def _schema_drift(spec: BreachSpec, orders: Orders, _seed: int, _as_of_s: int) -> PlantedBreach:
    variant = spec.argument or "rename"
    orders.amount_drift = variant
    change = {
        "rename": {"renamed_to": "order_amount"},
        "drop": {},
        "retype": {"written_as": "string"},
    }[variant]
    return PlantedBreach(
        spec.text,
        spec.kind,
        "orders.parquet",
        "raw_orders__table__schema",
        1,
        None,
        {
            "column": "amount",
            "variant": variant,
            **change,
            "amount_checks_not_meaningful": list(AMOUNT_CHECKS),
        },
    )


def _volume_drop(spec: BreachSpec, orders: Orders, seed: int, _as_of_s: int) -> PlantedBreach:
    percent = spec.number or DEFAULT_MISSING_PERCENT
    before = len(orders)
    kept = max(1, before * (100 - percent) // 100)
    rng = random_stream(seed, f"breach:{spec.kind}")
    rows = np.sort(rng.choice(before, size=kept, replace=False))
    for name in ("number", "customer", "ts_s", "status", "amount_cents", "currency"):
        setattr(orders, name, getattr(orders, name)[rows])
    return PlantedBreach(
        spec.text,
        spec.kind,
        "orders.parquet",
        "raw_orders__table__volume_anomaly",
        before - kept,
        None,
        {
            "rows_expected": before,
            "rows_delivered": kept,
            "percent_missing": percent,
            "note": "caught against a history of clean runs (see docs/monitoring.md)",
        },
    )


def _bad_event_day(spec: BreachSpec, events: Events, seed: int, _as_of_s: int) -> PlantedBreach:
    """Events of one day (default: the newest event's, today unless `stale` moved them) with an
    event type no contract allows: only that day's partition of the event tables is
    quarantined."""
    day = (
        date.fromisoformat(spec.argument)
        if spec.argument
        else datetime.fromtimestamp(int(events.ts_s.max()), UTC).date()
    )
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    on_day = np.flatnonzero((events.ts_s >= start) & (events.ts_s < start + SECONDS_PER_DAY))
    if len(on_day) == 0:
        raise ValueError(f"breach {spec.text!r}: no events on {day.isoformat()} to change")
    rng = random_stream(seed, f"breach:{spec.kind}")
    rows = np.sort(rng.choice(on_day, size=min(DEFAULT_PLANTED_ROWS, len(on_day)), replace=False))
    events.event_type[rows] = len(v.EVENT_TYPES)  # BAD_EVENT_TYPE, after the valid ones
    return PlantedBreach(
        spec.text,
        spec.kind,
        "customer_events.parquet",
        "raw_customer_events__event_type__invalid_values",
        len(rows),
        len(rows),
        {"column": "event_type", "day": day.isoformat(), "value": v.BAD_EVENT_TYPE},
    )


Table = Customers | Orders | Events
Planter = Callable[[BreachSpec, Any, int, int], PlantedBreach]  # Any: the planter's own table
_PLANTERS: dict[str, Planter] = {
    "null_required": _null_required,
    "duplicate_key": _duplicate_key,
    "out_of_range": _out_of_range,
    "bad_enum": _bad_enum,
    "bad_pattern": _bad_pattern,
    "stale": _stale,
    "schema_drift": _schema_drift,
    "volume_drop": _volume_drop,
    "bad_event_day": _bad_event_day,
}
FILE_OF_TABLE: dict[type[Table], str] = {
    Customers: "customers.parquet",
    Orders: "orders.parquet",
    Events: "customer_events.parquet",
}
TABLE_OF_BREACH: dict[str, type[Table]] = {
    "null_required": Orders,
    "duplicate_key": Orders,
    "out_of_range": Orders,
    "bad_enum": Orders,
    "bad_pattern": Customers,
    "stale": Events,
    "schema_drift": Orders,
    "volume_drop": Orders,
    "bad_event_day": Events,
}


def plant_into(
    table: Table, specs: Sequence[BreachSpec], seed: int, as_of_s: int
) -> list[PlantedBreach]:
    """Plant the breaches aimed at this table, in the order given."""
    return [
        _PLANTERS[s.kind](s, table, seed, as_of_s)
        for s in specs
        if TABLE_OF_BREACH[s.kind] is type(table)
    ]

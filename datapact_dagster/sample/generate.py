"""`generate_landing`: deterministic landing files for the sample commerce contracts.

Sizes: `rows` orders, rows / 5 customers (at most 9,999,999) and 2 * rows events, of which
3 are resent copies of an earlier event (the contract tolerates 10). Every timestamp lies in
[as_of - 365 days, as_of]; the newest event is under an hour old and on as_of's (UTC) day, so
the day's partition a run builds is never empty. The same arguments always give
byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from datapact_dagster.sample import render
from datapact_dagster.sample.breaches import check_sizes, parse_breaches, plant_into
from datapact_dagster.sample.manifest import MANIFEST_NAME, LandingFile, Manifest
from datapact_dagster.sample.tables import (
    EVENTS_PER_ORDER,
    Customers,
    Events,
    Orders,
    customer_count,
    make_customers,
    make_events,
    make_orders,
)

MAX_ROWS = 100_000_000  # contracts/raw_orders.yaml row_count
EARLIEST_AS_OF = datetime(2016, 1, 1)  # a year of history must start on or after 2015-01-01
CUSTOMERS_FILE = "customers.parquet"
ORDERS_FILE = "orders.parquet"
EVENTS_FILE = "customer_events.parquet"


def default_as_of() -> datetime:
    """Now, UTC, truncated to the hour, naive."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0, tzinfo=None)


def _naive_utc(as_of: datetime | None) -> datetime:
    if as_of is None:
        return default_as_of()
    if as_of.tzinfo is not None:
        as_of = as_of.astimezone(UTC).replace(tzinfo=None)
    as_of = as_of.replace(microsecond=0)
    if as_of < EARLIEST_AS_OF:
        raise ValueError(
            f"as_of {as_of.isoformat()} is before {EARLIEST_AS_OF.date()}: "
            "customers.signup_date must not fall before 2015-01-01"
        )
    return as_of


def generate_landing(
    landing_dir: Path,
    rows: int = 100_000,
    seed: int = 42,
    as_of: datetime | None = None,
    breaches: Sequence[str] = (),
) -> Manifest:
    """Write customers, orders and customer_events Parquet files plus `_manifest.json`."""
    if not 1 <= rows <= MAX_ROWS:
        raise ValueError(f"rows must be between 1 and {MAX_ROWS:,}, not {rows:,}")
    if seed < 0:
        raise ValueError(f"seed must be zero or positive, not {seed}")
    if isinstance(breaches, str):
        breaches = [breaches]
    specs = parse_breaches(breaches)
    customers_count = customer_count(rows)
    check_sizes(specs, {Customers: customers_count, Orders: rows, Events: rows * EVENTS_PER_ORDER})
    as_of = _naive_utc(as_of)
    as_of_s = int(as_of.replace(tzinfo=UTC).timestamp())
    landing_dir = Path(landing_dir)
    landing_dir.mkdir(parents=True, exist_ok=True)

    customers = make_customers(seed, customers_count, as_of_s)
    planted = plant_into(customers, specs, seed, as_of_s)
    ids = render.customer_ids(customers)
    render.write_parquet(
        landing_dir / CUSTOMERS_FILE,
        render.CUSTOMERS_SCHEMA,
        len(customers),
        partial(render.customers_chunk, customers, ids=ids),
    )

    orders = make_orders(seed, rows, customers, as_of_s)
    planted += plant_into(orders, specs, seed, as_of_s)
    orders_schema = render.orders_schema(orders.amount_drift)
    render.write_parquet(
        landing_dir / ORDERS_FILE,
        orders_schema,
        len(orders),
        partial(render.orders_chunk, orders, ids=ids),
    )
    orders_rows = len(orders)
    del orders

    events = make_events(seed, rows * EVENTS_PER_ORDER, customers, as_of_s)
    planted += plant_into(events, specs, seed, as_of_s)
    render.write_parquet(
        landing_dir / EVENTS_FILE,
        render.EVENTS_SCHEMA,
        len(events),
        partial(render.events_chunk, events, ids=ids),
    )

    order = {s.text: i for i, s in enumerate(specs)}
    manifest = Manifest(
        rows=rows,
        seed=seed,
        as_of=as_of,
        files=(
            LandingFile(
                CUSTOMERS_FILE,
                "raw_customers",
                len(customers),
                tuple(render.CUSTOMERS_SCHEMA.names),
            ),
            LandingFile(ORDERS_FILE, "raw_orders", orders_rows, tuple(orders_schema.names)),
            LandingFile(
                EVENTS_FILE, "raw_customer_events", len(events), tuple(render.EVENTS_SCHEMA.names)
            ),
        ),
        breaches=tuple(sorted(planted, key=lambda b: order[b.spec])),
        tolerated={"raw_customer_events__event_id__duplicate_values": events.resent},
    )
    (landing_dir / MANIFEST_NAME).write_text(manifest.to_json())
    return manifest

"""Numpy tables -> Parquet landing files, built and written one chunk of rows at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datapact_dagster.sample import vocabulary as v
from datapact_dagster.sample.tables import Customers, Events, Orders

CHUNK_ROWS = 1_000_000
TIMESTAMP = pa.timestamp("us")

NO_AT_SIGN, NO_TOP_LEVEL_DOMAIN, SPACE_IN_NAME = 1, 2, 3  # Customers.bad_email variants
BAD_EMAIL_VARIANTS = (NO_AT_SIGN, NO_TOP_LEVEL_DOMAIN, SPACE_IN_NAME)
ORDER_STATUS_VOCABULARY = v.ORDER_STATUSES + v.INVALID_ORDER_STATUSES
# dictionary-encode these only: for ids and e-mails a dictionary is wasted work
LOW_CARDINALITY_COLUMNS = frozenset({"country", "status", "currency", "event_type", "channel"})

CUSTOMERS_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("email", pa.string()),
        ("full_name", pa.string()),
        ("country", pa.string()),
        ("signup_at", TIMESTAMP),
    ]
)
EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("customer_id", pa.string()),
        ("event_type", pa.string()),
        ("channel", pa.string()),
        ("event_ts", TIMESTAMP),
    ]
)
DRIFTED_AMOUNT_FIELDS: dict[str | None, list[pa.Field]] = {
    None: [pa.field("amount", pa.float64())],
    "rename": [pa.field("order_amount", pa.float64())],
    "drop": [],
    "retype": [pa.field("amount", pa.string())],
}


def orders_schema(amount_drift: str | None) -> pa.Schema:
    return pa.schema(
        [
            pa.field("order_id", pa.string()),
            pa.field("customer_id", pa.string()),
            pa.field("order_ts", TIMESTAMP),
            pa.field("status", pa.string()),
            *DRIFTED_AMOUNT_FIELDS[amount_drift],
            pa.field("currency", pa.string()),
        ]
    )


def _vocabulary(values: Sequence[str]) -> pa.Array:
    return pa.array(values, pa.string())


def _pick(vocabulary: pa.Array, index: np.ndarray) -> pa.Array:
    """vocabulary[index], null where index is negative."""
    return pc.take(vocabulary, pa.array(index, mask=index < 0))


def _digits(numbers: np.ndarray, width: int = 0) -> pa.Array:
    text = pa.array(numbers).cast(pa.string())
    return pc.utf8_lpad(text, width=width, padding="0") if width else text


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds * 1_000_000, TIMESTAMP)


def customer_ids(customers: Customers) -> pa.Array:
    return _join("C", _digits(customers.number, 7))


_FIRST_LOWER = _vocabulary([name.lower() for name in v.FIRST_NAMES])
_LAST_LOWER = _vocabulary([name.lower() for name in v.LAST_NAMES])


def _emails(c: Customers, rows: slice) -> pa.Array:
    first = pc.take(_FIRST_LOWER, c.first_name[rows])
    last = pc.take(_LAST_LOWER, c.last_name[rows])
    number = _digits(c.number[rows])
    separator = pc.take(_vocabulary(v.EMAIL_SEPARATORS), c.email_separator[rows])
    domain = pc.take(_vocabulary(v.EMAIL_DOMAINS), c.email_domain[rows])
    local = _join(first, separator, last, number)
    emails = _join(local, "@", domain)
    emails = pc.if_else(c.email_capitalised[rows], pc.utf8_capitalize(emails), emails)
    bad = c.bad_email[rows]
    if bad.any():
        variants = {
            NO_AT_SIGN: lambda: _join(local, domain),
            NO_TOP_LEVEL_DOMAIN: lambda: _join(local, "@mailhost"),
            SPACE_IN_NAME: lambda: _join(first, " ", last, number, "@", domain),
        }
        for code, build in variants.items():
            if (bad == code).any():
                emails = pc.if_else(bad == code, build(), emails)
    return emails


def _full_names(c: Customers, rows: slice) -> pa.Array:
    names = _join(
        pc.take(_vocabulary(v.FIRST_NAMES), c.first_name[rows]),
        " ",
        pc.take(_vocabulary(v.LAST_NAMES), c.last_name[rows]),
    )
    placeholder = c.name_placeholder[rows]
    return pc.if_else(placeholder >= 0, _pick(_vocabulary(v.NAME_PLACEHOLDERS), placeholder), names)


def _countries(c: Customers, rows: slice) -> pa.Array:
    countries = _pick(_vocabulary(v.COUNTRIES), c.country[rows])
    return pc.if_else(c.country_lower_case[rows], pc.utf8_lower(countries), countries)


def customers_chunk(c: Customers, rows: slice, ids: pa.Array) -> pa.Table:
    return pa.Table.from_arrays(
        [
            ids[rows],
            _emails(c, rows),
            _full_names(c, rows),
            _countries(c, rows),
            _timestamps(c.signup_s[rows]),
        ],
        schema=CUSTOMERS_SCHEMA,
    )


def _amounts(cents: np.ndarray, drift: str | None) -> list[pa.Array]:
    if drift == "drop":
        return []
    if drift == "retype":
        fraction = _digits(cents % 100, 2)
        return [_join(_digits(cents // 100), ".", fraction)]
    return [pa.array(cents / 100)]


def orders_chunk(o: Orders, rows: slice, ids: pa.Array) -> pa.Table:
    return pa.Table.from_arrays(
        [
            _join("O", _digits(o.number[rows], 10)),
            _pick(ids, o.customer[rows]),
            _timestamps(o.ts_s[rows]),
            pc.take(_vocabulary(ORDER_STATUS_VOCABULARY), o.status[rows]),
            *_amounts(o.amount_cents[rows], o.amount_drift),
            pc.take(_vocabulary(v.CURRENCIES), o.currency[rows]),
        ],
        schema=orders_schema(o.amount_drift),
    )


def events_chunk(e: Events, rows: slice, ids: pa.Array) -> pa.Table:
    return pa.Table.from_arrays(
        [
            _join("E", _digits(e.number[rows], 12)),
            pc.take(ids, e.customer[rows]),
            pc.take(_vocabulary((*v.EVENT_TYPES, v.BAD_EVENT_TYPE)), e.event_type[rows]),
            _pick(_vocabulary(v.CHANNELS), e.channel[rows]),
            _timestamps(e.ts_s[rows]),
        ],
        schema=EVENTS_SCHEMA,
    )


def _chunks(total: int) -> Iterator[slice]:
    for start in range(0, total, CHUNK_ROWS):
        yield slice(start, min(start + CHUNK_ROWS, total))


def write_parquet(
    path: Path, schema: pa.Schema, total_rows: int, chunk: Callable[[slice], pa.Table]
) -> None:
    """Write to a side file and rename, so a reader never sees half a landing file."""
    partial = path.with_name(path.name + ".partial")
    low_cardinality = [name for name in schema.names if name in LOW_CARDINALITY_COLUMNS]
    with pq.ParquetWriter(
        partial, schema, compression="snappy", use_dictionary=low_cardinality
    ) as writer:
        for rows in _chunks(total_rows):
            writer.write_table(chunk(rows), row_group_size=CHUNK_ROWS)
    partial.replace(path)

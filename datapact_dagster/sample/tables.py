"""The sample tables as numpy columns: every value is a number (index, cents, epoch second).

Strings are only built when a chunk is written (see `render.py`), which keeps 10M-row tables
small in memory and lets breaches edit plain arrays.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from datapact_dagster.sample import vocabulary as v

SECONDS_PER_DAY = 86_400
HISTORY_DAYS = 365
MAX_CUSTOMERS = 9_999_999  # customer_id is 'C' + 7 digits
CUSTOMERS_PER_ORDER = 1 / 5
EVENTS_PER_ORDER = 2
RESENT_EVENTS = 3  # duplicate event rows, within the contract's tolerance of 10
ACTIVITY_SKEW = 1.3  # > 1: low customer indexes (the oldest accounts) are the most active


def random_stream(seed: int, purpose: str) -> np.random.Generator:
    """An independent generator per purpose, so a breach never shifts the clean data."""
    return np.random.default_rng([seed, zlib.crc32(purpose.encode())])


def customer_count(rows: int) -> int:
    return min(MAX_CUSTOMERS, max(1, math.ceil(rows * CUSTOMERS_PER_ORDER)))


@dataclass
class Customers:
    number: np.ndarray  # int64, the digits of customer_id, ascending with signup
    signup_s: np.ndarray  # int64 epoch seconds
    first_name: np.ndarray  # int16 index into FIRST_NAMES
    last_name: np.ndarray  # int16 index into LAST_NAMES
    email_separator: np.ndarray  # int8 index into EMAIL_SEPARATORS
    email_domain: np.ndarray  # int8 index into EMAIL_DOMAINS
    email_capitalised: np.ndarray  # bool
    bad_email: np.ndarray  # int8: 0 valid, else a BAD_EMAIL_* variant (breaches only)
    name_placeholder: np.ndarray  # int8 index into NAME_PLACEHOLDERS, -1 for a real name
    country: np.ndarray  # int8 index into COUNTRIES, -1 for null
    country_lower_case: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.number)


@dataclass
class Orders:
    number: np.ndarray  # int64, the digits of order_id, ascending with order_ts
    customer: np.ndarray  # int32 row index into Customers, -1 for null
    ts_s: np.ndarray  # int64 epoch seconds
    status: np.ndarray  # int8 index into ORDER_STATUSES + INVALID_ORDER_STATUSES
    amount_cents: np.ndarray  # int64
    currency: np.ndarray  # int8 index into CURRENCIES
    amount_drift: str | None = None  # schema_drift variant applied to the amount column

    def __len__(self) -> int:
        return len(self.number)


@dataclass
class Events:
    number: np.ndarray  # int64, the digits of event_id; resent events repeat a number
    customer: np.ndarray  # int32 row index into Customers
    event_type: np.ndarray  # int8 index into EVENT_TYPES
    channel: np.ndarray  # int8 index into CHANNELS, -1 for null
    ts_s: np.ndarray  # int64 epoch seconds
    resent: int  # rows that repeat an earlier event

    def __len__(self) -> int:
        return len(self.number)


def _choice(rng: np.random.Generator, weights: tuple[float, ...], size: int) -> np.ndarray:
    cumulative = np.cumsum(weights) / sum(weights)
    return np.searchsorted(cumulative, rng.random(size), side="right").astype(np.int8)


def _active_customers(rng: np.random.Generator, customers: int, size: int) -> np.ndarray:
    picked = np.floor(customers * rng.random(size) ** ACTIVITY_SKEW).astype(np.int32)
    return np.minimum(picked, customers - 1, out=picked)


def _after_signup(rng: np.random.Generator, signup_s: np.ndarray, as_of_s: int) -> np.ndarray:
    return signup_s + np.floor(rng.random(len(signup_s)) * (as_of_s - signup_s)).astype(np.int64)


def make_customers(seed: int, count: int, as_of_s: int) -> Customers:
    rng = random_stream(seed, "customers")
    number = np.sort(rng.choice(MAX_CUSTOMERS, size=count, replace=False).astype(np.int64) + 1)
    earliest = as_of_s - HISTORY_DAYS * SECONDS_PER_DAY
    signup_s = np.sort(rng.integers(earliest, as_of_s - SECONDS_PER_DAY, size=count))
    country = _choice(rng, v.COUNTRY_WEIGHTS, count)
    country[rng.random(count) < 0.03] = -1
    placeholder = np.full(count, -1, dtype=np.int8)
    with_placeholder = rng.random(count) < 0.02
    placeholder[with_placeholder] = rng.integers(
        0, len(v.NAME_PLACEHOLDERS), size=int(with_placeholder.sum())
    )
    return Customers(
        number=number,
        signup_s=signup_s,
        first_name=rng.integers(0, len(v.FIRST_NAMES), size=count, dtype=np.int16),
        last_name=rng.integers(0, len(v.LAST_NAMES), size=count, dtype=np.int16),
        email_separator=rng.integers(0, len(v.EMAIL_SEPARATORS), size=count, dtype=np.int8),
        email_domain=rng.integers(0, len(v.EMAIL_DOMAINS), size=count, dtype=np.int8),
        email_capitalised=rng.random(count) < 0.08,
        bad_email=np.zeros(count, dtype=np.int8),
        name_placeholder=placeholder,
        country=country,
        country_lower_case=rng.random(count) < 0.01,
    )


def make_orders(seed: int, rows: int, customers: Customers, as_of_s: int) -> Orders:
    rng = random_stream(seed, "orders")
    customer = _active_customers(rng, len(customers), rows)
    ts_s = _after_signup(rng, customers.signup_s[customer], as_of_s)
    status = _choice(rng, v.ORDER_STATUS_WEIGHTS, rows)
    amount = rng.lognormal(mean=4.3, sigma=1.0, size=rows)
    amount_cents = np.clip(np.round(amount * 100), 99, 5_000_000).astype(np.int64)
    country = customers.country[customer]
    home_currency = np.asarray(v.CURRENCY_OF_COUNTRY, dtype=np.int8)[country]
    home_currency[country < 0] = v.EUR
    foreign = rng.random(rows) < 0.03
    home_currency[foreign] = rng.integers(0, len(v.CURRENCIES), size=int(foreign.sum()))
    by_time = np.argsort(ts_s)
    first_number = int(rng.integers(10**8, 10**9))
    return Orders(
        number=np.arange(first_number, first_number + rows, dtype=np.int64),
        customer=customer[by_time],
        ts_s=ts_s[by_time],
        status=status[by_time],
        amount_cents=amount_cents[by_time],
        currency=home_currency[by_time],
    )


def make_events(seed: int, rows: int, customers: Customers, as_of_s: int) -> Events:
    rng = random_stream(seed, "events")
    resent = min(RESENT_EVENTS, rows // 1000)
    unique = rows - resent
    customer = _active_customers(rng, len(customers), unique)
    ts_s = _after_signup(rng, customers.signup_s[customer], as_of_s)
    # the newest event is under an hour old, and in today's (UTC) partition, which a run builds
    ts_s[0] = max(as_of_s - int(rng.integers(60, 3600)), as_of_s - as_of_s % 86_400)
    event_type = _choice(rng, v.EVENT_TYPE_WEIGHTS, unique)
    channel = np.where(rng.random(unique) < 0.58, v.WEB, v.APP).astype(np.int8)
    channel[event_type == v.EMAIL_OPEN] = v.EMAIL
    channel[rng.random(unique) < 0.04] = -1
    by_time = np.argsort(ts_s)
    first_number = int(rng.integers(10**10, 10**11))
    number = np.arange(first_number, first_number + unique, dtype=np.int64)
    if resent:
        originals = np.sort(rng.choice(unique, size=resent, replace=False))
        by_time = np.insert(by_time, originals + 1, by_time[originals])
        number = np.insert(number, originals + 1, number[originals])
    return Events(
        number=number,
        customer=customer[by_time],
        event_type=event_type[by_time],
        channel=channel[by_time],
        ts_s=ts_s[by_time],
        resent=resent,
    )

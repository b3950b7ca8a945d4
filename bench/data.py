"""The benchmark table: bronze.bench_orders with violations planted at fixed row positions."""

from __future__ import annotations

from pathlib import Path

import duckdb

BENCH_PROJECT = Path(__file__).resolve().parent / "project"
ORDERS = "bronze.bench_orders"
CUSTOMERS = "bronze.bench_customers"
CUSTOMER_COUNT = 50_000
MISSING_CUSTOMER = 12_345

_ORDERS_SQL = f"""
CREATE OR REPLACE TABLE {ORDERS} AS
SELECT
    CASE WHEN i % 500000 = 7 THEN NULL
         WHEN i % 100000 = 1 THEN 'O' || (i - 1) ELSE 'O' || i END AS order_id,
    -- rows without an order_id get distinct line numbers: GX's SQL engine never counts rows
    -- with a NULL key part as duplicates, its pandas engine does; keep the bench unambiguous
    CASE WHEN i % 500000 = 7 THEN 100 + i // 500000
         WHEN i % 100000 = 1 AND i % 200000 <> 1 THEN 2 ELSE 1 END::INTEGER AS line_no,
    'C' || (i % {CUSTOMER_COUNT}) AS customer_id,
    CASE WHEN i % 100000 = 5 THEN 'Bad Email ' || i
         WHEN i % 300000 = 9 THEN repeat('x', 70) || '@example.com'
         ELSE 'user' || i || '@example.com' END AS email,
    CASE WHEN i % 100000 = 11 THEN 'lost' WHEN i % 100000 = 14 THEN 'shipped'
         ELSE ['placed', 'paid', 'shipped'][1 + i % 3] END AS status,
    CASE WHEN i % 100000 = 13 THEN -5.0 WHEN i % 100000 = 14 THEN 0.0
         ELSE (i % 1000) * 1.5 + 1 END::DOUBLE AS amount,
    CASE WHEN i % 20 = 0 THEN NULL ELSE 'DE' END AS country,
    CASE WHEN i % 25 = 0 THEN '' WHEN i % 100000 = 15 THEN 'N/A' ELSE 'ok' END AS note,
    CASE WHEN i % 100000 = 17 THEN 'fax' ELSE ['web', 'app', 'email'][1 + i % 3] END AS channel,
    CASE WHEN i % 1000000 = 19 THEN 'E' || (i - 1) ELSE 'E' || i END AS event_id,
    TIMESTAMP '2024-01-01' + to_seconds(i % 86400) AS order_ts
FROM range($rows) AS r(i)
"""

_CUSTOMERS_SQL = f"""
CREATE OR REPLACE TABLE {CUSTOMERS} AS
SELECT 'C' || i AS customer_id FROM range({CUSTOMER_COUNT}) AS r(i)
WHERE i <> {MISSING_CUSTOMER}
"""


def build_database(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("SET enable_progress_bar = false")
        con.execute("CREATE SCHEMA IF NOT EXISTS bronze")
        con.execute(_CUSTOMERS_SQL)
        con.execute(_ORDERS_SQL.replace("$rows", str(int(rows))))
        con.execute("CHECKPOINT")

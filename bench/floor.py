"""The floor: one hand-written SQL statement computing every count the bench contract checks.

One scan for the per-row conditions plus the GROUP BY / anti-join aggregates the duplicate and
relationship counts need (DuckDB runs them faster than one scan with window functions).
"""

from __future__ import annotations

from typing import Any

from bench.data import CUSTOMERS, ORDERS

FLOOR_SQL = f"""
WITH duplicates AS (
    SELECT
        (SELECT COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM {ORDERS}
            WHERE order_id IS NOT NULL GROUP BY order_id HAVING COUNT(*) > 1))
            AS order_id_rows,
        (SELECT COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM {ORDERS}
            WHERE order_id IS NOT NULL AND line_no IS NOT NULL
            GROUP BY order_id, line_no HAVING COUNT(*) > 1)) AS key_rows,
        (SELECT COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM {ORDERS}
            WHERE event_id IS NOT NULL GROUP BY event_id HAVING COUNT(*) > 1)) AS event_id_rows,
        (SELECT COUNT(*) FROM {ORDERS} AS o WHERE o.customer_id IS NOT NULL AND NOT EXISTS
            (SELECT 1 FROM {CUSTOMERS} AS c WHERE c.customer_id = o.customer_id)) AS orphans
)
SELECT
    COUNT(*) AS "bench_orders__table__row_count",
    COUNT(*) FILTER (WHERE order_id IS NULL) AS "bench_orders__order_id__not_null",
    ANY_VALUE(d.order_id_rows) AS "bench_orders__order_id__unique",
    COUNT(*) FILTER (WHERE line_no IS NULL) AS "bench_orders__line_no__not_null",
    COUNT(*) FILTER (WHERE customer_id IS NULL) AS "bench_orders__customer_id__not_null",
    COUNT(*) FILTER (WHERE email IS NOT NULL
        AND NOT regexp_matches(email, '^[a-z0-9.]+@[a-z0-9.-]+\\.[a-z]{{2,}}$'))
        AS "bench_orders__email__pattern",
    COUNT(*) FILTER (WHERE length(email) > 64) AS "bench_orders__email__length",
    COUNT(*) FILTER (WHERE status IS NULL) AS "bench_orders__status__not_null",
    COUNT(*) FILTER (WHERE status NOT IN ('placed', 'paid', 'shipped'))
        AS "bench_orders__status__in_set",
    COUNT(*) FILTER (WHERE amount IS NULL) AS "bench_orders__amount__not_null",
    COUNT(*) FILTER (WHERE amount < 0 OR amount > 50000) AS "bench_orders__amount__between",
    COUNT(*) FILTER (WHERE country IS NULL) AS "bench_orders__country__null_values",
    COUNT(*) FILTER (WHERE note IN ('', 'N/A')) AS "bench_orders__note__missing_values",
    COUNT(*) FILTER (WHERE channel NOT IN ('web', 'app', 'email'))
        AS "bench_orders__channel__invalid_values",
    ANY_VALUE(d.event_id_rows) AS "bench_orders__event_id__duplicate_values",
    COUNT(*) FILTER (WHERE order_ts IS NULL) AS "bench_orders__order_ts__not_null",
    ANY_VALUE(d.key_rows) AS "bench_orders__table__primary_key",
    ANY_VALUE(d.orphans) AS "bench_orders__customer_id__references_bench_customers",
    COUNT(*) FILTER (WHERE status = 'shipped' AND amount = 0)
        AS "bench_orders__table__no_refund_without_amount",
    ROUND(AVG(amount), 6) AS "bench_orders__amount__amount_mean",
    MAX(order_ts) AS newest_order_ts
FROM {ORDERS} CROSS JOIN duplicates AS d
"""


def floor_counts(connection: Any) -> dict[str, Any]:
    """Run FLOOR_SQL on a DuckDB connection: spec key -> count (or mean / row count)."""
    cursor = connection.execute(FLOOR_SQL)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return {
        name: value for name, value in zip(names, row, strict=True) if name != "newest_order_ts"
    }

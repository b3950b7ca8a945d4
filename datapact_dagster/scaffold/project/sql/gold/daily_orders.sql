SELECT
    o.order_date,
    o.currency,
    COUNT(*) AS order_count,
    CAST(SUM(o.amount) AS DECIMAL(14, 2)) AS revenue
FROM silver.orders AS o
GROUP BY o.order_date, o.currency

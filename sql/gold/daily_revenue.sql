SELECT
    o.order_date,
    o.currency,
    COUNT(*) AS order_count,
    CAST(SUM(o.net_amount) AS DECIMAL(14, 2)) AS net_revenue
FROM silver.orders AS o
GROUP BY o.order_date, o.currency

SELECT
    o.order_id,
    o.customer_id,
    CAST(o.order_ts AS DATE) AS order_date,
    o.status,
    CAST(CASE WHEN o.status = 'refunded' THEN -o.amount ELSE o.amount END AS DECIMAL(12, 2)) AS net_amount,
    o.currency
FROM bronze.raw_orders AS o
WHERE o.status <> 'cancelled'

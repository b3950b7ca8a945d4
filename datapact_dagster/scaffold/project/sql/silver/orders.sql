SELECT
    o.order_id,
    LOWER(TRIM(o.customer_email)) AS customer_email,
    CAST(o.amount AS DECIMAL(12, 2)) AS amount,
    UPPER(o.currency) AS currency,
    CAST(o.ordered_at AS DATE) AS order_date
FROM bronze.raw_orders AS o

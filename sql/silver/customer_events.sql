SELECT
    e.event_id,
    e.customer_id,
    e.event_type,
    COALESCE(e.channel, 'unknown') AS channel,
    e.event_ts
FROM (
    SELECT
        r.*,
        ROW_NUMBER() OVER (PARTITION BY r.event_id ORDER BY r.event_ts) AS copy_number
    FROM bronze.raw_customer_events AS r
) AS e
JOIN silver.customers AS c ON c.customer_id = e.customer_id
WHERE e.copy_number = 1

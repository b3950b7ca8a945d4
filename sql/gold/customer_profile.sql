WITH order_stats AS (
    SELECT
        o.customer_id,
        SUM(o.net_amount) AS lifetime_value,
        COUNT(*) AS order_count,
        MAX(o.order_date) AS last_order_date
    FROM silver.orders AS o
    GROUP BY o.customer_id
),
event_stats AS (
    SELECT
        e.customer_id,
        MAX(e.event_ts) AS last_event_at,
        COUNT(*) AS event_count
    FROM silver.customer_events AS e
    GROUP BY e.customer_id
),
activity AS (
    SELECT
        c.customer_id,
        c.country,
        SPLIT_PART(c.email, '@', 2) AS email_domain,
        c.signup_date,
        COALESCE(os.lifetime_value, 0) AS lifetime_value,
        COALESCE(os.order_count, 0) AS order_count,
        COALESCE(es.event_count, 0) AS event_count,
        GREATEST(
            COALESCE(CAST(os.last_order_date AS TIMESTAMP), es.last_event_at),
            COALESCE(es.last_event_at, CAST(os.last_order_date AS TIMESTAMP))
        ) AS last_activity_at
    FROM silver.customers AS c
    LEFT JOIN order_stats AS os ON os.customer_id = c.customer_id
    LEFT JOIN event_stats AS es ON es.customer_id = c.customer_id
),
latest AS (
    SELECT MAX(last_activity_at) AS as_of FROM activity
)
SELECT
    a.customer_id,
    a.country,
    a.email_domain,
    CAST(a.lifetime_value AS DECIMAL(14, 2)) AS lifetime_value,
    CAST(a.order_count AS BIGINT) AS order_count,
    a.last_activity_at,
    CASE
        WHEN a.last_activity_at IS NULL THEN 'new'
        WHEN a.order_count >= 5 AND a.last_activity_at >= l.as_of - INTERVAL '30' DAY THEN 'champion'
        WHEN a.last_activity_at >= l.as_of - INTERVAL '30' DAY THEN 'active'
        WHEN a.last_activity_at >= l.as_of - INTERVAL '90' DAY THEN 'at_risk'
        ELSE 'dormant'
    END AS engagement_segment
FROM activity AS a
CROSS JOIN latest AS l

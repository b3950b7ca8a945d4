SELECT
    c.customer_id,
    LOWER(TRIM(c.email)) AS email,
    NULLIF(TRIM(c.full_name), '') AS full_name,
    UPPER(c.country) AS country,
    CAST(c.signup_at AS DATE) AS signup_date
FROM bronze.raw_customers AS c

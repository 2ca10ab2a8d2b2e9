-- What a source's orders come to, shown before the import is confirmed. A source need not write a status (a
-- saved mapping without one): its orders are then completed, as the import takes them. grain: one row.
WITH orders AS (
    SELECT * FROM source_orders
    UNION ALL BY NAME
    SELECT CAST(NULL AS VARCHAR) AS status WHERE false
)
SELECT count(*) AS orders, count(DISTINCT customer_id) AS customers,
       sum(CAST(amount AS DECIMAL(38, 2))) FILTER (WHERE coalesce(status, 'completed') = 'completed') AS revenue,
       min(order_date) AS first_day, max(order_date) AS last_day
FROM orders;

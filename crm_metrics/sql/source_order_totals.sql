-- What a source's orders come to, shown before the import is confirmed. grain: one row.
SELECT count(*) AS orders, count(DISTINCT customer_id) AS customers,
       sum(CAST(amount AS DECIMAL(38, 2))) FILTER (WHERE coalesce(status, 'completed') = 'completed') AS revenue,
       min(order_date) AS first_day, max(order_date) AS last_day
FROM source_orders;

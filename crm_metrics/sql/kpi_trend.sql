-- Revenue, orders and customers per day, week or month ($grain) under the shared filters.
-- grain: one row per bucket that has orders. New = the customer's first completed order ever is in the bucket.
WITH
-- @include scoped_orders
in_window AS (SELECT * FROM scoped WHERE order_date BETWEEN $start AND $end)
SELECT CAST(date_trunc($grain, order_date) AS DATE) AS bucket,
       sum(amount) AS revenue,
       count(*) AS orders,
       count(DISTINCT customer_id) AS active_customers,
       count(DISTINCT customer_id) FILTER (WHERE date_trunc($grain, first_date) = date_trunc($grain, order_date))
           AS new_customers
FROM in_window
GROUP BY 1
ORDER BY 1;

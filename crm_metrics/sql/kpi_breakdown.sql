-- Revenue, orders and customers per value of one dimension ({{dimension}}) in the period.
-- grain: one row per dimension value (NULL = not recorded).
WITH
-- @include scoped_orders
in_period AS (SELECT * FROM scoped WHERE order_date BETWEEN $start AND $end)
SELECT {{dimension}} AS value, sum(amount) AS revenue, count(*) AS orders, count(DISTINCT customer_id) AS customers
FROM in_period
GROUP BY {{dimension}}
ORDER BY revenue DESC, value;

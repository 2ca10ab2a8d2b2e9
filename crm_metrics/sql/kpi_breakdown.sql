-- Revenue, orders and customers per value of one dimension ({{dimension}}) in the period.
-- grain: one row per dimension value (NULL = not recorded).
-- Customers: for a customer attribute ($customer_level) with no sales channel or category filter, each
-- customer's first order in the period (its previous order falls before it) is counted, which avoids a
-- count distinct; otherwise a customer may appear under several values, so they are counted distinct.
WITH
-- @include scoped_orders
in_period AS (SELECT * FROM scoped WHERE order_date BETWEEN $start AND $end)
SELECT {{dimension}} AS value, sum(amount) AS revenue, count(*) AS orders,
       CASE WHEN $customer_level AND array_length($channel) + array_length($product_category) = 0
            THEN count(*) FILTER (WHERE previous_date IS NULL OR previous_date < $start)
            ELSE count(DISTINCT customer_key) END AS customers
FROM in_period
GROUP BY {{dimension}}
ORDER BY revenue DESC, value;

-- Revenue, orders and customers per day, week or month ($grain) under the shared filters.
-- grain: one row per bucket that has orders. New = the customer's first completed order is in the bucket.
WITH
-- @include scoped_orders
first_order AS (SELECT customer_id, min(order_date) AS first_date FROM scoped GROUP BY customer_id)
SELECT CAST(date_trunc($grain, s.order_date) AS DATE) AS bucket,
       sum(s.amount) AS revenue,
       count(*) AS orders,
       count(DISTINCT s.customer_id) AS active_customers,
       count(DISTINCT s.customer_id) FILTER (WHERE date_trunc($grain, f.first_date) = date_trunc($grain, s.order_date))
           AS new_customers
FROM scoped AS s JOIN first_order AS f USING (customer_id)
WHERE s.order_date BETWEEN $start AND $end
GROUP BY 1
ORDER BY 1;

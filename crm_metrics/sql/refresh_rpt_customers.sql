-- rpt_customers after appended orders (reporting.refresh): the changed customers' rows recomputed as
-- layer/rpt_customers.sql computes them, each with its key from layer_keys (kept, or the next one for a
-- customer the append created). grain: one row per customer.
DELETE FROM rpt_customers WHERE customer_id IN (SELECT customer_id FROM layer_keys);
INSERT INTO rpt_customers
WITH first_order AS (
    SELECT customer_id, min(order_date) AS first_date FROM orders
    WHERE status = 'completed' AND customer_id IN (SELECT customer_id FROM layer_keys)
    GROUP BY customer_id
),
second_order AS (
    SELECT o.customer_id, min(o.order_date) AS second_date
    FROM orders AS o JOIN first_order AS f USING (customer_id)
    WHERE o.status = 'completed' AND o.order_date > f.first_date
    GROUP BY o.customer_id
)
SELECT c.customer_id, c.region, c.country, c.city, c.acquisition_channel, c.acquisition_cost, f.first_date,
       k.customer_key, c.signup_date, s.second_date
FROM customers AS c JOIN layer_keys AS k USING (customer_id)
LEFT JOIN first_order AS f USING (customer_id) LEFT JOIN second_order AS s USING (customer_id);

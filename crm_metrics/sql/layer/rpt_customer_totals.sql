-- rpt_customer_totals -- grain: one row per customer with a completed order: their whole history (RFM as of
--                       the last order date, with no order-level filter, reads this instead of every order).
-- requires: rpt_orders
-- after appended orders: refreshed by customer_key
CREATE OR REPLACE TABLE rpt_customer_totals AS
SELECT customer_id, min(customer_key) AS customer_key, max(order_date) AS last_order, min(order_date) AS first_order,
       count(*) FILTER (WHERE first_of_day) AS purchase_days, count(*) AS orders, sum(amount) AS revenue,
       -- in whole cents, rounded half away from zero: the same cent on every engine
       CAST(round(avg(CAST(CAST(amount AS DECIMAL(38, 2)) * 100 AS BIGINT))) / 100 AS DECIMAL(18, 2)) AS average_order
FROM rpt_orders
-- @changed WHERE customer_key
GROUP BY customer_id;

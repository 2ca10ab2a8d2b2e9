-- rpt_customer_months -- grain: one row per (customer_key, calendar month with a completed order): the
--                        month's revenue. The monthly cohort matrix counts these instead of orders.
-- requires: rpt_orders
-- after appended orders: refreshed by customer_key
CREATE OR REPLACE TABLE rpt_customer_months AS
SELECT customer_key, date_trunc('month', order_date) AS month, sum(amount) AS revenue
FROM rpt_orders
-- @changed WHERE customer_key
GROUP BY customer_key, date_trunc('month', order_date);

-- rpt_customers -- grain: one row per customer: attributes, signup date, first completed order date, the date of
--                  the second purchase day (second_date: "bought on two or more days by a date" without
--                  reading the orders), and customer_key
--                  (a dense integer for the customer id: the filters and per-customer counts of every
--                  report join and group on it, which is several times cheaper than on text ids; numbered
--                  in the order customers arrived, by import then id, so that the customers an append of
--                  orders creates take the next keys: sql/layer_changed.sql).
-- requires: (the canonical tables only)
-- after appended orders: refreshed by refresh_rpt_customers
CREATE OR REPLACE TABLE rpt_customers AS
WITH first_order AS (
    SELECT customer_id, min(order_date) AS first_date FROM orders WHERE status = 'completed' GROUP BY customer_id
),
second_order AS (
    SELECT o.customer_id, min(o.order_date) AS second_date
    FROM orders AS o JOIN first_order AS f USING (customer_id)
    WHERE o.status = 'completed' AND o.order_date > f.first_date
    GROUP BY o.customer_id
)
SELECT c.customer_id, c.region, c.country, c.city, c.acquisition_channel, c.acquisition_cost, f.first_date,
       CAST(row_number() OVER (ORDER BY c._import_id, c.customer_id) AS INTEGER) AS customer_key, c.signup_date,
       s.second_date
FROM customers AS c LEFT JOIN first_order AS f USING (customer_id) LEFT JOIN second_order AS s USING (customer_id);

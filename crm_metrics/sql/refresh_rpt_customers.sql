-- rpt_customers after appended orders (reporting.refresh): the changed customers' rows (layer_keys) recomputed,
-- each with its key from layer_keys (kept, or the next one for a customer the append created). Orders were only
-- added, so a customer's first and second purchase days are the two earliest of the days stored before and the
-- days of the appended completed orders: no need to read their older orders. grain: one row per customer.
CREATE OR REPLACE TEMP TABLE layer_days AS
WITH days AS (
    SELECT customer_id, first_date AS day FROM rpt_customers
    WHERE first_date IS NOT NULL AND customer_id IN (SELECT customer_id FROM layer_keys)
    UNION
    SELECT customer_id, second_date FROM rpt_customers
    WHERE second_date IS NOT NULL AND customer_id IN (SELECT customer_id FROM layer_keys)
    UNION
    SELECT customer_id, order_date FROM orders WHERE _import_id > $since AND status = 'completed'
),
ranked AS (
    SELECT customer_id, day, row_number() OVER (PARTITION BY customer_id ORDER BY day) AS nth FROM days
)
SELECT customer_id, min(day) FILTER (WHERE nth = 1) AS first_date, min(day) FILTER (WHERE nth = 2) AS second_date
FROM ranked GROUP BY customer_id;
DELETE FROM rpt_customers WHERE customer_id IN (SELECT customer_id FROM layer_keys);
INSERT INTO rpt_customers
SELECT c.customer_id, c.region, c.country, c.city, c.acquisition_channel, c.acquisition_cost, d.first_date,
       k.customer_key, c.signup_date, d.second_date
FROM customers AS c JOIN layer_keys AS k USING (customer_id) LEFT JOIN layer_days AS d USING (customer_id);
DROP TABLE layer_days;

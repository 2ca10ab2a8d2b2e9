-- The customers whose orders the imports after $since appended: the reporting layer recomputes only their rows
-- (reporting.refresh). grain: one row per such customer: customer_id and customer_key, the key they have,
-- or for a customer the append created, the next keys in the order the full build numbers customers
-- (layer/rpt_customers.sql: by import, then id; the created ones arrived last).
CREATE OR REPLACE TEMP TABLE layer_keys AS
WITH changed AS (
    SELECT DISTINCT customer_id FROM orders WHERE _import_id > $since
)
SELECT k.customer_id,
       CAST(coalesce(r.customer_key,
                     (SELECT coalesce(max(customer_key), 0) FROM rpt_customers)
                     + row_number() OVER (PARTITION BY r.customer_key IS NULL ORDER BY c._import_id, k.customer_id))
            AS INTEGER) AS customer_key
FROM changed AS k
JOIN customers AS c USING (customer_id)
LEFT JOIN rpt_customers AS r USING (customer_id);
-- the changed customers and all customers: a refresh of many customers is left to a full build
SELECT (SELECT count(*) FROM layer_keys) AS changed, (SELECT count(*) FROM rpt_customers) AS customers;

-- Every customer's id in customer_key order (keys run 1..n, numbered in id order by build_reporting.sql), so
-- position key - 1 holds the id of that key: lists scored on the integer key look their ids up by position.
-- grain: one row per customer.
SELECT customer_id FROM rpt_customers ORDER BY customer_key;

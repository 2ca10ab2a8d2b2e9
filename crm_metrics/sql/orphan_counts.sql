-- Rows that reference a customer with no customer row. grain: one row.
SELECT (SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM customers)) AS orders,
       (SELECT count(*) FROM contacts WHERE customer_id NOT IN (SELECT customer_id FROM customers)) AS contacts;

-- The first and last completed order dates (the default reporting date is the last). grain: one row.
SELECT min(order_date) AS first_order, max(order_date) AS last_order FROM orders WHERE status = 'completed';

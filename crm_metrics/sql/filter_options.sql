-- What the shared filters can offer. grain: one row.
SELECT (SELECT min(order_date) FROM orders) AS first_order,
       (SELECT max(order_date) FROM orders) AS last_order,
       (SELECT list(DISTINCT region ORDER BY region) FROM customers WHERE region IS NOT NULL) AS regions,
       (SELECT list(DISTINCT channel ORDER BY channel) FROM orders WHERE channel IS NOT NULL) AS channels;

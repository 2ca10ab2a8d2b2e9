-- What the shared filters can offer. grain: one row (dates NULL and lists empty when there are no orders).
SELECT (SELECT min(order_date) FROM orders) AS first_order,
       (SELECT max(order_date) FROM orders) AS last_order,
       coalesce((SELECT list(DISTINCT region ORDER BY region) FROM customers WHERE region IS NOT NULL),
                CAST([] AS VARCHAR[])) AS regions,
       coalesce((SELECT list(DISTINCT channel ORDER BY channel) FROM orders WHERE channel IS NOT NULL),
                CAST([] AS VARCHAR[])) AS channels;

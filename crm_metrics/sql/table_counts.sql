-- Rows per canonical table. grain: one row per table.
SELECT 'customers' AS table_name, count(*) AS row_count FROM customers
UNION ALL SELECT 'orders', count(*) FROM orders
UNION ALL SELECT 'campaigns', count(*) FROM campaigns
UNION ALL SELECT 'contacts', count(*) FROM contacts
UNION ALL SELECT 'tickets', count(*) FROM tickets
UNION ALL SELECT 'surveys', count(*) FROM surveys;

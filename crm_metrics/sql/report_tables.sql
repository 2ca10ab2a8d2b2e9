-- Rows per canonical table and when it last changed. grain: one row per table.
WITH counts AS (
    SELECT 'customers' AS table_name, 1 AS position, count(*) AS row_count FROM customers
    UNION ALL SELECT 'orders', 2, count(*) FROM orders
    UNION ALL SELECT 'campaigns', 3, count(*) FROM campaigns
    UNION ALL SELECT 'contacts', 4, count(*) FROM contacts
    UNION ALL SELECT 'tickets', 5, count(*) FROM tickets
    UNION ALL SELECT 'surveys', 6, count(*) FROM surveys
),
last_import AS (
    SELECT table_name, max(imported_at) AS last_imported_at, count(*) AS imports
    FROM import_ledger WHERE undone_at IS NULL GROUP BY table_name
)
SELECT c.table_name, c.row_count, coalesce(l.imports, 0) AS imports, l.last_imported_at
FROM counts AS c LEFT JOIN last_import AS l USING (table_name)
ORDER BY c.position;

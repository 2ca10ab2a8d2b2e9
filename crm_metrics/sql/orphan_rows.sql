-- Rows that name a customer or a campaign no longer stored, with the imports that wrote them: an undo that would
-- add to these is refused (the import itself refuses contacts of unknown campaigns, and tickets, surveys and
-- orders of a customer removed would drop out of every report that joins customers).
-- grain: one row per (table, what it names) with such rows.
WITH orphans AS (
    SELECT 'orders' AS table_name, 'customer' AS names, _import_id FROM orders
    WHERE customer_id NOT IN (SELECT customer_id FROM customers)
    UNION ALL
    SELECT 'contacts', 'customer', _import_id FROM contacts WHERE customer_id NOT IN (SELECT customer_id FROM customers)
    UNION ALL
    SELECT 'contacts', 'campaign', _import_id FROM contacts WHERE campaign_id NOT IN (SELECT campaign_id FROM campaigns)
    UNION ALL
    SELECT 'tickets', 'customer', _import_id FROM tickets WHERE customer_id NOT IN (SELECT customer_id FROM customers)
    UNION ALL
    SELECT 'surveys', 'customer', _import_id FROM surveys WHERE customer_id NOT IN (SELECT customer_id FROM customers)
)
SELECT table_name, names, count(*) AS n, list(DISTINCT _import_id ORDER BY _import_id) AS imports
FROM orphans
GROUP BY table_name, names
ORDER BY table_name, names;

-- Customers referenced by the incoming rows but not yet known get a minimal row (id only), owned by
-- this import so that undo removes them. grain: one row per new customer id.
INSERT INTO customers (customer_id, _import_id)
SELECT DISTINCT customer_id, $import_id FROM typed
WHERE customer_id IS NOT NULL AND customer_id NOT IN (SELECT customer_id FROM customers);
SELECT count(*) FROM customers WHERE _import_id = $import_id;

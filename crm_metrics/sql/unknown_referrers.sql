-- Customers referred by an id that is neither in the file nor in customers (kept, warned). grain: one row.
SELECT count(*) AS n, min(rec) AS first_rec FROM typed
WHERE referred_by IS NOT NULL
  AND referred_by NOT IN (SELECT customer_id FROM customers)
  AND referred_by NOT IN (SELECT customer_id FROM typed);

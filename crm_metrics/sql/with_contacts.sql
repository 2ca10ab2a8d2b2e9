-- A registered list ("listed", with customer_id and _position, its order) plus the customers' contact
-- fields, in the list's own order (the caller drops _position). grain: one row per listed customer.
SELECT l.*, c.name, c.email, c.region, c.country, c.city
FROM listed AS l LEFT JOIN customers AS c USING (customer_id)
ORDER BY l._position;

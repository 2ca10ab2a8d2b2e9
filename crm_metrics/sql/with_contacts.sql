-- A registered list ("listed", with customer_id) plus the customers' contact fields, most revenue first.
-- grain: one row per listed customer.
SELECT l.*, c.name, c.email, c.region, c.country, c.city
FROM listed AS l LEFT JOIN customers AS c USING (customer_id)
ORDER BY l.revenue DESC NULLS LAST, l.customer_id;

-- Customers whose id, name or email matches the search text $text (lower case) or the LIKE pattern
-- $pattern ('%text%', wildcards in the text escaped with '\'), best matches first: the exact id, then ids
-- starting with the text, an exact email, then names and emails containing it. At most $limit rows.
-- grain: one row per matching customer.
WITH matches AS (
    SELECT customer_id, name, email, city, country, signup_date,
           CASE WHEN lower(customer_id) = $text THEN 0
                WHEN lower(customer_id) LIKE $prefix ESCAPE '\' THEN 1
                WHEN lower(email) = $text THEN 2
                ELSE 3 END AS match_rank
    FROM customers
    WHERE lower(customer_id) LIKE $prefix ESCAPE '\'
       OR lower(name) LIKE $pattern ESCAPE '\'
       OR lower(email) LIKE $pattern ESCAPE '\'
),
best AS (
    SELECT * FROM matches
    ORDER BY match_rank, CASE WHEN match_rank <= 1 THEN customer_id END, name, customer_id LIMIT $limit
)
SELECT b.customer_id, b.name, b.email, b.city, b.country, b.signup_date, r.first_date AS first_order
FROM best AS b LEFT JOIN rpt_customers AS r USING (customer_id)
ORDER BY b.match_rank, CASE WHEN b.match_rank <= 1 THEN b.customer_id END, b.name, b.customer_id;

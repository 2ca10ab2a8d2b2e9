-- The customers one customer ($customer_id) brought in (their referred_by), with what each has bought up
-- to $as_of. grain: one row per referred customer, the most valuable first.
SELECT c.customer_id, c.name, c.signup_date,
       count(o.order_id) AS orders, CAST(coalesce(sum(o.amount), 0) AS DOUBLE) AS revenue
FROM customers AS c
LEFT JOIN orders AS o ON o.customer_id = c.customer_id AND o.status = 'completed' AND o.order_date <= $as_of
WHERE c.referred_by = $customer_id AND (c.signup_date IS NULL OR c.signup_date <= $as_of)
GROUP BY c.customer_id, c.name, c.signup_date
ORDER BY revenue DESC, c.customer_id;

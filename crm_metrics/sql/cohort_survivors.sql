-- How many of one monthly cohort ($cohort_start, e.g. '2024-03-01') had not yet lapsed at each month after
-- their first, as of $as_of: a customer counts as surviving period p when their last order up to $as_of
-- falls in period p or later (lost after their last order: the contractual reading of buying data).
-- grain: one row per period 0 .. the months $as_of has reached.
WITH
-- @include scoped_orders
members AS (
    SELECT customer_id, first_date FROM scoped_customers
    WHERE first_date <= $as_of AND strftime(date_trunc('month', first_date), '%Y-%m-%d') = $cohort_start
),
last_period AS (
    SELECT o.customer_id,
           date_diff('month', date_trunc('month', min(m.first_date)), date_trunc('month', max(o.order_date))) AS period
    FROM scoped AS o JOIN members AS m USING (customer_id)
    WHERE o.order_date <= $as_of
    GROUP BY o.customer_id
),
periods AS (
    SELECT unnest(generate_series(0, date_diff('month', CAST($cohort_start AS DATE),
                                              date_trunc('month', CAST($as_of AS DATE))))) AS period
)
SELECT p.period, count(l.customer_id) AS survivors
FROM periods AS p LEFT JOIN last_period AS l ON l.period >= p.period
GROUP BY p.period
ORDER BY p.period;

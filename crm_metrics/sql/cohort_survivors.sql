-- How many of one monthly cohort ($cohort_start, e.g. '2024-03-01') had not yet lapsed at each month after
-- their first, as of $as_of: a customer counts as surviving period p when their last order up to $as_of
-- falls in period p or later (lost after their last order: the contractual reading of buying data).
-- grain: one row per period 0 .. the months $as_of has reached.
WITH
-- @include scoped_orders
last_period AS (
    -- the cohort's orders carry its first-order date (rpt_orders.first_date): no join to find its members
    SELECT customer_key,
           date_diff('month', date_trunc('month', min(first_date)), date_trunc('month', max(order_date))) AS period
    FROM scoped
    WHERE order_date <= $as_of
      AND first_date BETWEEN CAST($cohort_start AS DATE) AND last_day(CAST($cohort_start AS DATE))
    GROUP BY customer_key
),
periods AS (
    SELECT unnest(generate_series(0, date_diff('month', CAST($cohort_start AS DATE),
                                              date_trunc('month', CAST($as_of AS DATE))))) AS period
)
SELECT p.period, count(l.customer_key) AS survivors
FROM periods AS p LEFT JOIN last_period AS l ON l.period >= p.period
GROUP BY p.period
ORDER BY p.period;

-- Shared CTEs of the cohort queries (included after scoped_orders).
-- members      -- grain: one row per customer whose first completed order is on or before $as_of: their
--                 cohort and how many $grain periods $as_of has reached for them.
-- reach_counts -- grain: one row per (cohort, reach): customers.
members AS (
    SELECT customer_id, customer_key, first_date,
           CASE WHEN $by = 'acquisition_channel' THEN coalesce(acquisition_channel, '(not recorded)')
                ELSE strftime(date_trunc($grain, first_date), '%Y-%m-%d') END AS cohort,
           -- whole $grain periods from the first order's period to $as_of's (see cohort_matrix.sql)
           CASE $grain WHEN 'week' THEN CAST(date_diff('day', date_trunc('week', first_date), date_trunc('week', CAST($as_of AS DATE))) / 7 AS INTEGER)
                       WHEN 'quarter' THEN (year(CAST($as_of AS DATE)) - year(first_date)) * 4 + quarter(CAST($as_of AS DATE)) - quarter(first_date)
                       ELSE (year(CAST($as_of AS DATE)) - year(first_date)) * 12 + month(CAST($as_of AS DATE)) - month(first_date) END AS reach
    FROM scoped_customers
    WHERE first_date <= $as_of
),
reach_counts AS (SELECT cohort, reach, count(*) AS n FROM members GROUP BY cohort, reach),
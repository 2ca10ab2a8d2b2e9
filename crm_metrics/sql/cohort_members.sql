-- Shared CTEs of the cohort queries (included after scoped_orders).
-- members      -- grain: one row per customer whose first completed order is on or before $as_of: their
--                 cohort and how many $grain periods $as_of has reached for them.
-- reach_counts -- grain: one row per (cohort, reach): customers.
members AS (
    SELECT customer_id, first_date,
           CASE WHEN $by = 'acquisition_channel' THEN coalesce(acquisition_channel, '(not recorded)')
                ELSE strftime(date_trunc($grain, first_date), '%Y-%m-%d') END AS cohort,
           date_diff($grain, date_trunc($grain, first_date), date_trunc($grain, CAST($as_of AS DATE))) AS reach
    FROM scoped_customers
    WHERE first_date <= $as_of
),
reach_counts AS (SELECT cohort, reach, count(*) AS n FROM members GROUP BY cohort, reach),
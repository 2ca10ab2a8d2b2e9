-- The monthly cohort matrix from rpt_customer_months (one row per customer and month with orders) for
-- when no order-level filter is set and $as_of closes the data (no later order exists): the same result
-- as cohort_matrix.sql with $grain = 'month', from about half as many rows. Columns and grain as there.
WITH
-- @include scoped_orders
members AS (
    SELECT customer_id, first_date,
           CASE WHEN $by = 'acquisition_channel' THEN coalesce(acquisition_channel, '(not recorded)')
                ELSE strftime(date_trunc('month', first_date), '%Y-%m-%d') END AS cohort,
           date_diff('month', date_trunc('month', first_date), date_trunc('month', CAST($as_of AS DATE))) AS reach
    FROM scoped_customers
    WHERE first_date <= $as_of
),
reach_counts AS (SELECT cohort, reach, count(*) AS n FROM members GROUP BY cohort, reach),
cells AS (
    SELECT m.cohort, date_diff('month', date_trunc('month', m.first_date), a.month) AS period,
           count(*) AS active, sum(a.revenue) AS revenue
    FROM rpt_customer_months AS a JOIN members AS m USING (customer_id)
    GROUP BY ALL
),
grid AS (
    SELECT c.cohort, p.period, CAST(sum(c.n) AS BIGINT) AS customers
    FROM reach_counts AS c
    JOIN (SELECT range AS period FROM range(0, (SELECT max(reach) + 1 FROM members))) AS p ON p.period <= c.reach
    GROUP BY c.cohort, p.period
)
SELECT g.cohort, g.period, g.customers, coalesce(c.active, 0) AS active,
       CAST(coalesce(c.revenue, 0) AS DOUBLE) AS revenue
FROM grid AS g LEFT JOIN cells AS c USING (cohort, period)
ORDER BY g.cohort, g.period;

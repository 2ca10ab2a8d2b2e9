-- The monthly cohort matrix from rpt_customer_months (one row per customer and month with orders) for
-- when no order-level filter is set and $as_of closes the data (no later order exists): the same result
-- as cohort_matrix.sql with $grain = 'month' (the caller passes it), from about half as many rows.
-- Columns and grain as there.
WITH
-- @include scoped_orders
-- @include cohort_members
cells AS (
    SELECT m.cohort, date_diff('month', date_trunc('month', m.first_date), a.month) AS period,
           count(*) AS active, sum(a.revenue) AS revenue
    FROM rpt_customer_months AS a JOIN members AS m USING (customer_key)
    GROUP BY ALL
),
-- @include cohort_grid
SELECT g.cohort, g.period, g.customers, coalesce(c.active, 0) AS active,
       CAST(coalesce(c.revenue, 0) AS DOUBLE) AS revenue
FROM grid AS g LEFT JOIN cells AS c USING (cohort, period)
ORDER BY g.cohort, g.period;

-- Cohort retention under the shared filters, as of $as_of. A customer's cohort is the $grain ('week',
-- 'month' or 'quarter') of their first completed order ever ($by = 'first_purchase'), or their
-- acquisition channel ($by = 'acquisition_channel'); period p counts whole $grain periods from the
-- period of their own first order (p = 0: the period they first bought in).
-- grain: one row per (cohort, period) that $as_of has reached for some member, zero-activity cells included.
--   customers   cohort customers whose period p has begun by $as_of (all of a time cohort; the earlier
--               joiners of a channel cohort);  active: distinct cohort customers with an order in period p
--   revenue     their revenue in period p
WITH
-- @include scoped_orders
-- @include cohort_members
activity AS (
    -- one row per (customer, period) with orders: the distinct count below is then a plain count
    -- whole $grain periods between the two dates' periods (spelled out per grain: engines count a unit
    -- passed as a parameter differently)
    SELECT m.cohort, CASE $grain WHEN 'week' THEN CAST(date_diff('day', date_trunc('week', m.first_date), date_trunc('week', o.order_date)) / 7 AS INTEGER)
                WHEN 'quarter' THEN (year(o.order_date) - year(m.first_date)) * 4 + quarter(o.order_date) - quarter(m.first_date)
                ELSE (year(o.order_date) - year(m.first_date)) * 12 + month(o.order_date) - month(m.first_date) END AS period,
           o.customer_id, sum(o.amount) AS revenue
    FROM scoped AS o JOIN members AS m USING (customer_id)
    WHERE o.order_date <= $as_of
    GROUP BY m.cohort, period, o.customer_id
),
cells AS (
    SELECT cohort, period, count(*) AS active, sum(revenue) AS revenue FROM activity GROUP BY cohort, period
),
-- @include cohort_grid
SELECT g.cohort, g.period, g.customers, coalesce(c.active, 0) AS active,
       CAST(coalesce(c.revenue, 0) AS DOUBLE) AS revenue
FROM grid AS g LEFT JOIN cells AS c USING (cohort, period)
ORDER BY g.cohort, g.period;

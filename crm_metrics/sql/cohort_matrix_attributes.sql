-- The monthly cohort matrix summed from rpt_cohort_months, for when only customer attributes are filtered
-- (region, country, city, acquisition channel) and $as_of closes the data (no later order exists): the
-- same result as cohort_matrix_monthly.sql (the caller passes $grain = 'month'), from about a hundred
-- thousand rows at a million customers instead of four million customer months. Columns and grain as
-- cohort_matrix.sql.
WITH
months AS (
    SELECT CASE WHEN $by = 'acquisition_channel' THEN coalesce(acquisition_channel, '(not recorded)')
                ELSE strftime(first_month, '%Y-%m-%d') END AS cohort,
           first_month, date_diff('month', first_month, month) AS period, active, revenue
    FROM rpt_cohort_months
    WHERE
      -- @filter attributes
      AND first_month <= $as_of
),
reach_counts AS (
    -- the customers of each cohort (its first month's buyers) by the whole months $as_of has reached for them
    SELECT cohort, (year(CAST($as_of AS DATE)) - year(first_month)) * 12 + month(CAST($as_of AS DATE))
                   - month(first_month) AS reach,
           sum(active) AS n
    FROM months WHERE period = 0
    GROUP BY 1, 2
),
members AS (SELECT reach FROM reach_counts),  -- what the grid reads: the furthest reach
cells AS (
    SELECT cohort, period, CAST(sum(active) AS BIGINT) AS active, sum(revenue) AS revenue
    FROM months GROUP BY cohort, period
),
-- @include cohort_grid
SELECT g.cohort, g.period, g.customers, coalesce(c.active, 0) AS active,
       CAST(coalesce(c.revenue, 0) AS DOUBLE) AS revenue
FROM grid AS g LEFT JOIN cells AS c USING (cohort, period)
ORDER BY g.cohort, g.period;

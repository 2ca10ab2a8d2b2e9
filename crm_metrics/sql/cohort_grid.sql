-- Shared CTE of the cohort queries (included after cohort_members and the cells CTE).
-- grid -- grain: one row per (cohort, period) some member has reached, with how many have reached it.
grid AS (
    -- every period some member of the cohort has reached by $as_of, with how many have reached it
    SELECT c.cohort, p.period, CAST(sum(c.n) AS BIGINT) AS customers
    FROM reach_counts AS c
    JOIN (SELECT unnest(generate_series(0, (SELECT max(reach) FROM members))) AS period) AS p ON p.period <= c.reach
    GROUP BY c.cohort, p.period
)
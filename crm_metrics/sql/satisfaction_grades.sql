-- Survey answers dated in [$start, $end] by CSAT grade, for the customers the shared filters keep; every
-- grade 1-5 appears, answered or not. grain: one row per grade. Columns: grade, answers.
WITH
-- @include scoped_orders
answers AS (
    SELECT csat AS grade, count(*) AS answers FROM surveys
    WHERE survey_date BETWEEN $start AND $end AND csat IS NOT NULL
      AND customer_id IN (SELECT customer_id FROM scoped_customers)
    GROUP BY csat
),
grades AS (SELECT * FROM (VALUES (1), (2), (3), (4), (5)) AS g (grade))
SELECT g.grade, coalesce(a.answers, 0) AS answers
FROM grades AS g LEFT JOIN answers AS a USING (grade)
ORDER BY g.grade;

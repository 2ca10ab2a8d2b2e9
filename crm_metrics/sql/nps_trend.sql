-- Net Promoter Score per calendar month of survey answers dated in [$start, $end], for the customers the
-- shared filters keep. Promoters answer 9-10, passives 7-8, detractors 0-6.
-- grain: one row per month with an NPS answer. Columns: month, answers, promoters, passives, detractors, nps.
WITH
-- @include scoped_orders
answered AS (
    SELECT CAST(date_trunc('month', survey_date) AS DATE) AS month, nps FROM surveys
    WHERE survey_date BETWEEN $start AND $end AND nps IS NOT NULL
      AND customer_id IN (SELECT customer_id FROM scoped_customers)
)
SELECT month, count(*) AS answers,
       count(*) FILTER (WHERE nps >= 9) AS promoters,
       count(*) FILTER (WHERE nps BETWEEN 7 AND 8) AS passives,
       count(*) FILTER (WHERE nps <= 6) AS detractors,
       100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6)) / count(*) AS nps
FROM answered GROUP BY month ORDER BY month;

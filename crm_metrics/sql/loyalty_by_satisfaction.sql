-- Do satisfied customers stay? For each customer the shared filters keep, their latest survey answer and
-- their latest rated support ticket dated in [$start, $end] and at least $follow_days before $as_of (so the
-- follow-up window is complete), grouped by grade; "stayed" = a completed order in the $follow_days days
-- after it, "repeat" = two or more purchase days by $as_of.
-- grain: one row per (basis, grade). basis: 'survey' (grade = CSAT 1-5) or 'ticket' (grade = the
-- ticket's rating 1-5). Columns: basis, grade, customers, stayed, repeat_buyers.
WITH
-- @include scoped_orders
latest_survey AS (
    SELECT customer_id, arg_max(csat, survey_date) AS grade, max(survey_date) AS seen_on
    FROM surveys
    WHERE csat IS NOT NULL AND survey_date BETWEEN $start AND $end
      AND survey_date <= CAST($as_of AS DATE) - CAST($follow_days AS INTEGER)
      AND customer_id IN (SELECT customer_id FROM scoped_customers)
    GROUP BY customer_id
),
latest_ticket AS (
    SELECT customer_id, arg_max(satisfaction, opened_at) AS grade, CAST(max(opened_at) AS DATE) AS seen_on
    FROM tickets
    WHERE satisfaction IS NOT NULL AND CAST(closed_at AS DATE) <= $as_of
      AND CAST(opened_at AS DATE) BETWEEN $start AND $end
      AND CAST(opened_at AS DATE) <= CAST($as_of AS DATE) - CAST($follow_days AS INTEGER)
      AND customer_id IN (SELECT customer_id FROM scoped_customers)
    GROUP BY customer_id
),
graded AS (
    SELECT 'survey' AS basis, * FROM latest_survey
    UNION ALL
    SELECT 'ticket', * FROM latest_ticket
),
graded_keys AS (
    -- the integer key: joining millions of orders on text ids costs twice as much
    SELECT g.basis, k.customer_key, g.grade, g.seen_on, k.second_date
    FROM graded AS g JOIN rpt_customers AS k USING (customer_id)
),
stayed AS (
    -- the graded customers with an order in the follow-up window (the join keeps only those orders)
    SELECT DISTINCT g.basis, g.customer_key
    FROM graded_keys AS g JOIN scoped AS o ON o.customer_key = g.customer_key
     AND o.order_date > g.seen_on AND o.order_date <= g.seen_on + CAST($follow_days AS INTEGER)
),
exact_days AS (
    -- "repeat" is two purchase days by $as_of: rpt_customers' second_date tells it, unless a sales-channel
    -- or product-category filter keeps only some of a customer's orders: count the days it keeps then
    -- (otherwise this is empty)
    SELECT g.basis, g.customer_key, count(DISTINCT o.order_date) AS days
    FROM graded_keys AS g JOIN scoped AS o ON o.customer_key = g.customer_key
    WHERE array_length($channel) + array_length($product_category) > 0 AND o.order_date <= $as_of
    GROUP BY g.basis, g.customer_key
)
SELECT g.basis, g.grade, count(*) AS customers,
       count(s.customer_key) AS stayed,
       count(*) FILTER (WHERE CASE WHEN array_length($channel) + array_length($product_category) > 0
                                   THEN coalesce(e.days, 0) >= 2
                                   ELSE coalesce(g.second_date <= $as_of, false) END) AS repeat_buyers
FROM graded_keys AS g
LEFT JOIN stayed AS s USING (basis, customer_key)
LEFT JOIN exact_days AS e USING (basis, customer_key)
GROUP BY g.basis, g.grade ORDER BY g.basis, g.grade;

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
    -- the integer key: joining and grouping millions of orders on text ids costs twice as much
    SELECT g.basis, k.customer_key, g.grade, g.seen_on
    FROM graded AS g JOIN rpt_customers AS k USING (customer_id)
),
-- one pass over each graded customer's orders: any in the follow-up window, and purchase days by $as_of
-- (first_of_day marks a customer's first order of a day, so counting it counts days without a distinct count)
followed AS (
    SELECT g.basis, g.customer_key, g.grade,
           count(o.order_id) FILTER (WHERE o.order_date > g.seen_on
                                       AND o.order_date <= g.seen_on + CAST($follow_days AS INTEGER)) > 0 AS stayed,
           count(o.order_id) FILTER (WHERE o.first_of_day AND o.order_date <= $as_of) AS flagged_days
    FROM graded_keys AS g LEFT JOIN scoped AS o ON o.customer_key = g.customer_key
    GROUP BY g.basis, g.customer_key, g.grade
),
exact_days AS (
    -- under a sales-channel or product-category filter a day's first order may be filtered out: count the
    -- days themselves then (otherwise this is empty)
    SELECT g.basis, g.customer_key, count(DISTINCT o.order_date) AS days
    FROM graded_keys AS g JOIN scoped AS o ON o.customer_key = g.customer_key
    WHERE array_length($channel) + array_length($product_category) > 0 AND o.order_date <= $as_of
    GROUP BY g.basis, g.customer_key
)
SELECT f.basis, f.grade, count(*) AS customers,
       count(*) FILTER (WHERE f.stayed) AS stayed,
       count(*) FILTER (WHERE coalesce(e.days, f.flagged_days) >= 2) AS repeat_buyers
FROM followed AS f LEFT JOIN exact_days AS e USING (basis, customer_key)
GROUP BY f.basis, f.grade ORDER BY f.basis, f.grade;

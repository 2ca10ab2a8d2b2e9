-- The loyalty ladder as of $as_of for the customers the shared filters keep (signed up by then, or
-- with an order by then). Each customer stands on the highest rung they reached:
--   Advocate  -- referred at least one customer who signed up by $as_of, or last answered NPS 9-10
--   Supporter -- bought on two or more days and last answered CSAT 4-5
--   Client    -- bought on two or more days
--   Customer  -- bought on one day
--   Prospect  -- signed up, has not bought
-- grain: one row per rung (all five, zero when empty). Columns: rung, step (1 = Prospect .. 5), customers.
WITH
-- @include scoped_orders
base AS (
    SELECT customer_key, customer_id, first_date, second_date FROM scoped_customers
    WHERE signup_date <= $as_of OR first_date <= $as_of
),
bought AS (
    -- purchase days by $as_of, capped at 2 (the ladder asks "one, or two or more"): each customer's first
    -- two purchase dates are in rpt_customers, so no order is read...
    SELECT customer_key, CASE WHEN second_date <= $as_of THEN 2 ELSE 1 END AS days
    FROM base
    WHERE first_date <= $as_of AND array_length($channel) + array_length($product_category) = 0
    UNION ALL
    -- ...unless a sales-channel or product-category filter keeps only some of a customer's orders: then
    -- count the days of the orders it keeps
    SELECT customer_key, count(DISTINCT order_date) AS days FROM scoped
    WHERE order_date <= $as_of AND array_length($channel) + array_length($product_category) > 0
    GROUP BY customer_key
),
answers AS (
    SELECT customer_id, arg_max(csat, survey_date) AS csat, arg_max(nps, survey_date) AS nps
    FROM surveys WHERE survey_date <= $as_of GROUP BY customer_id
),
referrers AS (
    SELECT DISTINCT referred_by AS customer_id FROM customers
    WHERE referred_by IS NOT NULL AND (signup_date IS NULL OR signup_date <= $as_of)
),
placed AS (
    SELECT CASE WHEN r.customer_id IS NOT NULL OR a.nps >= 9 THEN 5
                WHEN coalesce(o.days, 0) >= 2 AND a.csat >= 4 THEN 4
                WHEN coalesce(o.days, 0) >= 2 THEN 3
                WHEN coalesce(o.days, 0) = 1 THEN 2
                ELSE 1 END AS step
    FROM base AS b
    LEFT JOIN bought AS o USING (customer_key)
    LEFT JOIN answers AS a USING (customer_id)
    LEFT JOIN referrers AS r USING (customer_id)
),
rungs AS (
    SELECT * FROM (VALUES (1, 'Prospect'), (2, 'Customer'), (3, 'Client'), (4, 'Supporter'), (5, 'Advocate'))
        AS r (step, rung)
)
SELECT r.rung, r.step, count(p.step) AS customers
FROM rungs AS r LEFT JOIN placed AS p USING (step)
GROUP BY r.rung, r.step ORDER BY r.step;

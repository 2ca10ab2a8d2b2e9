-- The per-customer summary the customer-base models read, from completed orders on or before $as_of
-- (the calibration end) under the shared filters. grain: one row per customer with a completed order.
-- Same-day orders are one purchase (their amounts summed). Times are in days divided by $unit_days
-- (1 = days, 7 = weeks), computed from dates, never from calendar-week bins.
--   x        repeat purchases: distinct purchase days - 1
--   t_x      time from the first to the last purchase day (BTYD "recency", not days since last order)
--   T        time from the first purchase day to $as_of (the customer's age)
--   monetary mean spend of the repeat purchase days (the first day left out), 0 without repeats
--   first_spend, total_spend: spend on the first day and over all days (historical value)
-- $part_count, $part: only the customers whose customer_key % $part_count = $part (1 and 0: every customer).
-- A base too large for one machine is fitted on one such part (every k-th customer in id order: a
-- systematic sample) and scored part by part, so no step holds every customer (crm_metrics.clv).
WITH
-- @include scoped_orders
purchase_days AS (
    -- on the integer key: it groups millions of orders faster than the text id, and it is what selections of
    -- the whole base are made by (crm_metrics.scope)
    SELECT customer_key, order_date, sum(amount) AS spend,
           sum(coalesce(amount - cost, amount * $margin_rate)) AS margin
    FROM scoped WHERE order_date <= $as_of AND customer_key % $part_count = $part
    GROUP BY customer_key, order_date
),
numbered AS (
    SELECT *, row_number() OVER (PARTITION BY customer_key ORDER BY order_date) AS day_no FROM purchase_days
),
summary AS (
    SELECT customer_key,
           count(*) - 1 AS x,
           date_diff('day', min(order_date), max(order_date)) / $unit_days AS t_x,
           date_diff('day', min(order_date), CAST($as_of AS DATE)) / $unit_days AS "T",
           -- the exact sum, then one division: the same double on every engine (an average of decimals is not)
           coalesce(CAST(sum(spend) FILTER (WHERE day_no > 1) AS DOUBLE)
                    / nullif(count(*) FILTER (WHERE day_no > 1), 0), 0) AS monetary,
           min(order_date) AS first_purchase, max(order_date) AS last_purchase,
           CAST(sum(spend) AS DOUBLE) AS total_spend, CAST(sum(margin) AS DOUBLE) AS total_margin
    FROM numbered
    GROUP BY customer_key
)
SELECT k.customer_id, s.*
FROM summary AS s JOIN rpt_customers AS k USING (customer_key)
ORDER BY s.customer_key;

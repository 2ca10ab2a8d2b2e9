-- Revenue, orders and customers per day, week or month ($grain) under the shared filters.
-- grain: one row per bucket that has orders. New = the customer's first completed order ever is in the bucket.
-- Customers per bucket are counted from the precomputed first-order-of-the-bucket flags of rpt_orders; with
-- a sales channel or product category filter (which may drop the flagged order), and in a first bucket that
-- starts before $start, they are counted exactly.
WITH
-- @include scoped_orders
in_window AS (
    SELECT *, CAST(date_trunc($grain, order_date) AS DATE) AS bucket,
           CASE $grain WHEN 'day' THEN first_of_day WHEN 'week' THEN first_of_week ELSE first_of_month END
               AS first_in_bucket
    FROM scoped WHERE order_date BETWEEN $start AND $end
),
exact AS (
    SELECT bucket, count(DISTINCT customer_key) AS active_customers,
           count(DISTINCT customer_key) FILTER (WHERE CAST(date_trunc($grain, first_date) AS DATE) = bucket)
               AS new_customers
    -- a bucket that starts before the window may have its flagged order outside it: count it exactly too
    -- ($partial_until: where that first bucket ends, or $start when the window starts on a bucket boundary)
    FROM in_window WHERE array_length($channel) + array_length($product_category) > 0 OR order_date < $partial_until
    GROUP BY bucket
),
flagged AS (
    SELECT bucket, sum(amount) AS revenue, count(*) AS orders,
           count(*) FILTER (WHERE first_in_bucket) AS active_customers,
           count(*) FILTER (WHERE first_in_bucket AND CAST(date_trunc($grain, first_date) AS DATE) = bucket)
               AS new_customers
    FROM in_window GROUP BY bucket
)
SELECT f.bucket, f.revenue, f.orders,
       coalesce(e.active_customers, f.active_customers) AS active_customers,
       coalesce(e.new_customers, f.new_customers) AS new_customers
FROM flagged AS f LEFT JOIN exact AS e USING (bucket)
ORDER BY f.bucket;

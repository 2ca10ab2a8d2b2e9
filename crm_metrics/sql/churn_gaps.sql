-- Days between a customer's consecutive purchase days, up to $as_of, under the shared filters: the
-- distribution the default churn definition is read from. grain: one row per percentile (50, 75, 90, 95).
WITH
-- @include scoped_orders
purchase_days AS (SELECT DISTINCT customer_key, order_date FROM scoped WHERE order_date <= $as_of),
gaps AS (
    SELECT date_diff('day', lag(order_date) OVER (PARTITION BY customer_key ORDER BY order_date), order_date) AS gap
    FROM purchase_days
)
SELECT quantile_cont(gap, 0.5) AS p50, quantile_cont(gap, 0.75) AS p75, quantile_cont(gap, 0.9) AS p90,
       quantile_cont(gap, 0.95) AS p95, count(gap) AS gaps
FROM gaps WHERE gap IS NOT NULL;

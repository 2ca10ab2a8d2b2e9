-- Repeat purchases of the calibration customers per week of the holdout period ($as_of, $until]
-- (week 1 = days 1-7 after $as_of). grain: one row per week with purchases.
WITH
-- @include scoped_orders
calibrated AS (SELECT DISTINCT customer_id FROM scoped WHERE order_date <= $as_of),
holdout_days AS (
    SELECT DISTINCT o.customer_id, o.order_date
    FROM scoped AS o JOIN calibrated USING (customer_id)
    WHERE o.order_date > $as_of AND o.order_date <= $until
)
SELECT CAST(ceil(date_diff('day', CAST($as_of AS DATE), order_date) / 7.0) AS INTEGER) AS week,
       count(*) AS purchases
FROM holdout_days GROUP BY week ORDER BY week;

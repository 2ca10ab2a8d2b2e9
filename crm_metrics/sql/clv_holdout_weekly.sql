-- Repeat purchases of the calibration customers per week of the holdout period ($as_of, $until]
-- (week 1 = days 1-7 after $as_of). grain: one row per week with purchases.
WITH
-- @include scoped_orders
-- @include clv_holdout_days
SELECT CAST(ceil(date_diff('day', CAST($as_of AS DATE), order_date) / 7.0) AS INTEGER) AS week,
       count(*) AS purchases
FROM holdout_days GROUP BY week ORDER BY week;

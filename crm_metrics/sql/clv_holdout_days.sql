-- Shared CTEs (included after scoped_orders): the purchase days in the holdout period ($as_of, $until] of
-- the customers who bought on or before $as_of. grain of holdout_days: one row per (customer, day).
calibrated AS (SELECT DISTINCT customer_id FROM scoped WHERE order_date <= $as_of),
holdout_days AS (
    SELECT DISTINCT o.customer_id, o.order_date
    FROM scoped AS o JOIN calibrated USING (customer_id)
    WHERE o.order_date > $as_of AND o.order_date <= $until
)

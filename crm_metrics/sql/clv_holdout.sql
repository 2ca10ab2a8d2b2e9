-- Repeat purchases in the holdout period ($as_of, $until] of the customers who bought on or before
-- $as_of, under the shared filters (same-day orders are one purchase): the actuals of a backtest.
-- grain: one row per customer with a holdout purchase.
WITH
-- @include scoped_orders
calibrated AS (SELECT DISTINCT customer_id FROM scoped WHERE order_date <= $as_of),
holdout_days AS (
    SELECT DISTINCT o.customer_id, o.order_date
    FROM scoped AS o JOIN calibrated USING (customer_id)
    WHERE o.order_date > $as_of AND o.order_date <= $until
)
SELECT customer_id, count(*) AS purchases FROM holdout_days GROUP BY customer_id;

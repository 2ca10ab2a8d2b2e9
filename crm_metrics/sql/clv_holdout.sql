-- Repeat purchases in the holdout period ($as_of, $until] of the customers who bought on or before
-- $as_of, under the shared filters (same-day orders are one purchase): the actuals of a backtest.
-- grain: one row per customer with a holdout purchase.
WITH
-- @include scoped_orders
-- @include clv_holdout_days
SELECT customer_id, count(*) AS purchases FROM holdout_days GROUP BY customer_id;

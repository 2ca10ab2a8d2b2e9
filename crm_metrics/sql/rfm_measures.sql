-- Every customer's RFM measures as of $as_of, unscored: what crm_metrics.rfm.measures holds once per date,
-- so that any selection of customers is scored (crm_metrics.rfm.movements_of) without reading the orders
-- again. Called without filters: a selection only picks rows. Counts as 32-bit integers: a million rows per
-- date at the largest size, held in memory.
-- grain: one row per customer who had bought by $as_of, in no order.
WITH
-- @include scoped_orders
-- @include rfm_base
measures AS (
    SELECT customer_key, CAST(recency_days AS INTEGER) AS recency_days,
           CAST(purchase_days AS INTEGER) AS purchase_days, CAST(orders AS INTEGER) AS orders,
           revenue, average_order, last_order
    FROM rfm_now
)
SELECT * FROM measures;

-- The customers the shared filters select: the slice of the whole-base prediction models (churn, CLV) a
-- page shows. Customer-level filters choose customers by their attributes; an order-level filter (sales
-- channel, product category) keeps the customers with a completed order that matches it, on any date.
-- grain: one row per selected customer: its customer_key (rpt_customers numbers customers in id order).
WITH
-- @include scoped_orders
order_level AS (
    SELECT DISTINCT customer_key FROM scoped
    WHERE array_length($channel) + array_length($product_category) > 0
)
SELECT customer_key
FROM scoped_customers
WHERE array_length($channel) + array_length($product_category) = 0
   OR customer_key IN (SELECT customer_key FROM order_level)
ORDER BY customer_key;

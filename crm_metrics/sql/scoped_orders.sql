-- Shared CTEs (included with "-- @include scoped_orders" right after WITH).
-- scoped_customers -- grain: one row per customer matching the customer-level filters.
-- scoped           -- grain: one row per completed order matching every dimension filter (any date).
-- Empty filter lists mean "all". Returned and cancelled orders are never revenue.
scoped_customers AS (
    SELECT customer_id, region, country, city, acquisition_channel, acquisition_cost
    FROM customers
    WHERE (len($region) = 0 OR list_contains($region, region))
      AND (len($country) = 0 OR list_contains($country, country))
      AND (len($city) = 0 OR list_contains($city, city))
      AND (len($acquisition_channel) = 0 OR list_contains($acquisition_channel, acquisition_channel))
),
scoped AS (
    SELECT o.order_id, o.customer_id, o.order_date, o.amount, o.channel, o.product_category, o.campaign_id,
           c.region, c.country, c.city, c.acquisition_channel
    FROM orders AS o
    JOIN scoped_customers AS c ON c.customer_id = o.customer_id
    WHERE o.status = 'completed'
      AND (len($channel) = 0 OR list_contains($channel, o.channel))
      AND (len($product_category) = 0 OR list_contains($product_category, o.product_category))
),

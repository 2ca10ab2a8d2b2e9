-- The treated customers of one campaign ($campaign_id) who bought within a window of its contacts (orders up
-- to $until), with their RFM segment as of $as_of (the day before the campaign started; "New" when they
-- had not bought by then). grain: one row per customer, most window revenue first.
WITH
-- @include scoped_orders
-- @include rfm_base
-- @include campaign_base
,
converted AS (
    SELECT customer_id, count(*) AS window_orders, sum(amount) AS window_revenue,
           min(days_after) AS first_order_days
    FROM window_orders
    WHERE campaign_id = $campaign_id AND member_group = 'treatment'
    GROUP BY customer_id
)
SELECT v.customer_id, c.name, c.email, c.region, c.country, c.city, CASE WHEN s.customer_id IS NULL THEN 'New' ELSE coalesce(s.segment, 'Unassigned') END AS segment,
       v.window_orders, CAST(v.window_revenue AS DOUBLE) AS window_revenue, v.first_order_days
FROM converted AS v
LEFT JOIN rfm_now AS s USING (customer_id)  -- not n: rfm_now has a column n, which Spark would read first
LEFT JOIN customers AS c USING (customer_id)
ORDER BY v.window_revenue DESC, v.customer_id;

-- The treated customers of one campaign ($campaign_id) who bought within a window of its contacts (orders up
-- to $until), with their contact fields (crm_metrics.campaigns adds the segment each was in before the
-- campaign). grain: one row per customer, most window revenue first.
WITH
-- @include scoped_orders
-- @include campaign_base
,
converted AS (
    SELECT customer_id, count(*) AS window_orders, sum(amount) AS window_revenue,
           min(days_after) AS first_order_days
    FROM window_orders
    WHERE campaign_id = $campaign_id AND member_group = 'treatment'
    GROUP BY customer_id
)
SELECT v.customer_id, k.customer_key, c.name, c.email, c.region, c.country, c.city,
       v.window_orders, CAST(v.window_revenue AS DOUBLE) AS window_revenue, v.first_order_days
FROM converted AS v
LEFT JOIN rpt_customers AS k USING (customer_id)
LEFT JOIN customers AS c USING (customer_id)
ORDER BY v.window_revenue DESC, v.customer_id;

-- Revenue credited to each campaign under each attribution model. grain: one row per (campaign, model).
-- Every model splits each attributed order's revenue into shares that sum to one, so each model's
-- column total equals the attributed revenue.
WITH
-- @include scoped_orders
-- @include campaign_base
,
by_campaign AS (
    SELECT campaign_id,
           sum(last_touch * amount) AS last_touch, sum(first_touch * amount) AS first_touch,
           sum(linear * amount) AS linear, sum(time_decay * amount) AS time_decay,
           sum(position_based * amount) AS position_based,
           sum(CASE WHEN last_touch = 1.0 AND first_touch = 1.0 THEN 0 ELSE 1 END) AS shared_orders
    FROM credits GROUP BY campaign_id
),
models AS (
    SELECT 'last_touch' AS model, 1 AS model_order UNION ALL SELECT 'first_touch', 2
    UNION ALL SELECT 'linear', 3 UNION ALL SELECT 'time_decay', 4 UNION ALL SELECT 'position_based', 5
)
SELECT k.campaign_id, k.name, k.channel, m.model,
       CAST(coalesce(CASE m.model WHEN 'last_touch' THEN b.last_touch WHEN 'first_touch' THEN b.first_touch
                         WHEN 'linear' THEN b.linear WHEN 'time_decay' THEN b.time_decay
                         ELSE b.position_based END, 0) AS DOUBLE) AS credited_revenue,
       coalesce(b.shared_orders, 0) AS shared_orders
FROM scope_campaigns AS k CROSS JOIN models AS m
LEFT JOIN by_campaign AS b USING (campaign_id)
ORDER BY k.start_date, k.campaign_id, m.model_order;

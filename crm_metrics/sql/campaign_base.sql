-- Shared CTEs of the campaign reports (included with "-- @include campaign_base" after the scoped_orders
-- include), over the reporting layer (rpt_campaign_members, rpt_contact_orders: sql/build_reporting.sql).
-- Windows: an order follows a contact when contact_date <= order_date < contact_date + $window_days
-- (the contact day counts; with 14 days the last day in the window is contact day + 13; at most 90).
-- scope_campaigns -- grain: one row per campaign that started in [$start, $end] (NULL = open-ended).
scope_campaigns AS (
    SELECT campaign_id, name, channel, objective, start_date, end_date, cost
    FROM campaigns
    WHERE ($start IS NULL OR start_date >= $start) AND ($end IS NULL OR start_date <= $end)
),
-- members -- grain: one row per (in-scope campaign, customer inside the customer filters) first contacted
-- on or before $until.
members AS (
    SELECT m.campaign_id, m.customer_id, m.member_group, m.opened, m.clicked, m.first_contact, m.last_contact
    FROM rpt_campaign_members AS m
    JOIN scope_campaigns AS k USING (campaign_id)
    WHERE m.first_contact <= $until
      AND
      -- @filter attributes, sets on m by customer_id
),
-- window_orders -- grain: one row per (in-scope campaign, order) where a completed order on or before
-- $until inside every filter falls in the window of one of its customer's contacts for that campaign;
-- days_after counts from the latest such contact. margin = amount - cost, or amount x $margin_rate.
window_orders AS (
    SELECT p.campaign_id, p.order_id, p.customer_id, p.member_group, p.days_after, p.amount,
           coalesce(p.amount - p.cost, p.amount * $margin_rate) AS margin, p.order_campaign_id, p.first_order
    FROM rpt_contact_orders AS p
    JOIN scope_campaigns AS k USING (campaign_id)
    WHERE p.days_after < $window_days AND p.order_date <= $until
      AND
      -- @filter attributes, sets, order on p by customer_id
),
-- touches -- grain: one row per (order, campaign) that may share the credit for an order without a
-- known campaign of its own: treatment windows only (a control customer was not reached).
touches AS (
    SELECT order_id, campaign_id, customer_id, days_after, amount, margin, first_order
    FROM window_orders
    WHERE member_group = 'treatment'
      AND (order_campaign_id IS NULL OR order_campaign_id NOT IN (SELECT campaign_id FROM campaigns))
),
-- credits -- grain: one row per (order, campaign) with the share of the order each model credits to the
-- campaign. Touches are ordered by their latest contact (earliest first; ties by campaign_id); time decay
-- halves a touch's weight every $half_life days before the order. Orders carrying an in-scope
-- campaign_id go wholly to it under every model (direct attribution, windows aside).
ranked_touches AS (
    SELECT *,
           count(*) OVER (PARTITION BY order_id) AS touch_count,
           row_number() OVER (PARTITION BY order_id ORDER BY days_after DESC, campaign_id) AS touch_rank,
           power(0.5, days_after / $half_life) AS decay
    FROM touches
),
credits AS (
    SELECT order_id, campaign_id, customer_id, amount, margin, first_order,
           CASE WHEN touch_rank = touch_count THEN 1.0 ELSE 0.0 END AS last_touch,
           CASE WHEN touch_rank = 1 THEN 1.0 ELSE 0.0 END AS first_touch,
           1.0 / touch_count AS linear,
           decay / sum(decay) OVER (PARTITION BY order_id) AS time_decay,
           CASE WHEN touch_count = 1 THEN 1.0
                WHEN touch_count = 2 THEN 0.5
                WHEN touch_rank = 1 OR touch_rank = touch_count THEN 0.4
                ELSE 0.2 / (touch_count - 2) END AS position_based
    FROM ranked_touches
    UNION ALL
    SELECT o.order_id, o.campaign_id, o.customer_id, o.amount,
           coalesce(o.amount - o.cost, o.amount * $margin_rate), o.order_date = o.first_date AND o.first_of_day,
           1.0, 1.0, 1.0, 1.0, 1.0
    FROM scoped AS o
    WHERE o.order_date <= $until AND o.campaign_id IN (SELECT campaign_id FROM scope_campaigns)
)

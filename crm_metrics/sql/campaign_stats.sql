-- Campaign results under the shared filters. grain: one row per campaign started in [$start, $end].
-- Funnel counts are customers of the treatment group; converted = ordered inside a contact window.
-- group_* columns give the sufficient statistics of each group (customers, converters, sum and sample
-- variance of per-customer window revenue and margin) from which Python builds the intervals.
-- Credited columns follow the attribution model named by $model (see campaign_base.credits).
WITH
-- @include scoped_orders
-- @include campaign_base
,
per_member AS (
    SELECT m.campaign_id, m.customer_id, m.member_group, m.opened, m.clicked, m.last_contact,
           coalesce(w.revenue, 0) AS revenue, coalesce(w.margin, 0) AS margin, w.orders IS NOT NULL AS converted
    FROM members AS m
    LEFT JOIN (
        SELECT campaign_id, customer_id, count(*) AS orders, sum(amount) AS revenue, sum(margin) AS margin
        FROM window_orders GROUP BY campaign_id, customer_id
    ) AS w USING (campaign_id, customer_id)
),
group_stats AS (
    SELECT campaign_id,
           count(*) FILTER (WHERE member_group = 'treatment') AS treated,
           count(opened) FILTER (WHERE member_group = 'treatment') AS engagement_known,
           count(*) FILTER (WHERE member_group = 'treatment' AND opened) AS opened,
           count(*) FILTER (WHERE member_group = 'treatment' AND clicked) AS clicked,
           count(*) FILTER (WHERE member_group = 'treatment' AND converted) AS converted,
           max(last_contact) AS last_contact,
           sum(revenue) FILTER (WHERE member_group = 'treatment') AS treated_revenue,
           var_samp(revenue) FILTER (WHERE member_group = 'treatment') AS treated_revenue_var,
           sum(margin) FILTER (WHERE member_group = 'treatment') AS treated_margin,
           var_samp(margin) FILTER (WHERE member_group = 'treatment') AS treated_margin_var,
           count(*) FILTER (WHERE member_group = 'control') AS control,
           count(*) FILTER (WHERE member_group = 'control' AND converted) AS control_converted,
           sum(revenue) FILTER (WHERE member_group = 'control') AS control_revenue,
           var_samp(revenue) FILTER (WHERE member_group = 'control') AS control_revenue_var,
           sum(margin) FILTER (WHERE member_group = 'control') AS control_margin,
           var_samp(margin) FILTER (WHERE member_group = 'control') AS control_margin_var
    FROM per_member GROUP BY campaign_id
),
chosen_credit AS (
    SELECT order_id, campaign_id, customer_id, amount, margin, first_order,
           CASE $model WHEN 'first_touch' THEN first_touch WHEN 'linear' THEN linear
                       WHEN 'time_decay' THEN time_decay WHEN 'position_based' THEN position_based
                       ELSE last_touch END AS credit
    FROM credits
),
credited AS (
    SELECT campaign_id, sum(credit) AS attributed_orders, sum(credit * amount) AS attributed_revenue,
           sum(credit * margin) AS attributed_margin, sum(credit) FILTER (WHERE first_order) AS new_customers
    FROM chosen_credit WHERE credit > 0 GROUP BY campaign_id
),
all_treated AS (
    SELECT campaign_id, count(*) AS treated_all
    FROM rpt_campaign_members WHERE member_group = 'treatment' AND first_contact <= $until GROUP BY campaign_id
)
SELECT k.campaign_id, k.name, k.channel, k.objective, k.start_date, k.end_date,
       CAST(CASE WHEN NOT $customer_filtered THEN k.cost
                 ELSE k.cost * coalesce(g.treated, 0) / nullif(a.treated_all, 0) END AS DOUBLE) AS spend,
       CAST(k.cost AS DOUBLE) AS full_cost,
       coalesce(g.treated, 0) AS contacted, coalesce(g.engagement_known, 0) AS engagement_known,
       coalesce(g.opened, 0) AS opened, coalesce(g.clicked, 0) AS clicked, coalesce(g.converted, 0) AS converted,
       g.last_contact,
       coalesce(c.attributed_orders, 0) AS attributed_orders,
       CAST(coalesce(c.attributed_revenue, 0) AS DOUBLE) AS attributed_revenue,
       CAST(coalesce(c.attributed_margin, 0) AS DOUBLE) AS attributed_margin,
       coalesce(c.new_customers, 0) AS new_customers,
       CAST(coalesce(g.treated_revenue, 0) AS DOUBLE) AS treated_revenue,
       CAST(g.treated_revenue_var AS DOUBLE) AS treated_revenue_var,
       CAST(coalesce(g.treated_margin, 0) AS DOUBLE) AS treated_margin,
       CAST(g.treated_margin_var AS DOUBLE) AS treated_margin_var,
       coalesce(g.control, 0) AS control, coalesce(g.control_converted, 0) AS control_converted,
       CAST(coalesce(g.control_revenue, 0) AS DOUBLE) AS control_revenue,
       CAST(g.control_revenue_var AS DOUBLE) AS control_revenue_var,
       CAST(coalesce(g.control_margin, 0) AS DOUBLE) AS control_margin,
       CAST(g.control_margin_var AS DOUBLE) AS control_margin_var
FROM scope_campaigns AS k
LEFT JOIN group_stats AS g USING (campaign_id)
LEFT JOIN credited AS c USING (campaign_id)
LEFT JOIN all_treated AS a USING (campaign_id)
ORDER BY k.start_date, k.campaign_id;

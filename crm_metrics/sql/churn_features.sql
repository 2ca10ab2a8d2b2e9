-- Churn features of every active customer at the cut-off $cutoff (a completed order in the $active_days
-- days up to it), read only from what was known on that day (orders, contacts, tickets and surveys dated
-- on or before it), and the label: no completed order in the $horizon days after it. Shared filters apply.
-- grain: one row per customer with a completed order in ($cutoff - $active_days, $cutoff].
WITH
-- @include scoped_orders
-- $part_count, $part: only the customers whose customer_key % $part_count = $part (1 and 0: all of them): a
-- base too large for one machine trains on one part and is scored part by part (crm_metrics.churn)
past AS (SELECT customer_key, order_date, amount, channel FROM scoped
         WHERE order_date <= $cutoff AND customer_key % $part_count = $part),
day_gaps AS (
    -- grain: one row per (customer, day they bought): the days since their previous purchase day
    SELECT customer_key,
           date_diff('day', lag(order_date) OVER (PARTITION BY customer_key ORDER BY order_date), order_date) AS gap
    FROM (SELECT DISTINCT customer_key, order_date FROM past)
),
regularity AS (
    SELECT customer_key, count(*) AS purchase_days, avg(gap) AS mean_gap, stddev_samp(gap) AS sd_gap
    FROM day_gaps GROUP BY customer_key
),
orders_so_far AS (
    -- on the integer customer key: grouping eight million orders by text ids costs twice as much
    SELECT customer_key,
           max(order_date) AS last_purchase, min(order_date) AS first_purchase,
           count(*) AS orders, sum(amount) AS revenue,
           sum(amount) FILTER (WHERE order_date > CAST($cutoff AS DATE) - INTERVAL 90 DAY) AS revenue_last_90,
           sum(amount) FILTER (WHERE order_date <= CAST($cutoff AS DATE) - INTERVAL 90 DAY
                                 AND order_date > CAST($cutoff AS DATE) - INTERVAL 180 DAY) AS revenue_prior_90,
           count(DISTINCT channel) AS channels_used
    FROM past GROUP BY customer_key
    HAVING date_diff('day', max(order_date), CAST($cutoff AS DATE)) < $active_days
),
active AS (
    SELECT o.customer_key, k.customer_id, o.last_purchase,
           date_diff('day', o.last_purchase, CAST($cutoff AS DATE)) AS recency_days,
           date_diff('day', o.first_purchase, CAST($cutoff AS DATE)) AS tenure_days,
           r.purchase_days, o.orders, o.revenue, CAST(o.revenue AS DOUBLE) / o.orders AS average_order,
           o.revenue_last_90, o.revenue_prior_90, o.channels_used, r.mean_gap, r.sd_gap
    FROM orders_so_far AS o
    JOIN regularity AS r USING (customer_key)
    JOIN rpt_customers AS k USING (customer_key)
),
campaign_touches AS (
    SELECT m.customer_key, count(*) AS campaigns_received,
           count(*) FILTER (WHERE w.order_id IS NOT NULL) AS campaigns_answered
    FROM rpt_campaign_members AS m
    LEFT JOIN (
        SELECT DISTINCT campaign_id, customer_id, order_id FROM rpt_contact_orders
        WHERE days_after < 14 AND order_date <= $cutoff
        QUALIFY row_number() OVER (PARTITION BY campaign_id, customer_id ORDER BY order_id) = 1
    ) AS w USING (campaign_id, customer_id)
    WHERE m.member_group = 'treatment' AND m.first_contact <= $cutoff
    GROUP BY m.customer_key
),
-- a ticket's rating is known once it is closed, so ratings of tickets still open at the cut-off are unread
known_tickets AS (
    SELECT customer_id, opened_at,
           CASE WHEN CAST(closed_at AS DATE) <= $cutoff THEN satisfaction END AS satisfaction,
           closed_at IS NULL OR CAST(closed_at AS DATE) > $cutoff AS still_open
    FROM tickets WHERE CAST(opened_at AS DATE) <= $cutoff
),
service AS (
    SELECT customer_id, count(*) AS tickets, avg(satisfaction) AS ticket_satisfaction, count(satisfaction) AS rated,
           count(*) FILTER (WHERE still_open) AS open_tickets,
           arg_max(satisfaction, opened_at) FILTER (WHERE satisfaction IS NOT NULL) AS last_ticket_satisfaction,
           date_diff('day', CAST(max(opened_at) AS DATE), CAST($cutoff AS DATE)) AS days_since_ticket
    FROM known_tickets GROUP BY customer_id
),
survey AS (
    SELECT customer_id, avg(csat) AS survey_csat, avg(nps) AS survey_nps, count(csat) AS answers
    FROM surveys WHERE survey_date <= $cutoff GROUP BY customer_id
),
referrals AS (
    SELECT c.referred_by AS customer_id, count(*) AS referrals
    FROM customers AS c JOIN rpt_customers AS r USING (customer_id)
    WHERE c.referred_by IS NOT NULL AND r.first_date <= $cutoff
    GROUP BY c.referred_by
),
future AS (
    SELECT DISTINCT customer_key FROM scoped
    WHERE order_date > $cutoff AND order_date <= CAST($cutoff AS DATE) + $horizon
)
SELECT o.customer_id, o.customer_key, o.last_purchase, o.recency_days, o.tenure_days, o.purchase_days, o.orders,
       CAST(o.revenue AS DOUBLE) AS revenue, CAST(o.average_order AS DOUBLE) AS average_order,
       CAST(coalesce(o.revenue_last_90, 0) AS DOUBLE) AS revenue_last_90,
       CAST(coalesce(o.revenue_prior_90, 0) AS DOUBLE) AS revenue_prior_90,
       o.channels_used, o.mean_gap, o.sd_gap / nullif(o.mean_gap, 0) AS gap_variation,
       coalesce(t.campaigns_received, 0) AS campaigns_received, coalesce(t.campaigns_answered, 0) AS campaigns_answered,
       coalesce(s.tickets, 0) AS tickets, s.ticket_satisfaction, coalesce(s.open_tickets, 0) AS open_tickets,
       s.last_ticket_satisfaction, s.days_since_ticket,
       v.survey_csat, v.survey_nps, coalesce(f.referrals, 0) AS referrals,
       -- every satisfaction signal on one 1-5 scale: support ratings and survey CSAT, averaged
       (coalesce(s.ticket_satisfaction * s.rated, 0) + coalesce(v.survey_csat * v.answers, 0))
           / nullif(coalesce(s.rated, 0) + coalesce(v.answers, 0), 0) AS satisfaction,
       coalesce(s.tickets, 0) / o.orders AS tickets_per_order,
       o.customer_key NOT IN (SELECT customer_key FROM future) AS churned
FROM active AS o
LEFT JOIN campaign_touches AS t USING (customer_key)
LEFT JOIN service AS s USING (customer_id)
LEFT JOIN survey AS v USING (customer_id)
LEFT JOIN referrals AS f USING (customer_id)
ORDER BY o.customer_id;

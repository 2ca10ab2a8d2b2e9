-- Four of the five views of a customer's worth (the fifth, potential value, is the predicted CLV), as of
-- $as_of under the shared filters. grain: one row per customer with a completed order on or before $as_of.
--   historical value: revenue and gross margin of their completed orders (margin = amount - cost, or
--                     amount x $margin_rate without a cost)
--   cost to serve:    support tickets opened on or before $as_of x $ticket_cost, plus acquisition_cost
--   profitability:    margin - cost to serve
--   influence:        customers who name them in referred_by, and those customers' revenue to $as_of
-- Orders are grouped on the integer customer_key: grouping eight million orders by text ids costs twice as
-- much, and the referred customers' revenue is summed for those customers only.
WITH
-- @include scoped_orders
history AS (
    SELECT customer_key, count(*) AS orders, sum(amount) AS revenue,
           sum(coalesce(amount - cost, amount * $margin_rate)) AS margin
    FROM scoped WHERE order_date <= $as_of
    GROUP BY customer_key
),
ticket_counts AS (
    SELECT customer_id, count(*) AS tickets FROM tickets
    WHERE CAST(opened_at AS DATE) <= $as_of GROUP BY customer_id
),
referred AS (
    -- grain: one row per customer someone referred
    SELECT k.customer_key, c.referred_by
    FROM customers AS c JOIN rpt_customers AS k USING (customer_id)
    WHERE c.referred_by IS NOT NULL
),
referred_revenue AS (
    SELECT customer_key, sum(amount) AS revenue FROM rpt_orders
    WHERE order_date <= $as_of AND customer_key IN (SELECT customer_key FROM referred)
    GROUP BY customer_key
),
referrals AS (
    SELECT r.referred_by AS customer_id, count(*) AS referred, coalesce(sum(v.revenue), 0) AS referred_revenue
    FROM referred AS r LEFT JOIN referred_revenue AS v USING (customer_key)
    GROUP BY r.referred_by
)
SELECT k.customer_id, k.customer_key, c.name, c.email, c.region, c.acquisition_channel, h.orders,
       CAST(h.revenue AS DOUBLE) AS revenue, CAST(h.margin AS DOUBLE) AS margin,
       coalesce(t.tickets, 0) AS tickets, CAST(coalesce(c.acquisition_cost, 0) AS DOUBLE) AS acquisition_cost,
       CAST(coalesce(t.tickets, 0) * $ticket_cost + coalesce(c.acquisition_cost, 0) AS DOUBLE) AS cost_to_serve,
       CAST(h.margin - coalesce(t.tickets, 0) * $ticket_cost - coalesce(c.acquisition_cost, 0) AS DOUBLE)
           AS profit,
       coalesce(f.referred, 0) AS referred, CAST(coalesce(f.referred_revenue, 0) AS DOUBLE) AS referred_revenue
FROM history AS h
JOIN rpt_customers AS k USING (customer_key)
LEFT JOIN customers AS c USING (customer_id)
LEFT JOIN ticket_counts AS t USING (customer_id)
LEFT JOIN referrals AS f USING (customer_id)
ORDER BY k.customer_key;

-- Four of the five views of a customer's worth (the fifth, potential value, is the predicted CLV), as of
-- $as_of under the shared filters. grain: one row per customer with a completed order on or before $as_of.
--   historical value: revenue and gross margin of their completed orders (margin = amount - cost, or
--                     amount x $margin_rate without a cost)
--   cost to serve:    support tickets opened on or before $as_of x $ticket_cost, plus acquisition_cost
--   profitability:    margin - cost to serve
--   influence:        customers who name them in referred_by, and those customers' revenue to $as_of
WITH
-- @include scoped_orders
history AS (
    SELECT customer_id, count(*) AS orders, sum(amount) AS revenue,
           sum(coalesce(amount - cost, amount * $margin_rate)) AS margin
    FROM scoped WHERE order_date <= $as_of
    GROUP BY customer_id
),
ticket_counts AS (
    SELECT customer_id, count(*) AS tickets FROM tickets
    WHERE CAST(opened_at AS DATE) <= $as_of GROUP BY customer_id
),
all_revenue AS (
    SELECT customer_id, sum(amount) AS revenue FROM rpt_orders WHERE order_date <= $as_of GROUP BY customer_id
),
referrals AS (
    SELECT c.referred_by AS customer_id, count(*) AS referred, coalesce(sum(r.revenue), 0) AS referred_revenue
    FROM customers AS c LEFT JOIN all_revenue AS r USING (customer_id)
    WHERE c.referred_by IS NOT NULL
    GROUP BY c.referred_by
)
SELECT h.customer_id, c.name, c.email, c.region, c.acquisition_channel, h.orders,
       CAST(h.revenue AS DOUBLE) AS revenue, CAST(h.margin AS DOUBLE) AS margin,
       coalesce(t.tickets, 0) AS tickets, CAST(coalesce(c.acquisition_cost, 0) AS DOUBLE) AS acquisition_cost,
       CAST(coalesce(t.tickets, 0) * $ticket_cost + coalesce(c.acquisition_cost, 0) AS DOUBLE) AS cost_to_serve,
       CAST(h.margin - coalesce(t.tickets, 0) * $ticket_cost - coalesce(c.acquisition_cost, 0) AS DOUBLE)
           AS profit,
       coalesce(f.referred, 0) AS referred, CAST(coalesce(f.referred_revenue, 0) AS DOUBLE) AS referred_revenue
FROM history AS h
LEFT JOIN customers AS c USING (customer_id)
LEFT JOIN ticket_counts AS t USING (customer_id)
LEFT JOIN referrals AS f USING (customer_id)
ORDER BY h.customer_id;

-- Everything known about one customer ($customer_id) up to $as_of, in one row: the customer record, who
-- referred them, their orders (completed orders count as revenue; returns and cancellations are counted
-- apart), support tickets and survey answers. grain: one row (none when the customer is unknown).
WITH
person AS (SELECT * FROM customers WHERE customer_id = $customer_id),
own_orders AS (SELECT * FROM orders WHERE customer_id = $customer_id AND order_date <= $as_of),
order_facts AS (
    SELECT count(*) FILTER (WHERE status = 'completed') AS orders,
           count(DISTINCT order_date) FILTER (WHERE status = 'completed') AS purchase_days,
           count(*) FILTER (WHERE status = 'returned') AS returned_orders,
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled_orders,
           min(order_date) FILTER (WHERE status = 'completed') AS first_order,
           max(order_date) FILTER (WHERE status = 'completed') AS last_order,
           sum(amount) FILTER (WHERE status = 'completed') AS revenue,
           sum(amount - cost) FILTER (WHERE status = 'completed') AS margin,
           count(cost) FILTER (WHERE status = 'completed') AS orders_with_cost
    FROM own_orders
),
ticket_facts AS (
    SELECT count(*) AS tickets,
           count(*) FILTER (WHERE closed_at IS NULL OR CAST(closed_at AS DATE) > $as_of) AS open_tickets,
           avg(satisfaction) FILTER (WHERE CAST(closed_at AS DATE) <= $as_of) AS ticket_satisfaction
    FROM tickets WHERE customer_id = $customer_id AND CAST(opened_at AS DATE) <= $as_of
),
survey_facts AS (
    SELECT count(*) AS surveys,
           arg_max(csat, survey_date) AS latest_csat, arg_max(nps, survey_date) AS latest_nps,
           max(survey_date) AS latest_survey
    FROM surveys WHERE customer_id = $customer_id AND survey_date <= $as_of
),
referred AS (
    SELECT count(*) AS referrals FROM customers WHERE referred_by = $customer_id AND
        (signup_date IS NULL OR signup_date <= $as_of)
)
SELECT p.customer_id, p.name, p.email, p.signup_date, p.region, p.country, p.city, p.acquisition_channel,
       CAST(p.acquisition_cost AS DOUBLE) AS acquisition_cost, p.referred_by, r.name AS referred_by_name,
       p.birth_year, p.gender,
       o.orders, o.purchase_days, o.returned_orders, o.cancelled_orders, o.first_order, o.last_order,
       CAST(coalesce(o.revenue, 0) AS DOUBLE) AS revenue,
       CASE WHEN o.orders_with_cost = o.orders AND o.orders > 0 THEN CAST(o.margin AS DOUBLE) END AS margin,
       CAST(o.revenue AS DOUBLE) / nullif(o.orders, 0) AS average_order,
       date_diff('day', o.last_order, CAST($as_of AS DATE)) AS days_since_last_order,
       t.tickets, t.open_tickets, t.ticket_satisfaction,
       s.surveys, s.latest_csat, s.latest_nps, s.latest_survey,
       f.referrals
FROM person AS p
LEFT JOIN customers AS r ON r.customer_id = p.referred_by
CROSS JOIN order_facts AS o
CROSS JOIN ticket_facts AS t
CROSS JOIN survey_facts AS s
CROSS JOIN referred AS f;

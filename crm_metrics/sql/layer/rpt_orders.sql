-- rpt_orders -- grain: one row per completed order, with its customer's attributes, sorted by date
--               (period filters then skip whole row groups). campaign_touched: the order carries a
--               campaign, or falls within 14 days (the contact day and 13 more) of a contact of a
--               campaign whose treatment group holds its customer.
--               first_of_day, first_of_week, first_of_month: the customer's first order of that day,
--               ISO week or month (count customers per bucket without a count distinct).
--               previous_date: the customer's previous completed order (NULL for the first): the first
--               order of a customer in any date range is the one whose previous_date falls before it.
--               order_id, cost and campaign_id serve campaign attribution and margin.
-- requires: contact_pairs, rpt_campaign_members, rpt_customers
-- after appended orders: refreshed by customer_key
CREATE OR REPLACE TABLE rpt_orders AS
WITH completed AS (
    SELECT order_id, customer_id, order_date, amount, cost, channel, product_category, campaign_id
    FROM orders WHERE status = 'completed'
    -- @changed AND customer_id
),
touched AS (
    SELECT DISTINCT p.order_id
    FROM contact_pairs AS p
    JOIN rpt_campaign_members AS m USING (campaign_id, customer_id)
    WHERE p.days_after < 14 AND m.member_group = 'treatment'
)
SELECT o.order_date, o.customer_id, o.order_id, o.amount, o.cost, o.campaign_id, o.channel, o.product_category,
       c.region, c.country, c.city, c.acquisition_channel, c.first_date, c.customer_key,
       o.campaign_id IS NOT NULL OR o.order_id IN (SELECT order_id FROM touched) AS campaign_touched,
       o.previous_date,
       -- one window (the customer's previous order) serves the three flags
       o.previous_date IS NULL OR o.previous_date <> o.order_date AS first_of_day,
       o.previous_date IS NULL OR date_trunc('week', o.previous_date) <> date_trunc('week', o.order_date)
           AS first_of_week,
       o.previous_date IS NULL OR date_trunc('month', o.previous_date) <> date_trunc('month', o.order_date)
           AS first_of_month
FROM (SELECT *, lag(order_date) OVER (PARTITION BY customer_id ORDER BY order_date, order_id) AS previous_date
      FROM completed) AS o
JOIN rpt_customers AS c USING (customer_id)
ORDER BY o.order_date, o.customer_id;

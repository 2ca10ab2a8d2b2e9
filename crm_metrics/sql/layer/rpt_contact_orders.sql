-- rpt_contact_orders -- grain: one row per (campaign, completed order) of contact_pairs, with what the
--                       campaign reports filter and sum: the member's group, the order's facts and
--                       attributes, and whether it is the customer's first order.
-- requires: contact_pairs, rpt_campaign_members, rpt_orders
-- after appended orders: refreshed by customer_id
CREATE OR REPLACE TABLE rpt_contact_orders AS
SELECT p.campaign_id, p.order_id, p.customer_id, m.member_group, p.days_after, o.order_date, o.amount, o.cost,
       o.campaign_id AS order_campaign_id, o.order_date = o.first_date AND o.first_of_day AS first_order,
       o.channel, o.product_category, o.region, o.country, o.city, o.acquisition_channel
FROM contact_pairs AS p
JOIN rpt_orders AS o ON o.order_id = p.order_id
 -- @changed AND o.customer_key
JOIN rpt_campaign_members AS m ON m.campaign_id = p.campaign_id AND m.customer_id = p.customer_id
ORDER BY p.campaign_id;

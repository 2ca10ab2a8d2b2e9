-- contact_pairs -- grain: one row per (campaign, completed order) where the order falls within 90 days
--                  (the longest attribution window offered) of one of its customer's contacts for that
--                  campaign; days_after counts from the latest such contact (0 = the contact day).
-- requires: (the canonical tables only)
-- after appended orders: refreshed (the changed customers' pairs only)
-- temporary: dropped once the layer is built
CREATE TEMP TABLE contact_pairs AS
SELECT t.campaign_id, o.order_id, o.customer_id, min(date_diff('day', t.contact_date, o.order_date)) AS days_after
FROM contacts AS t
JOIN orders AS o ON o.customer_id = t.customer_id AND o.status = 'completed'
 AND o.order_date >= t.contact_date AND date_diff('day', t.contact_date, o.order_date) < 90
 -- @changed AND o.customer_id
GROUP BY t.campaign_id, o.order_id, o.customer_id;

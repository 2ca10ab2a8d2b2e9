-- Rebuild the reporting layer from the canonical tables (derived data only; runs in one transaction).
-- rpt_customers -- grain: one row per customer: attributes and first completed order date.
-- rpt_orders    -- grain: one row per completed order, with its customer's attributes, sorted by date
--                  (period filters then skip whole row groups). campaign_touched: the order carries a
--                  campaign, or follows a treatment contact of its customer within 14 days (inclusive).
--                  first_of_day: the customer's first order of that day (counts purchase days cheaply).
CREATE OR REPLACE TABLE rpt_customers AS
WITH first_order AS (
    SELECT customer_id, min(order_date) AS first_date FROM orders WHERE status = 'completed' GROUP BY customer_id
)
SELECT c.customer_id, c.region, c.country, c.city, c.acquisition_channel, c.acquisition_cost, f.first_date
FROM customers AS c LEFT JOIN first_order AS f USING (customer_id);

CREATE OR REPLACE TABLE rpt_orders AS
WITH completed AS (
    SELECT order_id, customer_id, order_date, amount, channel, product_category, campaign_id
    FROM orders WHERE status = 'completed'
),
touched AS (
    SELECT DISTINCT o.order_id
    FROM completed AS o
    JOIN contacts AS t ON t.customer_id = o.customer_id AND t."group" = 'treatment'
     AND t.contact_date BETWEEN o.order_date - INTERVAL '13' DAY AND o.order_date
)
SELECT o.order_date, o.customer_id, o.amount, o.channel, o.product_category,
       c.region, c.country, c.city, c.acquisition_channel, c.first_date,
       o.campaign_id IS NOT NULL OR o.order_id IN (SELECT order_id FROM touched) AS campaign_touched,
       row_number() OVER (PARTITION BY o.customer_id, o.order_date ORDER BY o.order_id) = 1 AS first_of_day
FROM completed AS o
JOIN rpt_customers AS c USING (customer_id)
ORDER BY o.order_date, o.customer_id;

-- rpt_campaign_reach -- grain: one row per (campaign, customer attributes): treated contacts, so that a
--                       campaign's spend can be shared out by the customer filters without scanning contacts.
CREATE OR REPLACE TABLE rpt_campaign_reach AS
SELECT t.campaign_id, c.region, c.country, c.city, c.acquisition_channel, count(*) AS treated
FROM contacts AS t LEFT JOIN rpt_customers AS c USING (customer_id)
WHERE t."group" = 'treatment'
GROUP BY ALL;

DELETE FROM rpt_state;
INSERT INTO rpt_state VALUES ($data_version);

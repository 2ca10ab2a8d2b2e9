-- rpt_campaign_reach -- grain: one row per (campaign, customer attributes): treated contacts, so that a
--                       campaign's spend can be shared out by the customer filters without scanning contacts.
-- requires: rpt_customers
-- after appended orders: kept (contacts name customers that existed before; an append changes no attribute)
CREATE OR REPLACE TABLE rpt_campaign_reach AS
SELECT t.campaign_id, c.region, c.country, c.city, c.acquisition_channel, count(*) AS treated
FROM contacts AS t LEFT JOIN rpt_customers AS c USING (customer_id)
WHERE t."group" = 'treatment'
GROUP BY ALL;

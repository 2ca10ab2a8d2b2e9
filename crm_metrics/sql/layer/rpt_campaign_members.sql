-- rpt_campaign_members -- grain: one row per (campaign, contacted customer): their group (treatment when
--                         listed in both: they were reached), engagement, first and last contact, and the
--                         customer's attributes for the filters.
-- requires: rpt_customers
-- after appended orders: kept (contacts name customers that existed before; an append changes no attribute)
CREATE OR REPLACE TABLE rpt_campaign_members AS
WITH grouped AS (
    SELECT campaign_id, customer_id,
           CASE WHEN bool_or("group" = 'treatment') THEN 'treatment' ELSE 'control' END AS member_group,
           bool_or(opened) AS opened, bool_or(clicked) AS clicked,
           min(contact_date) AS first_contact, max(contact_date) AS last_contact
    FROM contacts GROUP BY campaign_id, customer_id
)
SELECT g.*, c.region, c.country, c.city, c.acquisition_channel, c.customer_key
FROM grouped AS g LEFT JOIN rpt_customers AS c USING (customer_id);

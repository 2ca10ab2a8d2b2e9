-- Rebuild the reporting layer from the canonical tables (derived data only; runs in one transaction).
-- rpt_customers -- grain: one row per customer: attributes, signup date, first completed order date, the date of
--                  the second purchase day (second_date: "bought on two or more days by a date" without
--                  reading the orders), and customer_key
--                  (a dense integer for the customer id: the filters and per-customer counts of every
--                  report join and group on it, which is several times cheaper than on text ids).
-- rpt_orders    -- grain: one row per completed order, with its customer's attributes, sorted by date
--                  (period filters then skip whole row groups). campaign_touched: the order carries a
--                  campaign, or falls within 14 days (the contact day and 13 more) of a contact of a
--                  campaign whose treatment group holds its customer.
--                  first_of_day, first_of_week, first_of_month: the customer's first order of that day,
--                  ISO week or month (count customers per bucket without a count distinct).
--                  previous_date: the customer's previous completed order (NULL for the first): the first
--                  order of a customer in any date range is the one whose previous_date falls before it.
--                  order_id, cost and campaign_id serve campaign attribution and margin.
CREATE OR REPLACE TABLE rpt_customers AS
WITH first_order AS (
    SELECT customer_id, min(order_date) AS first_date FROM orders WHERE status = 'completed' GROUP BY customer_id
),
second_order AS (
    SELECT o.customer_id, min(o.order_date) AS second_date
    FROM orders AS o JOIN first_order AS f USING (customer_id)
    WHERE o.status = 'completed' AND o.order_date > f.first_date
    GROUP BY o.customer_id
)
SELECT c.customer_id, c.region, c.country, c.city, c.acquisition_channel, c.acquisition_cost, f.first_date,
       CAST(row_number() OVER (ORDER BY c.customer_id) AS INTEGER) AS customer_key, c.signup_date, s.second_date
FROM customers AS c LEFT JOIN first_order AS f USING (customer_id) LEFT JOIN second_order AS s USING (customer_id);

-- rpt_campaign_members -- grain: one row per (campaign, contacted customer): their group (treatment when
--                         listed in both: they were reached), engagement, first and last contact, and the
--                         customer's attributes for the filters.
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

-- contact_pairs -- grain: one row per (campaign, completed order) where the order falls within 90 days
--                  (the longest attribution window offered) of one of its customer's contacts for that
--                  campaign; days_after counts from the latest such contact (0 = the contact day).
CREATE TEMP TABLE contact_pairs AS
SELECT t.campaign_id, o.order_id, o.customer_id, min(date_diff('day', t.contact_date, o.order_date)) AS days_after
FROM contacts AS t
JOIN orders AS o ON o.customer_id = t.customer_id AND o.status = 'completed'
 AND o.order_date >= t.contact_date AND date_diff('day', t.contact_date, o.order_date) < 90
GROUP BY t.campaign_id, o.order_id, o.customer_id;

CREATE OR REPLACE TABLE rpt_orders AS
WITH completed AS (
    SELECT order_id, customer_id, order_date, amount, cost, channel, product_category, campaign_id
    FROM orders WHERE status = 'completed'
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

-- rpt_customer_months -- grain: one row per (customer_key, calendar month with a completed order): the
--                        month's revenue. The monthly cohort matrix counts these instead of orders.
CREATE OR REPLACE TABLE rpt_customer_months AS
SELECT customer_key, date_trunc('month', order_date) AS month, sum(amount) AS revenue
FROM rpt_orders GROUP BY customer_key, date_trunc('month', order_date);

-- rpt_cohort_months -- grain: one row per (customer attributes, month of the first completed order, calendar
--                      month with orders): the customers buying that month and their revenue. The monthly
--                      cohort matrix under attribute filters sums these (~40 times fewer rows than customer
--                      months); the first month's row counts the whole cohort.
CREATE OR REPLACE TABLE rpt_cohort_months AS
SELECT c.region, c.country, c.city, c.acquisition_channel, CAST(date_trunc('month', c.first_date) AS DATE) AS first_month,
       CAST(m.month AS DATE) AS month, count(*) AS active, sum(m.revenue) AS revenue
FROM rpt_customer_months AS m JOIN rpt_customers AS c USING (customer_key)
GROUP BY ALL;

-- rpt_order_months -- grain: one row per (month, customer attributes, sales channel, product category):
--                     revenue and orders. Sums over whole months of history read this (~50 times fewer rows).
CREATE OR REPLACE TABLE rpt_order_months AS
SELECT CAST(date_trunc('month', order_date) AS DATE) AS month, region, country, city, acquisition_channel,
       channel, product_category, sum(amount) AS revenue, count(*) AS orders
FROM rpt_orders GROUP BY ALL;

-- rpt_contact_orders -- grain: one row per (campaign, completed order) of contact_pairs, with what the
--                       campaign reports filter and sum: the member's group, the order's facts and
--                       attributes, and whether it is the customer's first order.
CREATE OR REPLACE TABLE rpt_contact_orders AS
SELECT p.campaign_id, p.order_id, p.customer_id, m.member_group, p.days_after, o.order_date, o.amount, o.cost,
       o.campaign_id AS order_campaign_id, o.order_date = o.first_date AND o.first_of_day AS first_order,
       o.channel, o.product_category, o.region, o.country, o.city, o.acquisition_channel
FROM contact_pairs AS p
JOIN rpt_orders AS o ON o.order_id = p.order_id
JOIN rpt_campaign_members AS m ON m.campaign_id = p.campaign_id AND m.customer_id = p.customer_id
ORDER BY p.campaign_id;

DROP TABLE contact_pairs;

-- rpt_campaign_reach -- grain: one row per (campaign, customer attributes): treated contacts, so that a
--                       campaign's spend can be shared out by the customer filters without scanning contacts.
CREATE OR REPLACE TABLE rpt_campaign_reach AS
SELECT t.campaign_id, c.region, c.country, c.city, c.acquisition_channel, count(*) AS treated
FROM contacts AS t LEFT JOIN rpt_customers AS c USING (customer_id)
WHERE t."group" = 'treatment'
GROUP BY ALL;

-- rpt_customer_totals -- grain: one row per customer with a completed order: their whole history (RFM as of
--                       the last order date, with no order-level filter, reads this instead of every order).
CREATE OR REPLACE TABLE rpt_customer_totals AS
SELECT customer_id, min(customer_key) AS customer_key, max(order_date) AS last_order, min(order_date) AS first_order,
       count(*) FILTER (WHERE first_of_day) AS purchase_days, count(*) AS orders, sum(amount) AS revenue,
       -- in whole cents, rounded half away from zero: the same cent on every engine
       CAST(round(avg(CAST(CAST(amount AS DECIMAL(38, 2)) * 100 AS BIGINT))) / 100 AS DECIMAL(18, 2)) AS average_order
FROM rpt_orders GROUP BY customer_id;

-- rpt_customer_segments -- grain: one row per customer with a completed order by the last order date: their
--                          RFM segment with the default options as of that date (filled by
--                          build_segments.sql in the same transaction; the shared segment filter reads it).
CREATE OR REPLACE TABLE rpt_customer_segments (customer_id VARCHAR, segment VARCHAR, customer_key INTEGER);

DELETE FROM rpt_state;
INSERT INTO rpt_state VALUES ($data_version);

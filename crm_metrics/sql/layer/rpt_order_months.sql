-- rpt_order_months -- grain: one row per (month, customer attributes, sales channel, product category):
--                     revenue and orders. Sums over whole months of history read this (~50 times fewer rows).
-- requires: rpt_orders
-- after appended orders: refreshed by refresh_rpt_order_months
CREATE OR REPLACE TABLE rpt_order_months AS
SELECT CAST(date_trunc('month', order_date) AS DATE) AS month, region, country, city, acquisition_channel,
       channel, product_category, sum(amount) AS revenue, count(*) AS orders
FROM rpt_orders GROUP BY ALL;

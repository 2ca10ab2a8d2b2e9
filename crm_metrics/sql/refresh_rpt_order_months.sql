-- rpt_order_months after appended orders (reporting.refresh): the appended completed orders (their rows of
-- rpt_orders, refreshed before) added to the month and attribute combination they fall in. Orders were only
-- added and no customer's attributes changed, so every other order's contribution stands. grain: as
-- layer/rpt_order_months.sql, one row per (month, customer attributes, sales channel, product category).
CREATE OR REPLACE TEMP TABLE layer_months AS
WITH appended AS (
    SELECT CAST(date_trunc('month', order_date) AS DATE) AS month, region, country, city, acquisition_channel,
           channel, product_category, sum(amount) AS revenue, count(*) AS orders
    FROM rpt_orders
    WHERE customer_key IN (SELECT customer_key FROM layer_keys)
      AND order_id IN (SELECT order_id FROM orders WHERE _import_id > $since AND status = 'completed')
    GROUP BY ALL
)
SELECT month, region, country, city, acquisition_channel, channel, product_category, sum(revenue) AS revenue,
       CAST(sum(orders) AS BIGINT) AS orders
FROM (SELECT * FROM rpt_order_months UNION ALL SELECT * FROM appended) AS combined
GROUP BY ALL;
DELETE FROM rpt_order_months;
INSERT INTO rpt_order_months SELECT * FROM layer_months;
DROP TABLE layer_months;

-- rpt_cohort_months after appended orders (reporting.refresh): each changed customer's contribution before the
-- append taken out and the one after it put in. Orders were only added, so the customer's months before the
-- append are those of their rows in rpt_orders (refreshed before) less the appended orders, and their first month
-- the earliest of those; no other customer's contribution changed. grain: as layer/rpt_cohort_months.sql, one row
-- per (customer attributes, month of the first completed order, calendar month with orders).
CREATE OR REPLACE TEMP TABLE layer_cohorts AS
WITH changed_orders AS (
    SELECT customer_key, order_date, amount,
           order_id IN (SELECT order_id FROM orders WHERE _import_id > $since) AS appended
    FROM rpt_orders
    WHERE customer_key IN (SELECT customer_key FROM layer_keys)
),
months AS (
    -- each changed customer's months: before the append (-1: taken out) and after it (+1: put in)
    SELECT customer_key, -1 AS sign, date_trunc('month', order_date) AS month, sum(amount) AS revenue
    FROM changed_orders WHERE NOT appended GROUP BY customer_key, date_trunc('month', order_date)
    UNION ALL
    SELECT customer_key, 1 AS sign, date_trunc('month', order_date) AS month, sum(amount) AS revenue
    FROM changed_orders GROUP BY customer_key, date_trunc('month', order_date)
),
firsts AS (
    SELECT customer_key, min(order_date) FILTER (WHERE NOT appended) AS first_before, min(order_date) AS first_after
    FROM changed_orders GROUP BY customer_key
),
change AS (
    SELECT c.region, c.country, c.city, c.acquisition_channel,
           CAST(date_trunc('month', CASE WHEN m.sign = 1 THEN f.first_after ELSE f.first_before END) AS DATE)
               AS first_month,
           CAST(m.month AS DATE) AS month, sum(m.sign) AS active, sum(m.sign * m.revenue) AS revenue
    FROM months AS m JOIN firsts AS f USING (customer_key) JOIN rpt_customers AS c USING (customer_key)
    GROUP BY ALL
)
SELECT region, country, city, acquisition_channel, first_month, month, CAST(sum(active) AS BIGINT) AS active,
       sum(revenue) AS revenue
FROM (SELECT * FROM rpt_cohort_months UNION ALL SELECT * FROM change) AS combined
GROUP BY ALL
HAVING sum(active) <> 0;
DELETE FROM rpt_cohort_months;
INSERT INTO rpt_cohort_months SELECT * FROM layer_cohorts;
DROP TABLE layer_cohorts;

-- rpt_cohort_months -- grain: one row per (customer attributes, month of the first completed order, calendar
--                      month with orders): the customers buying that month and their revenue. The monthly
--                      cohort matrix under attribute filters sums these (~40 times fewer rows than customer
--                      months); the first month's row counts the whole cohort.
-- requires: rpt_customer_months, rpt_customers
-- after appended orders: refreshed by refresh_rpt_cohort_months
CREATE OR REPLACE TABLE rpt_cohort_months AS
SELECT c.region, c.country, c.city, c.acquisition_channel, CAST(date_trunc('month', c.first_date) AS DATE) AS first_month,
       CAST(m.month AS DATE) AS month, count(*) AS active, sum(m.revenue) AS revenue
FROM rpt_customer_months AS m JOIN rpt_customers AS c USING (customer_key)
GROUP BY ALL;

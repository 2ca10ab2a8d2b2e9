-- Shared CTEs (included with "-- @include scoped_orders" right after WITH), over the reporting layer.
-- scoped_customers -- grain: one row per customer matching the customer-level filters.
-- scoped           -- grain: one row per completed order matching every dimension filter (any date).
-- scoped_months    -- grain: one row per (month, customer attributes, channel, category) of rpt_order_months
--                     matching the attribute filters; empty under a campaign, cohort or segment filter (a set
--                     of customers, not an attribute), where callers sum scoped instead.
-- The filter conditions are written out from the dimensions' declarations ("-- @filter": crm_metrics/dimensions.py).
-- Empty filter lists mean "all". $campaign keeps the customers a campaign reached (its treatment group);
-- $cohort the customers whose first completed order fell in one of the listed months ('2024-03');
-- $segment the customers whose latest RFM segment (rpt_customer_segments) is listed. Returned and cancelled orders are never revenue (not in rpt_orders).
scoped_customers AS (
    SELECT customer_id, customer_key, region, country, city, acquisition_channel, acquisition_cost, first_date, second_date,
           signup_date
    FROM rpt_customers
    WHERE
      -- @filter attributes, sets with first_date
),
scoped AS NOT MATERIALIZED (
    SELECT order_date, customer_id, customer_key, order_id, amount, cost, campaign_id, channel, product_category, region, country, city,
           acquisition_channel, first_date, campaign_touched, previous_date, first_of_day, first_of_week, first_of_month
    FROM rpt_orders
    WHERE
      -- @filter attributes, order, sets with first_date
),
scoped_months AS NOT MATERIALIZED (
    SELECT month, revenue, orders
    FROM rpt_order_months
    WHERE array_length($campaign) + array_length($cohort) + array_length($segment) = 0 AND
      -- @filter attributes, order
),

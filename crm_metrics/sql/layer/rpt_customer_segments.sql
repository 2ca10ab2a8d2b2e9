-- rpt_customer_segments -- grain: one row per customer with a completed order by the last order date ($as_of):
--                          their RFM segment with the default options and rules as of that date, no filters (so
--                          the segment filter means the same on every page).
-- requires: rpt_campaign_members, rpt_customer_totals, rpt_customers, rpt_order_months, rpt_orders
-- after appended orders: rebuilt
CREATE OR REPLACE TABLE rpt_customer_segments (customer_id VARCHAR, segment VARCHAR, customer_key INTEGER);
-- @include build_segments

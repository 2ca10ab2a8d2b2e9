-- Fills rpt_customer_segments (included by layer/rpt_customer_segments.sql, after it creates the table): every
-- customer's RFM segment as of $as_of (the last order date) with the default scoring options and rules, no
-- filters. grain: one row per customer with a completed order on or before $as_of.
INSERT INTO rpt_customer_segments (customer_id, segment, customer_key)
WITH
-- @include scoped_orders
-- @include rfm_base
segmented AS (SELECT customer_id, coalesce(segment, 'Unassigned') AS segment, customer_key FROM rfm_now)
SELECT * FROM segmented;

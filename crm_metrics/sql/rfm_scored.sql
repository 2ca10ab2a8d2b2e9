-- RFM per customer as of $as_of under the shared filters, scored and named (rules: rfm_scores.sql),
-- kept for one unit of work on its cursor: the segment summary, R x F grid, cut-offs, members and the
-- per-customer report read it, so the customers are scored once however many of them a page shows.
-- grain: one row per customer with at least one completed order on or before $as_of.
CREATE OR REPLACE TEMP TABLE rfm_scored AS
WITH
-- @include scoped_orders
-- @include rfm_base
scored_now AS (
    SELECT customer_id, customer_key, recency_days, frequency, monetary, purchase_days, orders, revenue, average_order,
           first_order, last_order, r_score, f_score, m_score, fm_score, segment, priority, action
    FROM rfm_now
)
SELECT * FROM scored_now;

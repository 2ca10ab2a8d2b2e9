-- Each customer's segment as of $before and as of $as_of: the list that segment migration counts and
-- its flow lists filter. grain: one row per customer scored as of $as_of, in no order. Customers
-- who had not bought by $before come from "Not yet a customer"; a cell no rule holds is "Unassigned".
-- revenue = spend up to $as_of; revenue_before = spend up to $before. frequency, monetary and priority
-- (of the segment's rule) are as of $as_of: the Segments page's summary, grid and cut-offs read them.
-- Customers by customer_key, without their text id or recommended action: text on every one of up to a
-- million rows, which the lists add for the customers they hold (crm_metrics.rfm.members_of, movers_of).
WITH
-- @include scoped_orders
-- @include rfm_base
moves AS (
    SELECT a.customer_key,
           CASE WHEN b.customer_key IS NULL THEN 'Not yet a customer' ELSE coalesce(b.segment, 'Unassigned') END
               AS from_segment,
           coalesce(a.segment, 'Unassigned') AS to_segment,
           a.r_score, a.f_score, a.m_score, a.recency_days, a.orders,
           a.revenue, coalesce(b.revenue, 0) AS revenue_before, a.last_order, a.frequency, a.monetary,
           a.priority
    FROM (SELECT * FROM named WHERE snapshot = 'now') AS a
    LEFT JOIN (SELECT * FROM named WHERE snapshot = 'before') AS b USING (customer_key)
)
SELECT * FROM moves;

-- Segment migration: each customer's segment as of $before and as of $as_of, and the flows between.
-- grain: one row per (from segment, to segment) with customers. Customers who had not bought by
-- $before come from "Not yet a customer". revenue = what the moving customers spent up to $as_of;
-- revenue_between = what they spent after $before.
WITH
-- @include scoped_orders
-- @include rfm_base
flows AS (
    SELECT coalesce(b.segment, 'Not yet a customer') AS from_segment, a.segment AS to_segment,
           count(*) AS customers, sum(a.revenue) AS revenue,
           sum(a.revenue - coalesce(b.revenue, 0)) AS revenue_between
    FROM rfm_now AS a
    LEFT JOIN (SELECT * FROM named WHERE snapshot = 'before') AS b USING (customer_key)
    GROUP BY 1, 2
)
SELECT *, from_segment <> to_segment AS moved FROM flows ORDER BY customers DESC, from_segment, to_segment;

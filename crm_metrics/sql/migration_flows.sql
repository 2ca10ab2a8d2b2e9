-- Segment flows of a movement list (registered as "moves"; rfm_movements.sql). grain: one row per
-- (from segment, to segment) with customers. revenue = what the moving customers spent up to as_of;
-- revenue_between = what they spent after the earlier date.
WITH
flows AS (
    SELECT from_segment, to_segment, count(*) AS customers, sum(revenue) AS revenue,
           sum(revenue - revenue_before) AS revenue_between
    FROM moves GROUP BY 1, 2
)
SELECT *, from_segment <> to_segment AS moved FROM flows ORDER BY customers DESC, from_segment, to_segment;

-- One row per RFM segment as of $as_of under the shared filters (see rfm_scores.sql for the scoring).
-- grain: one row per segment with at least one customer.
WITH
per_segment AS (
    SELECT coalesce(segment, 'Unassigned') AS segment, count(*) AS customers, CAST(sum(orders) AS BIGINT) AS orders,
           sum(revenue) AS revenue, avg(recency_days) AS average_recency_days,
           avg(frequency) AS average_frequency, min(priority) AS priority
    FROM rfm_scored GROUP BY 1
)
SELECT segment, customers,
       CAST(customers AS DOUBLE) / sum(customers) OVER () AS customer_share,
       orders, revenue,
       CAST(revenue AS DOUBLE) / nullif(orders, 0) AS average_order_value,
       average_recency_days, average_frequency,
       CAST(revenue AS DOUBLE) / nullif(sum(revenue) OVER (), 0) AS revenue_share
FROM per_segment
ORDER BY priority NULLS LAST, segment;

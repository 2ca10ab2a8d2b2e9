-- Features for customer clustering as of $as_of under the shared filters: RFM plus tenure, average order
-- and support tickets. grain: one row per customer with a completed order on or before $as_of.
WITH
-- @include scoped_orders
-- @include rfm_base
tickets_to_date AS (
    SELECT customer_id, count(*) AS tickets FROM tickets
    WHERE CAST(opened_at AS DATE) <= $as_of GROUP BY customer_id
)
SELECT n.customer_id, n.recency_days, n.frequency, CAST(n.monetary AS DOUBLE) AS monetary,
       date_diff('day', n.first_order, CAST($as_of AS DATE)) AS tenure_days,
       CAST(n.average_order AS DOUBLE) AS average_order, coalesce(t.tickets, 0) AS tickets,
       CAST(n.revenue AS DOUBLE) AS revenue
FROM rfm_now AS n LEFT JOIN tickets_to_date AS t USING (customer_id)
ORDER BY n.customer_id;

-- The customers of one migration flow ($from_segment -> $to_segment) with contact fields and the action
-- recommended for where they are now. grain: one row per customer, most revenue first.
WITH
-- @include scoped_orders
-- @include rfm_base
movers AS (
    SELECT a.customer_id, coalesce(b.segment, 'Not yet a customer') AS from_segment, a.segment AS to_segment,
           a.action AS recommended_action, a.r_score, a.f_score, a.m_score, a.recency_days, a.orders,
           a.revenue, a.last_order
    FROM rfm_now AS a
    LEFT JOIN (SELECT * FROM named WHERE snapshot = 'before') AS b USING (customer_key)
    WHERE coalesce(b.segment, 'Not yet a customer') = $from_segment AND a.segment = $to_segment
)
SELECT m.*, c.name, c.email, c.region, c.country, c.city
FROM movers AS m LEFT JOIN customers AS c USING (customer_id)
ORDER BY m.revenue DESC, m.customer_id;

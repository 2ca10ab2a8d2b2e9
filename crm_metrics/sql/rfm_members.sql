-- The customers of one RFM segment ($segment_name) with their scores, contact fields and the recommended
-- action: the target list a marketer exports. grain: one row per customer, most revenue first.
WITH
members AS (
    SELECT n.customer_id, c.name, c.email, c.region, c.country, c.city, n.segment, n.action AS recommended_action,
           n.r_score, n.f_score, n.m_score, n.recency_days, n.frequency, n.monetary, n.orders, n.revenue,
           n.last_order
    FROM rfm_scored AS n LEFT JOIN customers AS c USING (customer_id)
    WHERE coalesce(n.segment, 'Unassigned') = $segment_name
)
SELECT * FROM members ORDER BY revenue DESC, customer_id;

-- RFM per customer as of $as_of under the shared filters, scored 1-5 and named by the segment rules.
-- grain: one row per customer with at least one completed order on or before $as_of.
-- recency   = days from the last order to $as_of (0 = bought on $as_of)
-- frequency = distinct purchase days ($frequency = 'days') or orders ($frequency = 'orders')
-- monetary  = total spend ($monetary = 'total') or average order value ($monetary = 'average')
-- Scores ($method = 'quintile'): the quintile of the customer's rank; tied customers share the lower
-- rank and so always share a score. ($method = 'cuts'): 1 + the number of cut points the value exceeds
-- ($r_cuts, $f_cuts, $m_cuts, four ascending numbers each; recency counts the other way).
-- Segment: the first rule ($rules, by priority) whose R and FM ranges hold the customer; FM = floor((F+M)/2).
WITH
final AS (
    SELECT customer_id, recency_days, frequency, monetary, purchase_days, orders, revenue, average_order,
       first_order, last_order, r_score, f_score, m_score, fm_score,
       r_score * 100 + f_score * 10 + m_score AS rfm_cell, coalesce(segment, 'Unassigned') AS segment
FROM rfm_scored
)
SELECT * FROM final ORDER BY customer_id;

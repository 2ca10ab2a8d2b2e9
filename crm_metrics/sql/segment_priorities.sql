-- Every customer scored in the cursor's rfm_scored table (crm_metrics.rfm._score), by customer_key, with the
-- priority of the rule that named their segment (NULL: no rule holds their cell, "Unassigned"): integers only,
-- so that a million customers' segments cost no text; crm_metrics.rfm.segments_by_key names them by the rules.
-- grain: one row per scored customer.
SELECT customer_key, priority FROM rfm_scored;

-- The routes one customer ($customer_id) takes, up to $as_of: the sales channels they buy through
-- (completed orders), the campaign channels that reached them (treatment contacts) and the support
-- channels they ask for help by. grain: one row per (route, channel). Columns: route, channel, times,
-- revenue (sales channels only), last_used.
SELECT 'Buys through' AS route, coalesce(channel, 'unknown') AS channel, count(*) AS times,
       CAST(sum(amount) AS DOUBLE) AS revenue, max(order_date) AS last_used
FROM orders WHERE customer_id = $customer_id AND status = 'completed' AND order_date <= $as_of
GROUP BY 2
UNION ALL
SELECT 'Hears from us by', coalesce(k.channel, 'unknown'), count(*), CAST(NULL AS DOUBLE), max(t.contact_date)
FROM contacts AS t LEFT JOIN campaigns AS k USING (campaign_id)
WHERE t.customer_id = $customer_id AND t."group" = 'treatment' AND t.contact_date <= $as_of
GROUP BY 2
UNION ALL
SELECT 'Asks for help by', coalesce(channel, 'unknown'), count(*), CAST(NULL AS DOUBLE), max(CAST(opened_at AS DATE))
FROM tickets WHERE customer_id = $customer_id AND CAST(opened_at AS DATE) <= $as_of
GROUP BY 2
ORDER BY CASE route WHEN 'Buys through' THEN 1 WHEN 'Hears from us by' THEN 2 ELSE 3 END, times DESC, channel;

-- The values each filter can offer. grain: one row per (dimension, value); parent = the value one level up;
-- label = what the filter shows (a campaign's id and name).
SELECT 'region' AS dimension, region AS value, CAST(NULL AS VARCHAR) AS parent, region AS label
FROM customers WHERE region IS NOT NULL GROUP BY region
UNION ALL
SELECT 'country', country, min(region), country FROM customers WHERE country IS NOT NULL GROUP BY country
UNION ALL
SELECT 'city', city, min(country), city FROM customers WHERE city IS NOT NULL GROUP BY city
UNION ALL
SELECT 'acquisition_channel', acquisition_channel, NULL, acquisition_channel FROM customers
WHERE acquisition_channel IS NOT NULL GROUP BY acquisition_channel
UNION ALL
SELECT 'channel', channel, NULL, channel FROM orders WHERE channel IS NOT NULL GROUP BY channel
UNION ALL
SELECT 'product_category', product_category, NULL, product_category FROM orders WHERE product_category IS NOT NULL GROUP BY product_category
UNION ALL
SELECT 'campaign', campaign_id, NULL, campaign_id || ' · ' || name FROM campaigns
UNION ALL
SELECT DISTINCT 'cohort', strftime(first_date, '%Y-%m'), NULL, strftime(first_date, '%b %Y') FROM rpt_customers
WHERE first_date IS NOT NULL
UNION ALL
SELECT DISTINCT 'segment', segment, NULL, segment FROM rpt_customer_segments
ORDER BY 1, 2;

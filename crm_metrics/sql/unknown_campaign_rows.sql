-- Contacts whose campaign is unknown (rejected). grain: one row per offending record, first 100.
SELECT rec, campaign_id FROM typed
WHERE campaign_id NOT IN (SELECT campaign_id FROM campaigns)
ORDER BY rec LIMIT 100;

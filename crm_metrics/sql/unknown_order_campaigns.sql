-- Orders naming a campaign that is not in campaigns (kept, warned). grain: one row.
SELECT count(*) AS n, min(rec) AS first_rec FROM typed
WHERE campaign_id IS NOT NULL AND campaign_id NOT IN (SELECT campaign_id FROM campaigns);

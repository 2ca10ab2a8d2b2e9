-- The start date of one campaign. grain: one row (none for an unknown campaign).
SELECT start_date FROM campaigns WHERE campaign_id = $campaign_id;

-- Campaigns that started within a trend's window, for its annotations (under a campaign filter, the chosen ones
-- only). grain: one row per campaign.
SELECT campaign_id, name, channel, start_date, cost
FROM campaigns
WHERE start_date BETWEEN $start AND $end
  AND (array_length($campaign) = 0 OR list_contains($campaign, campaign_id))
ORDER BY start_date, campaign_id;

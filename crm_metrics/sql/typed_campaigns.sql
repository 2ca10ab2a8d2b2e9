-- Type the staged campaigns file. grain: one row per data record of the file (rec = record ordinal).
CREATE OR REPLACE TEMP TABLE typed_rows AS
WITH
-- @include typed_cleaned
parsed AS (
    SELECT *,
           crm_id(campaign_id, $ascii) AS p_campaign_id, crm_text(name) AS p_name, crm_text(channel) AS p_channel,
           crm_date(start_date, $date_format) AS parsed_start_date, crm_money(cost, $decimal) AS p_cost,
           crm_date(end_date, $date_format) AS parsed_end_date
    FROM cleaned
),
ranged AS (
    -- dates outside 1900-2199 (year 0001, a two-digit year read as year 24) are invalid
    SELECT *, crm_year_ok(parsed_start_date) AS p_start_date,
           crm_year_ok(parsed_end_date) AS p_end_date
    FROM parsed
)
SELECT
       p_campaign_id AS campaign_id, p_name AS name, p_channel AS channel, p_start_date AS start_date,
       CASE WHEN p_cost >= 0 THEN p_cost END AS cost,
       CASE WHEN p_end_date >= p_start_date THEN p_end_date END AS end_date,
       crm_text(objective) AS objective, crm_text(target_segment) AS target_segment,
       list_filter([
           CASE WHEN p_campaign_id IS NULL THEN 'campaign_id' END,
           CASE WHEN p_name IS NULL THEN 'name' END,
           CASE WHEN p_channel IS NULL THEN 'channel' END,
           CASE WHEN p_start_date IS NULL THEN 'start_date' END,
           CASE WHEN p_cost IS NULL OR p_cost < 0 THEN 'cost' END,
           CASE WHEN crm_bad(end_date, p_end_date) OR p_end_date < p_start_date THEN 'end_date' END
       ], lambda x: x IS NOT NULL) AS _bad
FROM ranged;

-- @include typed_view

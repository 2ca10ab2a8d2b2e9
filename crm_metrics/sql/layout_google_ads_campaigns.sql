-- source: google_ads_campaigns
-- title: Google Ads campaign report
-- header: Campaign, Campaign type, Currency code, Cost, Impr.
-- writes: campaigns
--
-- A Google Ads campaign report as downloaded (Campaigns > Download > CSV): a title and the report's date range
-- above the header ("February 1, 2024 - February 29, 2024"), one line per campaign, and closing Total rows
-- ("Total: Account" in the first column, the Campaign empty, or "Total" in it: skipped and counted). A campaign is known by its name (its id, where the report has no Campaign ID column); its channel
-- is Google Ads, its objective the campaign type (Search, Display, Performance Max...), its cost the report's Cost
-- ("1,234.56"; "--" for nothing spent is 0), and its start and end the report's date range (the report gives no
-- campaign dates). The Currency code becomes the data's currency.

-- grain: one row per line of the report, the Total rows left out
CREATE OR REPLACE TEMP VIEW totals AS
SELECT _line FROM raw WHERE crm_text(campaign) IS NULL OR starts_with(lower(campaign), 'total');

CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(campaign) AS name, crm_text(campaign_type) AS campaign_type, cost AS cost_text,
       CASE WHEN trim(cost) IN ('--', '-', '') THEN 0.00 ELSE crm_money(cost, '.') END AS spend,
       upper(crm_text(currency_code)) AS currency
FROM raw
WHERE _line NOT IN (SELECT _line FROM totals);

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Cost' AS column_name, cost_text AS value, 'not an amount (1,234.56, or -- for nothing spent)' AS rule FROM lines WHERE spend IS NULL
UNION ALL
SELECT min(_line), NULL, NULL,
       'the report''s date range (the line above the header, e.g. February 1, 2024 - February 29, 2024) is '
       || 'missing: campaigns need a start date'
FROM lines HAVING count(*) > 0 AND getvariable('crm_report_start') IS NULL;

-- grain: one row per campaign
CREATE OR REPLACE TEMP VIEW source_campaigns AS
SELECT min(_line) AS _line, name AS campaign_id, name, 'Google Ads' AS channel,
       strftime(getvariable('crm_report_start'), '%Y-%m-%d') AS start_date, sum(spend) AS cost,
       strftime(getvariable('crm_report_end'), '%Y-%m-%d') AS end_date, arg_min(campaign_type, _line) AS objective
FROM lines
GROUP BY name;

CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'Total rows of the report' AS what, count(*) AS rows, NULL AS amount FROM totals;

-- grain: one row per currency the report names
CREATE OR REPLACE TEMP VIEW source_currency AS SELECT DISTINCT currency AS value FROM lines WHERE currency IS NOT NULL;

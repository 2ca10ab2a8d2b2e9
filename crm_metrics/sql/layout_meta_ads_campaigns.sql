-- source: meta_ads_campaigns
-- title: Meta Ads campaign export
-- header: Campaign name, Reporting starts, Reporting ends, Amount spent (USD)|Amount spent (EUR)|Amount spent (GBP)|Amount spent (BRL)|Amount spent (CAD)|Amount spent (AUD)|Amount spent (INR)|Amount spent (MXN)|Amount spent (JPY)|Amount spent (CHF)|Amount spent (SEK)|Amount spent (NOK)|Amount spent (DKK)|Amount spent (PLN)|Amount spent (NZD)|Amount spent (ZAR)|Amount spent (SGD)|Amount spent (HKD)|Amount spent (TRY)
-- writes: campaigns
--
-- A Meta (Facebook and Instagram) Ads Manager export of campaigns (Reports > Export table data): one line per
-- campaign, or per campaign and day when broken down by day. A campaign is known by its name; its channel is
-- Meta Ads, its start the first Reporting starts and its end the last Reporting ends, its cost the sum of
-- Amount spent, in the currency the column's header names ("Amount spent (USD)"), which becomes the data's.

-- grain: one row per line
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(campaign_name) AS name, crm_date(reporting_starts, getvariable('crm_date_format')) AS starts,
       crm_date(reporting_ends, getvariable('crm_date_format')) AS ends, reporting_starts AS starts_text,
       reporting_ends AS ends_text, amount_spent_usd AS spent_text,
       CASE WHEN crm_null(amount_spent_usd) IS NULL THEN 0.00 ELSE crm_money(amount_spent_usd, '.') END AS spent
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS
SELECT reporting_starts AS value FROM raw UNION ALL SELECT reporting_ends FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Campaign name' AS column_name, NULL AS value, 'a campaign name is required' AS rule FROM lines
WHERE name IS NULL
UNION ALL
SELECT _line, 'Reporting starts', starts_text, 'not a date' FROM lines WHERE starts IS NULL
UNION ALL
SELECT _line, 'Reporting ends', ends_text, 'not a date' FROM lines WHERE ends IS NULL
UNION ALL
SELECT _line, 'Amount spent', spent_text, 'not an amount with a decimal point' FROM lines WHERE spent IS NULL;

-- grain: one row per campaign
CREATE OR REPLACE TEMP VIEW source_campaigns AS
SELECT min(_line) AS _line, name AS campaign_id, name, 'Meta Ads' AS channel,
       strftime(min(starts), '%Y-%m-%d') AS start_date, sum(spent) AS cost, strftime(max(ends), '%Y-%m-%d') AS end_date
FROM lines GROUP BY name;

CREATE OR REPLACE TEMP VIEW source_currency AS SELECT getvariable('crm_header_currency') AS value;

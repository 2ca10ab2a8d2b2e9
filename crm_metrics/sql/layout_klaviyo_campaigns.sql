-- source: klaviyo_campaigns
-- title: Klaviyo campaign export
-- header: Campaign Name, Subject, Send Time, Total Recipients, Unique Opens, Campaign ID
-- writes: campaigns
--
-- Klaviyo's campaign export (Campaigns > Export to CSV): one line per sent campaign. A campaign is known by its
-- Campaign ID; its name is the Campaign Name, its channel Email, its objective the Subject, its start and end the
-- day of Send Time as written. Email tools export no cost: written as 0 and said with the result.

-- grain: one row per line (campaign)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(campaign_id) AS campaign_id, crm_text(campaign_name) AS name, crm_text(subject) AS subject,
       crm_date(send_time, getvariable('crm_date_format')) AS sent, send_time AS sent_text
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT send_time AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Campaign ID' AS column_name, NULL AS value, 'a campaign id is required' AS rule FROM lines
WHERE campaign_id IS NULL
UNION ALL
SELECT _line, 'Send Time', sent_text, 'not a date' FROM lines WHERE sent IS NULL;

-- grain: one row per campaign
CREATE OR REPLACE TEMP VIEW source_campaigns AS
SELECT _line, campaign_id, coalesce(name, subject, campaign_id) AS name, 'Email' AS channel,
       strftime(sent, '%Y-%m-%d') AS start_date, 0.00 AS cost, strftime(sent, '%Y-%m-%d') AS end_date,
       subject AS objective
FROM lines;

CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'campaign costs (Klaviyo exports none; written as 0: import a campaigns file with the costs)' AS what,
       count(*) AS rows, NULL AS amount
FROM lines;

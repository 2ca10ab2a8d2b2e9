-- source: mailchimp_campaigns
-- title: Mailchimp campaign report list
-- header: Title, Subject, Send Date, Total Recipients, Unique Opens, Unique Clicks, Unique Id
-- writes: campaigns
--
-- Mailchimp's list of campaign reports (Analytics > Reports > Export as CSV): one line per sent campaign. A
-- campaign is known by its Unique Id; its name is the Title, its channel Email, its objective the Subject, its
-- start (and end) the day of Send Date as written ("Jun 09, 2018 09:30 pm"). Email tools export no cost: the
-- campaigns are written with a cost of 0 (said with the result); enter the real cost by importing a campaigns
-- file with the same ids, or ROI cannot be read.

-- grain: one row per line (campaign)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(unique_id) AS campaign_id, crm_text(title) AS name, crm_text(subject) AS subject,
       crm_date(send_date, getvariable('crm_date_format')) AS sent, send_date AS sent_text
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT send_date AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Unique Id' AS column_name, NULL AS value, 'a campaign id is required' AS rule FROM lines
WHERE campaign_id IS NULL
UNION ALL
SELECT _line, 'Send Date', sent_text, 'not a date such as Jun 09, 2018 09:30 pm' FROM lines WHERE sent IS NULL;

-- grain: one row per campaign
CREATE OR REPLACE TEMP VIEW source_campaigns AS
SELECT _line, campaign_id, coalesce(name, subject, campaign_id) AS name, 'Email' AS channel,
       strftime(sent, '%Y-%m-%d') AS start_date, 0.00 AS cost, strftime(sent, '%Y-%m-%d') AS end_date,
       subject AS objective
FROM lines;

-- grain: one row: what the import cannot know
CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'campaign costs (Mailchimp exports none; written as 0: import a campaigns file with the costs)' AS what,
       count(*) AS rows, NULL AS amount
FROM lines;

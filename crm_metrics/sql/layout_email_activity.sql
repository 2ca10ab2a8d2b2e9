-- source: email_activity
-- title: Per-recipient email activity (one line per recipient and event)
-- header: Email|Email Address|Recipient Email, Campaign ID|Campaign Unique Id|Unique Id, Event|Activity|Action, Timestamp|Event Time|Date|Time
-- writes: customers, contacts
--
-- Who a campaign reached and what they did, as email tools export a campaign's activity: one line per recipient
-- and event, naming the campaign by the id its campaign export carries (Mailchimp's Unique Id, Klaviyo's Campaign
-- ID), so that import the campaigns first or in the same batch. Each (campaign, recipient) becomes one contact:
-- its day the first event's calendar day as written, its group treatment (they were sent it: a hold-out group is
-- never in a sending tool's export), opened when they opened or clicked, clicked when they clicked. Events:
-- sent, received, delivered, bounced, dropped, deferred, unsubscribed, marked as spam = reached; opened = opened;
-- clicked = clicked (Klaviyo's "Received Email", "Opened Email", "Clicked Email" and MailUp's SNT, OPN, CLK, NCO
-- too); any other event stops the import and is listed. The recipient is the email, trimmed and compared in
-- lower case, so that contacts land on the customers the shop and the audience export know.

-- grain: one row per line (event), typed
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, lower(crm_text(email)) AS email, crm_text(campaign_id) AS campaign,
       crm_date(timestamp, getvariable('crm_date_format')) AS day, timestamp AS date_text,
       crm_text(event) AS event_text,
       CASE regexp_replace(lower(crm_text(event)), '\s+email$', '')
           WHEN 'sent' THEN 'reached' WHEN 'received' THEN 'reached' WHEN 'delivered' THEN 'reached'
           WHEN 'bounced' THEN 'reached' WHEN 'bounce' THEN 'reached' WHEN 'dropped' THEN 'reached'
           WHEN 'deferred' THEN 'reached' WHEN 'unsubscribed' THEN 'reached' WHEN 'marked as spam' THEN 'reached'
           WHEN 'marked email as spam' THEN 'reached' WHEN 'snt' THEN 'reached' WHEN 'nco' THEN 'reached'
           WHEN 'opened' THEN 'opened' WHEN 'open' THEN 'opened' WHEN 'opn' THEN 'opened'
           WHEN 'clicked' THEN 'clicked' WHEN 'click' THEN 'clicked' WHEN 'clk' THEN 'clicked'
       END AS did
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT timestamp AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Email' AS column_name, NULL AS value, 'a recipient email is required' AS rule FROM lines
WHERE email IS NULL
UNION ALL
SELECT _line, 'Campaign ID', NULL, 'a campaign id is required' FROM lines WHERE campaign IS NULL
UNION ALL
SELECT _line, 'Event', event_text, 'an event this layout does not know (sent, delivered, bounced, opened, clicked ...)'
FROM lines WHERE did IS NULL
UNION ALL
SELECT _line, 'Timestamp', date_text, 'not a date in the format ' || getvariable('crm_date_format') FROM lines
WHERE day IS NULL;

-- grain: one row per (campaign, recipient)
CREATE OR REPLACE TEMP VIEW source_contacts AS
SELECT min(_line) AS _line, campaign AS campaign_id, email AS customer_id, strftime(min(day), '%Y-%m-%d') AS contact_date,
       'treatment' AS "group", bool_or(did IN ('opened', 'clicked')) AS opened, bool_or(did = 'clicked') AS clicked
FROM lines
GROUP BY campaign, email;

-- grain: one row per recipient
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT min(_line) AS _line, email AS customer_id, email FROM lines GROUP BY email;

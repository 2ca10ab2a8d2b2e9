-- source: hubspot_deals
-- title: HubSpot deals view export
-- header: Record ID, Deal Name, Deal Stage, Close Date, Amount, Associated Contact
-- writes: customers, orders
-- statuses: closed won=completed, closed lost=not an order, appointment scheduled=not an order, qualified to buy=not an order, presentation scheduled=not an order, decision maker bought-in=not an order, contract sent=not an order
--
-- A HubSpot deals view exported as CSV with its associated records (Deals > Export view, "include associated
-- records"): one line per deal, its associated contact written as "Name (email)". A won deal is an order: its id
-- the deal's Record ID, its amount Amount, its day the calendar day of Close Date as written. The customer is
-- the associated contact's email (the first, where a deal has several), trimmed and compared in lower case, so
-- that deals land on the customers the contacts export and the shop know; a deal whose contact has no email is
-- counted and left out (a name is never a key). Deal Stage: Closed Won = completed; Closed Lost and the open
-- stages of HubSpot's default pipeline = not an order (counted, left out); a stage of your own pipeline stops
-- the import and is listed, to be mapped.

-- grain: one row per line (deal)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(record_id) AS deal_id,
       -- the first associated contact: "Ann Lee (ann@example.com); Bob (bob@example.com)", or a bare email
       lower(coalesce(nullif(regexp_extract(associated_contact, '\(([^()\s]+@[^()\s]+)\)', 1), ''),
                      nullif(regexp_extract(trim(associated_contact), '^[^\s;,()]+@[^\s;,()]+$', 0), ''))) AS email,
       nullif(trim(regexp_extract(associated_contact, '^([^(;]*)\(', 1)), '') AS name,
       crm_money(amount, '.') AS value, amount AS amount_text,
       crm_date(close_date, getvariable('crm_date_format')) AS day, close_date AS date_text,
       lower(crm_text(deal_stage)) AS stage,
       getvariable('crm_status_map')[lower(crm_text(deal_stage))] AS status
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT close_date AS value FROM raw WHERE crm_null(close_date) IS NOT NULL;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Record ID' AS column_name, NULL AS value, 'a record id is required' AS rule FROM lines
WHERE deal_id IS NULL
UNION ALL
SELECT _line, 'Deal Stage', stage, 'a deal stage the status map does not know: map it to completed, returned, cancelled or not an order'
FROM lines WHERE status IS NULL
UNION ALL
SELECT _line, 'Amount', amount_text, 'a won deal needs an amount with a decimal point' FROM lines
WHERE status = 'completed' AND value IS NULL
UNION ALL
SELECT _line, 'Close Date', date_text, 'a won deal needs a close date in the format ' || getvariable('crm_date_format')
FROM lines WHERE status = 'completed' AND day IS NULL;

-- grain: one row per won or returned deal of a contact with an email
CREATE OR REPLACE TEMP VIEW source_orders AS
SELECT _line, deal_id AS order_id, email AS customer_id, strftime(day, '%Y-%m-%d') AS order_date, value AS amount,
       status
FROM lines WHERE email IS NOT NULL AND status <> 'not an order';

-- grain: one row per customer, named as on their latest deal
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT min(_line) AS _line, email AS customer_id, email, arg_max(name, (day, _line)) AS name
FROM lines WHERE email IS NOT NULL AND status <> 'not an order'
GROUP BY email;

-- grain: one row per kind of deal left out
CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'deals not won (lost or still open)' AS what, count(*) AS rows, sum(value) AS amount FROM lines
WHERE status = 'not an order'
UNION ALL
SELECT 'won deals whose contact has no email', count(*), sum(value) FROM lines
WHERE email IS NULL AND status <> 'not an order';

-- grain: one row per line: the deal stage as written, for the status map shown before the import
CREATE OR REPLACE TEMP VIEW source_statuses AS SELECT crm_text(deal_stage) AS value FROM raw;

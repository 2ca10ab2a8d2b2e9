-- source: hubspot_contacts
-- title: HubSpot contacts view export
-- header: Record ID, First Name, Last Name, Email, Create Date
-- writes: customers
--
-- A HubSpot contacts view exported as CSV (Contacts > Export view): one line per contact. Customers are known
-- by their email, trimmed and compared in lower case (so they land on the customers the orders know), else by
-- HubSpot's Record ID; name and email are written, and the day of Create Date as the signup date.

-- grain: one row per line (contact)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, coalesce(lower(crm_text(email)), 'hubspot-' || crm_text(record_id)) AS customer_id,
       crm_text(email) AS email, nullif(trim(concat_ws(' ', crm_text(first_name), crm_text(last_name))), '') AS name,
       crm_date(create_date, getvariable('crm_date_format')) AS created, create_date AS created_text
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT create_date AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Record ID' AS column_name, NULL AS value, 'a record id or an email is required' AS rule
FROM lines WHERE customer_id IS NULL
UNION ALL
SELECT _line, 'Create Date', created_text, 'not a date' FROM lines
WHERE crm_null(created_text) IS NOT NULL AND created IS NULL;

-- grain: one row per customer
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT max(_line) AS _line, customer_id, arg_max(email, _line) AS email, arg_max(name, _line) AS name,
       strftime(min(created), '%Y-%m-%d') AS signup_date
FROM lines WHERE customer_id IS NOT NULL GROUP BY customer_id;

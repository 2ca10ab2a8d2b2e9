-- source: mailchimp_audience
-- title: Mailchimp audience export
-- header: Email Address, First Name, Last Name, MEMBER_RATING, OPTIN_TIME, LEID
-- writes: customers
--
-- A Mailchimp audience export (Audience > Export audience: subscribed, unsubscribed or cleaned members): one
-- line per contact. Customers are known by their email, trimmed and compared in lower case, so the audience
-- lands on the customers the shop's orders know; the name and the country code (CC) are written.

-- grain: one row per line (contact)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, lower(crm_text(email_address)) AS customer_id, crm_text(email_address) AS email,
       nullif(trim(concat_ws(' ', crm_text(first_name), crm_text(last_name))), '') AS name
FROM raw;

CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, NULL AS column_name, NULL AS value, NULL AS rule FROM lines WHERE false;

-- grain: one row per customer (email)
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT max(_line) AS _line, customer_id, arg_max(email, _line) AS email, arg_max(name, _line) AS name
FROM lines WHERE customer_id IS NOT NULL GROUP BY customer_id;

CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'contacts without an email' AS what, count(*) AS rows, NULL AS amount FROM lines WHERE customer_id IS NULL;

-- source: klaviyo_profiles
-- title: Klaviyo profiles export
-- header: Email, First Name, Last Name, Organization, City, State / Region, Country, Zip Code
-- writes: customers
--
-- Klaviyo's profile export (Audience > Lists & Segments > Export): one line per profile. Customers are known by
-- their email, trimmed and compared in lower case, so the profiles land on the customers the shop's orders know;
-- name, email, city, region (State / Region) and country are written; profiles without an email are counted and
-- left out.

-- grain: one row per line (profile)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, lower(crm_text(email)) AS customer_id, crm_text(email) AS email,
       nullif(trim(concat_ws(' ', crm_text(first_name), crm_text(last_name))), '') AS name,
       crm_text(city) AS city, crm_text(state_region) AS region, crm_text(country) AS country
FROM raw;

CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, NULL AS column_name, NULL AS value, NULL AS rule FROM lines WHERE false;

-- grain: one row per customer (email)
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT max(_line) AS _line, customer_id, arg_max(email, _line) AS email, arg_max(name, _line) AS name,
       arg_max(city, _line) AS city, arg_max(region, _line) AS region, arg_max(country, _line) AS country
FROM lines WHERE customer_id IS NOT NULL GROUP BY customer_id;

CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'profiles without an email' AS what, count(*) AS rows, NULL AS amount FROM lines WHERE customer_id IS NULL;

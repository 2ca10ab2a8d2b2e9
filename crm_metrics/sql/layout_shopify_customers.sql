-- source: shopify_customers
-- title: Shopify customers export
-- header: First Name, Last Name, Email, Total Spent, Total Orders, Default Address City|City, Default Address Country Code|Country Code
-- writes: customers
--
-- Shopify's customers export (Customers > Export; older exports say City and Country Code): one line per
-- customer. Customers are known by their email, trimmed and compared in lower case, as the orders export knows
-- them, so both land on the same customers; lines without an email are counted and left out. Name (first and
-- last), email, city and country code are written; Total Spent and Total Orders are not (the orders say it).

-- grain: one row per line (customer)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, lower(crm_text(email)) AS customer_id, crm_text(email) AS email,
       nullif(trim(concat_ws(' ', crm_text(first_name), crm_text(last_name))), '') AS name,
       crm_text(default_address_city) AS city, upper(crm_text(default_address_country_code)) AS country
FROM raw;

CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, NULL AS column_name, NULL AS value, NULL AS rule FROM lines WHERE false;

-- grain: one row per customer (email); a customer listed twice keeps the later line
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT max(_line) AS _line, customer_id, arg_max(email, _line) AS email, arg_max(name, _line) AS name,
       arg_max(city, _line) AS city, arg_max(country, _line) AS country
FROM lines WHERE customer_id IS NOT NULL GROUP BY customer_id;

CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'customers without an email' AS what, count(*) AS rows, NULL AS amount FROM lines WHERE customer_id IS NULL;

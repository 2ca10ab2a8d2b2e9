-- source: woocommerce_orders
-- title: WooCommerce orders (order-export plugin layout)
-- header: order_id, order_number, order_date, status, order_total, order_currency, customer_id, billing_first_name, billing_last_name, billing_email, billing_city, billing_country
-- writes: customers, orders
-- statuses: completed=completed, processing=completed, refunded=returned, cancelled=cancelled, pending=not an order, on-hold=not an order, failed=not an order
--
-- WooCommerce orders as the common order-export plugins write them (one line per order, wc-prefixed or plain
-- statuses). Its amount is order_total, its day the calendar day of order_date as written. Customers are known
-- by their billing email, trimmed and compared in lower case (WooCommerce's customer_id is 0 for every guest),
-- with the billing name, city and country of their latest order; orders without an email are counted and left
-- out. Status: completed, processing -> completed; refunded -> returned; cancelled -> cancelled; pending, on-hold,
-- failed -> not an order (counted, left out); any other status stops the import and is listed. The
-- order_currency becomes the data's currency.

-- grain: one row per line (order)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(order_number) AS order_id, lower(crm_text(billing_email)) AS email,
       crm_date(order_date, getvariable('crm_date_format')) AS day, order_date AS date_text,
       crm_money(order_total, '.') AS total, order_total AS total_text,
       regexp_replace(lower(crm_text(status)), '^wc-', '') AS shop_status,
       getvariable('crm_status_map')[regexp_replace(lower(crm_text(status)), '^wc-', '')] AS status,
       nullif(trim(concat_ws(' ', crm_text(billing_first_name), crm_text(billing_last_name))), '') AS name,
       crm_text(billing_city) AS city, crm_text(billing_country) AS country
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT order_date AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'order_number' AS column_name, NULL AS value, 'an order number is required' AS rule FROM lines
WHERE order_id IS NULL
UNION ALL
SELECT _line, 'order_date', date_text, 'not a date and time such as 2024-05-01 09:58:12' FROM lines WHERE day IS NULL
UNION ALL
SELECT _line, 'order_total', total_text, 'not an amount with a decimal point' FROM lines WHERE total IS NULL
UNION ALL
SELECT _line, 'status', shop_status,
       'an order status the status map does not know: map it to completed, returned, cancelled or not an order'
FROM lines WHERE status IS NULL;

-- grain: one row per order of a known customer that is an order
CREATE OR REPLACE TEMP VIEW source_orders AS
SELECT _line, order_id, email AS customer_id, strftime(day, '%Y-%m-%d') AS order_date, total AS amount, status
FROM lines WHERE email IS NOT NULL AND status <> 'not an order';

-- grain: one row per customer (email), from their latest order
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT min(_line) AS _line, email AS customer_id, arg_max(email, (day, _line)) AS email,
       arg_max(name, (day, _line)) AS name, arg_max(city, (day, _line)) AS city,
       arg_max(country, (day, _line)) AS country
FROM lines WHERE email IS NOT NULL AND status <> 'not an order' GROUP BY email;

CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'orders not paid (pending, on-hold, failed)' AS what, count(*) AS rows, sum(total) AS amount
FROM lines WHERE status = 'not an order'
UNION ALL
SELECT 'orders without a billing email', count(*), sum(total) FROM lines
WHERE email IS NULL AND status <> 'not an order';

CREATE OR REPLACE TEMP VIEW source_currency AS
SELECT DISTINCT upper(crm_text(order_currency)) AS value FROM raw WHERE crm_text(order_currency) IS NOT NULL;

-- grain: one row per order, its status as written without the wc- prefix (the status map shown before the import)
CREATE OR REPLACE TEMP VIEW source_statuses AS SELECT shop_status AS value FROM lines;

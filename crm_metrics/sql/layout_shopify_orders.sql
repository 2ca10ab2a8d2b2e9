-- source: shopify_orders
-- title: Shopify orders export
-- header: Name, Email, Financial Status, Created at, Total, Currency, Lineitem quantity, Lineitem price, Cancelled at, Billing Name, Billing City, Billing Country
-- writes: customers, orders
-- statuses: paid=completed, partially_paid=completed, partially_refunded=completed, refunded=returned, voided=cancelled, pending=not an order, authorized=not an order
--
-- Shopify's orders export (Orders > Export > CSV): one line per line item; the order's own fields (email, status,
-- total, dates, billing address) stand on its first line and are empty on the others. One order per Name
-- (#1001): its amount is the order's Total, its day the calendar day of Created at as written (the shop's own
-- day, whatever the offset), its quantity the sum of the line-item quantities.
-- Customers are known by their email, trimmed and compared in lower case (Ann@Example.com and ann@example.com
-- are one customer), so that the orders, the customers export and a mailing list land on the same customers;
-- orders without an email (guest or point-of-sale checkouts) are counted and left out. Name, city and country
-- come from the billing address of the customer's latest order.
-- Status (Financial Status), through the status map above (shown and editable before the import): paid,
-- partially_paid, partially_refunded -> completed; refunded -> returned; voided -> cancelled; pending, authorized
-- -> not an order yet (counted, left out); a Cancelled at date makes any order cancelled. A status the map does
-- not know stops the import and is listed, never dropped.

-- grain: one row per line of the file
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(name) AS order_name, lower(crm_text(email)) AS email,
       lower(crm_text(financial_status)) AS financial_status, crm_text(cancelled_at) AS cancelled_at,
       crm_null(created_at) AS created_text, crm_date(created_at, getvariable('crm_date_format')) AS day,
       crm_null(total) AS total_text, crm_money(total, '.') AS total, crm_int(lineitem_quantity) AS qty,
       lineitem_quantity AS qty_text, crm_text(billing_name) AS billing_name,
       crm_text(billing_city) AS billing_city, crm_text(billing_country) AS billing_country
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT created_at AS value FROM raw;

-- grain: one row per order (Name), its fields taken from the line that carries them
CREATE OR REPLACE TEMP VIEW shop_orders AS
SELECT order_name, min(_line) AS _line,
       arg_min(email, _line) FILTER (WHERE email IS NOT NULL) AS email,
       arg_min(financial_status, _line) FILTER (WHERE financial_status IS NOT NULL) AS financial_status,
       bool_or(cancelled_at IS NOT NULL) AS cancelled,
       arg_min(day, _line) FILTER (WHERE created_text IS NOT NULL) AS day,
       arg_min(total, _line) FILTER (WHERE total_text IS NOT NULL) AS total,
       sum(qty) AS quantity,
       arg_min(billing_name, _line) FILTER (WHERE billing_name IS NOT NULL) AS billing_name,
       arg_min(billing_city, _line) FILTER (WHERE billing_city IS NOT NULL) AS billing_city,
       arg_min(billing_country, _line) FILTER (WHERE billing_country IS NOT NULL) AS billing_country,
       CASE WHEN bool_or(cancelled_at IS NOT NULL) THEN 'cancelled'
            ELSE getvariable('crm_status_map')[arg_min(financial_status, _line) FILTER (WHERE financial_status IS NOT NULL)]
       END AS status
FROM lines
WHERE order_name IS NOT NULL
GROUP BY order_name;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Name' AS column_name, NULL AS value, 'an order name (#1001) is required' AS rule
FROM lines WHERE order_name IS NULL
UNION ALL
SELECT _line, 'Total', total_text, 'not an amount with a decimal point' FROM lines
WHERE total_text IS NOT NULL AND total IS NULL
UNION ALL
SELECT _line, 'Created at', created_text, 'not a date and time such as 2024-05-01 09:58:12 +0200' FROM lines
WHERE created_text IS NOT NULL AND day IS NULL
UNION ALL
SELECT _line, 'Lineitem quantity', qty_text, 'not a whole number' FROM lines
WHERE crm_null(qty_text) IS NOT NULL AND qty IS NULL
UNION ALL
SELECT o._line, 'Financial Status', o.financial_status,
       'a payment status the status map does not know: map it to completed, returned, cancelled or not an order'
FROM shop_orders AS o WHERE o.status IS NULL
UNION ALL
SELECT o._line, 'Total', NULL, 'the order has no total on any of its lines' FROM shop_orders AS o
WHERE o.total IS NULL AND o.status IS NOT NULL
UNION ALL
SELECT o._line, 'Created at', NULL, 'the order has no Created at on any of its lines' FROM shop_orders AS o
WHERE o.day IS NULL;

-- grain: one row per order of a known customer that is an order
CREATE OR REPLACE TEMP VIEW source_orders AS
SELECT _line, order_name AS order_id, email AS customer_id, strftime(day, '%Y-%m-%d') AS order_date,
       total AS amount, quantity, status
FROM shop_orders
WHERE email IS NOT NULL AND status <> 'not an order';

-- grain: one row per customer (email), from the billing address of their latest order
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT min(_line) AS _line, email AS customer_id, arg_max(email, (day, _line)) AS email,
       arg_max(billing_name, (day, _line)) AS name, arg_max(billing_city, (day, _line)) AS city,
       arg_max(billing_country, (day, _line)) AS country
FROM shop_orders
WHERE email IS NOT NULL AND status <> 'not an order'
GROUP BY email;

-- grain: one row per kind of order left out
CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'orders without an email (guest or point-of-sale checkouts)' AS what, count(*) AS rows,
       sum(total) AS amount
FROM shop_orders WHERE email IS NULL AND status <> 'not an order'
UNION ALL
SELECT 'orders whose status is not an order (not paid yet: pending, authorized)', count(*), sum(total)
FROM shop_orders WHERE status = 'not an order';

-- grain: one row per currency the file names
CREATE OR REPLACE TEMP VIEW source_currency AS
SELECT DISTINCT upper(crm_text(currency)) AS value FROM raw WHERE crm_text(currency) IS NOT NULL;

-- grain: one row per order, its status as written (the status map shown before the import)
CREATE OR REPLACE TEMP VIEW source_statuses AS SELECT financial_status AS value FROM shop_orders;

-- source: stripe_payments
-- title: Stripe payments export
-- header: id, Created date (UTC)|Created (UTC), Amount, Currency, Status, Customer ID, Customer Email
-- writes: customers, orders
-- statuses: paid=completed, refunded=returned, failed=not an order
--
-- Stripe's payments export (Payments > Export, "unified payments"; older exports call the date column
-- Created (UTC)): one line per payment, each an order. Its amount is Amount, its day the calendar day of the
-- creation date (UTC, as Stripe writes it). The customer is the Stripe customer (cus_...) where the payment
-- has one, else the email, trimmed and compared in lower case; payments with neither are counted and left out.
-- Status: Paid = completed, Refunded = returned, Failed = not an order (counted, left out); any other status
-- stops the import and is listed. The Currency column becomes the data's currency.

-- grain: one row per line (payment)
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(id) AS payment_id,
       coalesce(crm_text(customer_id), lower(crm_text(customer_email))) AS customer,
       lower(crm_text(customer_email)) AS email, crm_money(amount, '.') AS paid, amount AS amount_text,
       crm_date(created_date_utc, getvariable('crm_date_format')) AS day, created_date_utc AS date_text,
       lower(crm_text(status)) AS payment_status,
       getvariable('crm_status_map')[lower(crm_text(status))] AS status
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT created_date_utc AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'id' AS column_name, NULL AS value, 'a payment id is required' AS rule FROM lines
WHERE payment_id IS NULL
UNION ALL
SELECT _line, 'Amount', amount_text, 'not an amount with a decimal point' FROM lines WHERE paid IS NULL
UNION ALL
SELECT _line, 'Created date (UTC)', date_text, 'not a date and time such as 2024-05-01 09:58' FROM lines
WHERE day IS NULL
UNION ALL
SELECT _line, 'Status', payment_status, 'a payment status the status map does not know: map it to completed, returned, cancelled or not an order'
FROM lines WHERE status IS NULL;

-- grain: one row per payment of a known customer
CREATE OR REPLACE TEMP VIEW source_orders AS
SELECT _line, payment_id AS order_id, customer AS customer_id, strftime(day, '%Y-%m-%d') AS order_date,
       paid AS amount, status
FROM lines WHERE customer IS NOT NULL AND status <> 'not an order';

-- grain: one row per customer, with the email of their latest payment
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT min(_line) AS _line, customer AS customer_id, arg_max(email, (day, _line)) AS email
FROM lines WHERE customer IS NOT NULL AND status <> 'not an order'
GROUP BY customer;

-- grain: one row per kind of payment left out
CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'failed payments' AS what, count(*) AS rows, sum(paid) AS amount FROM lines WHERE status = 'not an order'
UNION ALL
SELECT 'payments without a customer or an email', count(*), sum(paid) FROM lines
WHERE customer IS NULL AND status <> 'not an order';

-- grain: one row per currency the file names
CREATE OR REPLACE TEMP VIEW source_currency AS
SELECT DISTINCT upper(crm_text(currency)) AS value FROM raw WHERE crm_text(currency) IS NOT NULL;

-- grain: one row per payment, its status as written (the status map shown before the import)
CREATE OR REPLACE TEMP VIEW source_statuses AS SELECT crm_text(status) AS value FROM raw;

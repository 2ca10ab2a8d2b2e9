-- source: line_items
-- title: Line items (one line per product of an order)
-- header: Order ID|Order Number|Order No|Order, Order Date|Date, Customer ID|Customer Email|Customer|Email, Quantity|Qty, Unit Price|Price
-- writes: customers, orders
--
-- The generic line-item file most shop and point-of-sale systems can write: the order id repeated on each line,
-- with the product's quantity and unit price. An order is one order id: its amount is the sum of quantity x
-- unit price (to the cent), its day the calendar day of the order date as written (the earliest, where the lines
-- differ), its quantity the sum of the quantities. An order whose lines sum to less than zero is a return
-- (status returned: never revenue). The customer is the customer column as written; where it holds an email,
-- the email trimmed and compared in lower case; a spreadsheet's 17850.0 is 17850. Lines without a customer
-- (guest sales) are counted and left out. The Online Retail layout (InvoiceNo, StockCode ...) is its own source.

-- grain: one row per line of the file, typed
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(order_id) AS order_key,
       CASE WHEN crm_text(customer_id) LIKE '%@%' THEN lower(crm_text(customer_id))
            ELSE regexp_replace(crm_text(customer_id), '\.0+$', '') END AS customer,
       crm_int(quantity) AS qty, crm_money(unit_price, '.') AS price,
       crm_date(order_date, getvariable('crm_date_format')) AS day,
       quantity AS quantity_text, unit_price AS price_text, order_date AS date_text
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT order_date AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Order ID' AS column_name, NULL AS value, 'an order id is required' AS rule FROM lines
WHERE order_key IS NULL
UNION ALL
SELECT _line, 'Quantity', quantity_text, 'not a whole number' FROM lines WHERE qty IS NULL
UNION ALL
SELECT _line, 'Unit Price', price_text, 'not a price with a decimal point (e.g. 2.55)' FROM lines WHERE price IS NULL
UNION ALL
SELECT _line, 'Order Date', date_text, 'not a date in the format ' || getvariable('crm_date_format')
FROM lines WHERE day IS NULL;

-- grain: one row per order with a customer
CREATE OR REPLACE TEMP VIEW source_orders AS
SELECT min(_line) AS _line, order_key AS order_id, arg_min(customer, _line) AS customer_id,
       strftime(min(day), '%Y-%m-%d') AS order_date, CAST(round(sum(qty * price), 2) AS DECIMAL(18, 2)) AS amount,
       sum(qty) AS quantity,
       CASE WHEN sum(qty * price) < 0 THEN 'returned' ELSE 'completed' END AS status
FROM lines
WHERE customer IS NOT NULL
GROUP BY order_key;

-- grain: one row per customer
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT min(_line) AS _line, customer AS customer_id,
       CASE WHEN customer LIKE '%@%' THEN customer END AS email
FROM lines
WHERE customer IS NOT NULL
GROUP BY customer;

-- grain: one row per kind of line left out
CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'lines without a customer (guest sales)' AS what, count(*) AS rows, round(sum(qty * price), 2) AS amount
FROM lines WHERE customer IS NULL;

-- source: online_retail
-- title: Line items in the Online Retail layout
-- header: InvoiceNo|Invoice, StockCode, Quantity, InvoiceDate, UnitPrice|Price, CustomerID|Customer ID, Country
-- writes: customers, orders
--
-- A line-item retail file (the public "Online Retail" and "Online Retail II" data sets and the many shop exports
-- written like them): one line per product on an invoice. An invoice is one order: its amount is the sum of
-- quantity x unit price (to the cent), its day the invoice date's calendar day as written, its quantity the sum
-- of the quantities. Invoices whose number starts with C are returns (status returned: never revenue). Lines
-- without a customer id (guest sales) are counted and left out. A customer's country is the one on their latest
-- invoice (a customer seen in two countries gets the later one). Spreadsheet exports write ids as 17850.0: the
-- .0 is dropped.

-- grain: one row per line of the file, typed
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(invoiceno) AS invoice, regexp_replace(crm_text(customerid), '\.0+$', '') AS customer_id,
       crm_int(quantity) AS qty, TRY_CAST(crm_null(unitprice) AS DECIMAL(18, 4)) AS price,
       crm_date(invoicedate, getvariable('crm_date_format')) AS day, crm_text(country) AS country,
       quantity AS quantity_text, unitprice AS price_text, invoicedate AS date_text
FROM raw;

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT invoicedate AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'InvoiceNo' AS column_name, NULL AS value, 'an invoice number is required' AS rule
FROM lines WHERE invoice IS NULL
UNION ALL
SELECT _line, 'Quantity', quantity_text, 'not a whole number' FROM lines WHERE qty IS NULL
UNION ALL
SELECT _line, 'UnitPrice', price_text, 'not a price with a decimal point (e.g. 2.55)' FROM lines WHERE price IS NULL
UNION ALL
SELECT _line, 'InvoiceDate', date_text, 'not a date in the format ' || getvariable('crm_date_format')
FROM lines WHERE day IS NULL;

-- grain: one row per invoice with a customer
CREATE OR REPLACE TEMP VIEW source_orders AS
SELECT min(_line) AS _line, invoice AS order_id, arg_min(customer_id, _line) AS customer_id,
       strftime(min(day), '%Y-%m-%d') AS order_date, CAST(round(sum(qty * price), 2) AS DECIMAL(18, 2)) AS amount,
       sum(qty) AS quantity,
       CASE WHEN upper(invoice) LIKE 'C%' THEN 'returned' ELSE 'completed' END AS status
FROM lines
WHERE customer_id IS NOT NULL
GROUP BY invoice;

-- grain: one row per customer id
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT min(_line) AS _line, customer_id, arg_max(country, (day, _line)) AS country
FROM lines
WHERE customer_id IS NOT NULL
GROUP BY customer_id;

-- grain: one row per kind of line left out
CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'lines without a customer id (guest sales)' AS what, count(*) AS rows,
       round(sum(qty * price), 2) AS amount
FROM lines WHERE customer_id IS NULL;

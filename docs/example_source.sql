-- source: my_shop_orders
-- title: My shop's order list
-- header: Order Ref, Buyer Email, Placed, Paid
-- writes: orders
--
-- A worked example of a source of your own (see the README, "Your own layouts"): a shop system that writes one
-- line per order. Copy this file into the folder CRM_SOURCES names, change the header line to your file's
-- column names and the SELECTs to your columns (each column is in the table raw under its name normalised:
-- lower case, spaces as _), and the import recognises the file from then on.

-- grain: one row per line of the file
CREATE OR REPLACE TEMP VIEW lines AS
SELECT _line, crm_text(order_ref) AS order_id, lower(crm_text(buyer_email)) AS customer_id,
       crm_date(placed, getvariable('crm_date_format')) AS day, crm_money(paid, '.') AS amount,
       placed AS placed_text, paid AS paid_text
FROM raw;

-- the values the date format is proposed from
CREATE OR REPLACE TEMP VIEW source_dates AS SELECT placed AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'Placed' AS column_name, placed_text AS value, 'not a date' AS rule FROM lines WHERE day IS NULL
UNION ALL
SELECT _line, 'Paid', paid_text, 'not an amount with a decimal point' FROM lines WHERE amount IS NULL;

-- grain: one row per order with a buyer
CREATE OR REPLACE TEMP VIEW source_orders AS
SELECT _line, order_id, customer_id, strftime(day, '%Y-%m-%d') AS order_date, amount
FROM lines WHERE customer_id IS NOT NULL;

-- grain: one row per kind of line left out
CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'orders without a buyer email' AS what, count(*) AS rows, sum(amount) AS amount
FROM lines WHERE customer_id IS NULL;
